import Attribution
import Foundation
import GitKit
import Usage

/// An open repository, as commands pass it to the engine.
public typealias RepositoryHandle = Repository

/// Everything read from a repository before its history: `.shipmeter.yml`, the deploy logs it
/// names, people (mailmap and settings), CODEOWNERS, deployments and tips, remotes, and the
/// identity the ledger knows it by. Loaded once per command.
public struct RepositoryContext {
    public let repository: Repository
    public let configuration: Configuration
    /// The settings file's text, as read (nil when there is none).
    public let settingsText: String?
    public let deployLogs: [(name: String, text: String)]
    public let people: People
    public let codeOwnersText: String?
    public let codeOwners: CodeOwners?
    /// Deployments from tags and deploy logs, and the tips history is read from.
    public let collected: RepositorySnapshot.Collected
    public let remotes: [String]
    public let scope: RepositoryScope
    /// `org/name` from the origin remote, else the folder name.
    public let name: String
    /// The root `.gitattributes` at HEAD.
    public let gitattributes: String?
    public let changeFilter: ChangeFilter
    /// What was skipped or worth knowing while reading.
    public let diagnostics: [Diagnostic]

    /// Opens the repository containing `path`.
    public static func discover(_ path: String) throws(EngineError) -> Repository {
        do {
            return try Repository(discovering: path)
        } catch {
            throw .notARepository(path: path, detail: error.message)
        }
    }

    /// The repository containing `path`, if there is one.
    public static func discoverIfAny(_ path: String) -> Repository? {
        try? Repository(discovering: path)
    }

    /// Reads the settings and nothing else (commands that only need prices or defaults).
    public static func settings(
        of repository: Repository
    ) throws(EngineError) -> (configuration: Configuration, text: String?, diagnostics: [Diagnostic]) {
        guard let root = repository.workDirectory else { return (Configuration(), nil, []) }
        let path = root + "/.shipmeter.yml"
        let text: String
        do {
            guard let contents = try RepositoryFile.contents(".shipmeter.yml", in: root, limit: settingsLimit) else {
                return (Configuration(), nil, [])
            }
            text = contents
        } catch {
            throw .settingsFile("\(error)")
        }
        do {
            let (configuration, warnings) = try Configuration.parse(text, file: path)
            return (configuration, text, warnings.map(Diagnostic.warning))
        } catch {
            throw .settings(error.message)
        }
    }

    /// The most a settings file (`.shipmeter.yml`, `.mailmap`) may hold.
    static let settingsLimit = 16 << 20
    /// The most one deploy log may hold (it is read whole).
    static let deployLogLimit = 1 << 30

    /// The repository's mailmap as libgit2 resolves it, unless the work tree's `.mailmap` is a
    /// symlink leading outside the repository or to something other than a file (libgit2 would
    /// follow it, and `/dev/zero` never ends): then only the committed `.mailmap` and
    /// `mailmap.file` are used.
    static func safeMailmap(_ repository: Repository, diagnostics: inout [Diagnostic]) throws -> Mailmap {
        if let root = repository.workDirectory {
            do {
                _ = try RepositoryFile.contents(".mailmap", in: root, limit: settingsLimit)
            } catch {
                diagnostics.append(.warning(".mailmap: \(error); the committed .mailmap is used instead"))
                var text = String(decoding: repository.fileContents(".mailmap") ?? [], as: UTF8.self)
                if let file = repository.configString("mailmap.file"), let extra = try? String(contentsOfFile: file, encoding: .utf8) {
                    text += "\n" + extra
                }
                return try Mailmap(text: text)
            }
        }
        return try Mailmap(repository)
    }

