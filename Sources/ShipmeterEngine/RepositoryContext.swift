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
    public static func settings(of repository: Repository) throws(EngineError) -> (configuration: Configuration, text: String?, diagnostics: [Diagnostic]) {
        guard let root = repository.workDirectory else { return (Configuration(), nil, []) }
        let path = root + "/.shipmeter.yml"
        guard FileManager.default.fileExists(atPath: path) else { return (Configuration(), nil, []) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .io(path: path, detail: error.localizedDescription)
        }
        do {
            let (configuration, warnings) = try Configuration.parse(text, file: path)
            return (configuration, text, warnings.map(Diagnostic.warning))
        } catch {
            throw .invalidInput("\(error.message). Fix the file or remove the setting.")
        }
    }

    /// Reads everything but history.
    public static func load(_ repository: Repository) throws(EngineError) -> RepositoryContext {
        let (configuration, text, settingsDiagnostics) = try settings(of: repository)
        var diagnostics = settingsDiagnostics
        var logs = [(name: String, text: String)]()
        for path in configuration.deployLogs {
            let full = path.hasPrefix("/") ? path : (repository.workDirectory ?? repository.commonDirectory) + "/" + path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                diagnostics.append(.warning("deploy log \(full) cannot be read; skipped"))
                continue
            }
            logs.append((path, text))
        }
        do {
            let mailmap = try Mailmap(repository)
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
        if let root = repository.workDirectory { parts.append((try? String(contentsOfFile: root + "/.mailmap", encoding: .utf8)) ?? "") }
        parts.append(repository.configString("mailmap.file").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "")
        return StableHash.digest(parts)
    }
}

@available(*, unavailable)
extension RepositoryContext: Sendable {}
