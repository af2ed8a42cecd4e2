import Attribution
import Foundation
import GitKit
import Usage

/// `deploy mark`: records a deployment as an annotated tag `deploy/<env>/<UTC time>` whose
/// message carries the status, ref and commit.
public struct DeployMark {
    public let repository: Repository
    public var environment: String
    public var ref: String
    public var failed: Bool

    public init(repository: Repository, environment: String, ref: String = "HEAD", failed: Bool = false) {
        self.repository = repository
        self.environment = environment
        self.ref = ref
        self.failed = failed
    }

    public struct Marked: Sendable {
        /// The tag's name, e.g. `deploy/production/20260302T081500Z`.
        public var tag: String
        /// The commit deployed (hex, and abbreviated).
        public var commit: String
        public var shortCommit: String
        public var diagnostics: [Diagnostic]
    }

    /// Whether `name` can be an environment: a simple name that is also a valid ref component.
    public static func isValidEnvironment(_ name: String) -> Bool {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        return !name.isEmpty && name.unicodeScalars.allSatisfy(allowed.contains) && !name.hasPrefix(".") && !name.hasSuffix(".lock")
    }

    /// Creates the tag at `now`. Two marks in the same second both stay, in order (`…-2`).
    public func mark(now: Date = Date(), environmentVariables: [String: String] = ProcessInfo.processInfo.environment) throws(EngineError) -> Marked {
        let commit: ObjectID
        do {
            commit = try repository.resolveCommit(ref)
        } catch {
            throw .badRevision(ref, detail: error.message)
        }
        let tagger: Signature
        if let configured = try? repository.defaultSignature() {
            tagger = Signature(name: configured.name, email: configured.email, time: GitTime(now))
        } else {
            tagger = Signature(
                name: environmentVariables["GIT_COMMITTER_NAME"] ?? environmentVariables["GITHUB_ACTOR"] ?? "shipmeter",
                email: environmentVariables["GIT_COMMITTER_EMAIL"] ?? "shipmeter@localhost", time: GitTime(now))
        }
        let stamp = Self.stamp(now)
        let message = "status: \(failed ? "failure" : "success")\nref: \(ref)\ncommit: \(commit.hex)\n"
        var name = "deploy/\(environment)/\(stamp)"
        var attempt = 1
        while true {
            do {
                try repository.createAnnotatedTag(name: name, target: commit, message: message, tagger: tagger)
                break
            } catch  where error.isAlreadyExisting && attempt < 100 {
                attempt += 1
                name = "deploy/\(environment)/\(stamp)-\(attempt)"
            } catch {
                throw .git(GitError(code: error.code, errorClass: error.errorClass, message: "cannot create tag \(name): \(error.message)"))
            }
        }
        var diagnostics = [Diagnostic]()
        let patterns = try RepositoryContext.settings(of: repository).configuration.deployTagPatterns
        if !patterns.contains(where: { DeploymentSources.environment(of: name, pattern: $0) != nil }) {
            diagnostics.append(.warning("\(name) matches none of deployments.tags in .shipmeter.yml, so reports will not see it"))
        }
        return Marked(tag: name, commit: commit.hex, shortCommit: commit.short(), diagnostics: diagnostics)
    }

    /// `20260302T081500Z`
    static func stamp(_ date: Date) -> String {
        Timestamp.iso8601(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}

@available(*, unavailable)
extension DeployMark: Sendable {}