    /// Reads everything but history.
    public static func load(_ repository: Repository) throws(EngineError) -> RepositoryContext {
        let (configuration, text, settingsDiagnostics) = try settings(of: repository)
        var diagnostics = settingsDiagnostics
        var logs = [(name: String, text: String)]()
        let root = repository.workDirectory ?? repository.commonDirectory
        for path in configuration.deployLogs {
            // Paths were checked when the settings were parsed; symlinks are checked here.
            let text: String?
            do {
                text = try RepositoryFile.contents(path, in: root, limit: deployLogLimit)
            } catch .outside {
                throw .deployLogOutside(path: path)
            } catch {
                diagnostics.append(.warning("deploy log \(error); skipped"))
                continue
            }
            guard let text else {
                diagnostics.append(.warning("deploy log \(root)/\(path) does not exist; skipped"))
                continue
            }
            logs.append((path, text))
        }
        do {
            let mailmap = try safeMailmap(repository, diagnostics: &diagnostics)
            let people = People(configuration: configuration) { mailmap.resolve(name: $0, email: $1) }
            let codeOwnersText = RepositorySnapshot.codeOwnersText(of: repository)
            let collected = try RepositorySnapshot.collect(repository, configuration: configuration, deployLogs: logs)
            let remotes = RepositorySnapshot.remotes(of: repository)
            let gitattributes = RepositorySnapshot.gitattributes(of: repository)
            return RepositoryContext(
                repository: repository, configuration: configuration, settingsText: text, deployLogs: logs, people: people,
                codeOwnersText: codeOwnersText, codeOwners: codeOwnersText.map { CodeOwners(text: $0) }, collected: collected,
                remotes: remotes, scope: RepositoryScope(roots: repository.workDirectory.map { [$0] } ?? [], remotes: remotes),
                name: RepositorySnapshot.name(of: repository, remotes: remotes), gitattributes: gitattributes,
                changeFilter: configuration.changeFilter(gitattributes: gitattributes), diagnostics: diagnostics)
        } catch {
            throw EngineError.wrapping(error)
        }
    }

    /// Reads history too: the snapshot every history-based command works from.
    public func snapshot() throws(EngineError) -> RepositorySnapshot {
        do {
            return try RepositorySnapshot.load(
                repository, configuration: configuration, people: people, collected: collected, codeOwners: codeOwners,
                remotes: remotes, changeFilter: changeFilter)
        } catch {
            throw EngineError.wrapping(error)
        }
    }

    /// Whether the repository is a partial clone (blobs fetched on demand).
    public var isPartialClone: Bool { repository.isPartialClone }

    // MARK: - Identity

    /// Where the identity of a repository without remotes is kept (its root commit, once read).
    public static func identityCache(of repository: Repository) -> String { repository.commonDirectory + "/shipmeter/identity" }

    /// The ledger's name for this repository, when known without reading history: the first
    /// remote, else the identity a previous run cached.
    public var knownIdentity: String? {
        if let remote = scope.remotes.first { return remote }
        return Self.cachedIdentity(of: repository)
    }

    static func cachedIdentity(of repository: Repository) -> String? {
        (try? String(contentsOfFile: identityCache(of: repository), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Remembers a remote-less repository's identity (its root commit) for later runs.
    func cacheIdentity(_ identity: String) {
        guard scope.remotes.isEmpty else { return }
        let path = Self.identityCache(of: repository)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? identity.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Every identity the ledger might know this repository by.
    public static func identities(of repository: Repository) -> Set<String> {
        Set(RepositorySnapshot.remotes(of: repository).map(RepositoryScope.normalise) + [cachedIdentity(of: repository)].compactMap { $0 })
    }

    /// A digest of everything attribution depends on besides history and usage: shipmeter's
    /// rules, settings, CODEOWNERS, the environment asked for, `.gitattributes` and mailmaps.
    func settingsDigest(rulesVersion: String, environment: String?) -> String {
        var parts = [rulesVersion, settingsText ?? "", codeOwnersText ?? "", environment ?? "", gitattributes ?? ""]
        parts.append(String(decoding: repository.fileContents(".mailmap") ?? [], as: UTF8.self))
        if let root = repository.workDirectory {
            parts.append(((try? RepositoryFile.contents(".mailmap", in: root, limit: Self.settingsLimit)) ?? nil) ?? "")
        }
        parts.append(repository.configString("mailmap.file").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "")
        return StableHash.digest(parts)
    }
}

@available(*, unavailable)
extension RepositoryContext: Sendable {}
