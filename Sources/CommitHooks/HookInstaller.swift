@_exported import CommitTagging
import Foundation
import GitKit

/// Installs, removes and reports shipmeter's `prepare-commit-msg` hook in the hooks folder git
/// really uses. A foreign hook already there is kept and chained (it runs first, and its exit
/// status is respected); uninstalling puts it back byte for byte.
public struct HookInstaller {
    public let hooksDirectory: String
    let repository: Repository

    public init(_ repository: Repository) {
        self.repository = repository
        hooksDirectory = Self.hooksDirectory(of: repository)
    }

    /// `core.hooksPath` (relative to the work tree) when set, else the common dir's `hooks/`,
    /// which linked worktrees share.
    public static func hooksDirectory(of repository: Repository) -> String {
        if var configured = repository.configString("core.hooksPath"), !configured.isEmpty {
            if configured.hasPrefix("~/") { configured = NSHomeDirectory() + configured.dropFirst(1) }
            if configured.hasPrefix("/") { return configured }
            return (repository.workDirectory ?? repository.commonDirectory) + "/" + configured
        }
        return repository.commonDirectory + "/hooks"
    }

    var hookPath: String { hooksDirectory + "/prepare-commit-msg" }
    var chainedPath: String { hookPath + HookScript.chainedSuffix }

    public enum Outcome: Equatable, Sendable {
        case installed(chained: Bool)
        case alreadyInstalled
        case removed(restored: Bool)
        case notInstalled
    }

    public enum Failure: Error, LocalizedError {
        case io(String)
        public var errorDescription: String? {
            switch self {
            case .io(let message): return message
            }
        }
    }

    func isOurs(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return String(decoding: data, as: UTF8.self).contains(HookScript.marker)
    }

    public func install(executablePath: String?) throws -> Outcome {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: hooksDirectory, withIntermediateDirectories: true)
        } catch {
            throw Failure.io("cannot create \(hooksDirectory): \(error.localizedDescription)")
        }
        var chained = manager.fileExists(atPath: chainedPath)
        if manager.fileExists(atPath: hookPath) || (try? manager.destinationOfSymbolicLink(atPath: hookPath)) != nil {
            if isOurs(hookPath) {
                if manager.contents(atPath: hookPath) == Data(HookScript.prepareCommitMessage.utf8) {
                    try rememberExecutable(executablePath)
                    return .alreadyInstalled
                }
            } else {
                guard !chained else {
                    throw Failure.io("\(hookPath) is not shipmeter's and \(chainedPath) already exists; move one of them away first")
                }
                do {
                    try manager.moveItem(atPath: hookPath, toPath: chainedPath)
                } catch {
                    throw Failure.io("cannot keep the existing hook as \(chainedPath): \(error.localizedDescription)")
                }
                chained = true
            }
        }
        let temporary = hookPath + ".shipmeter-new"
        do {
            try Data(HookScript.prepareCommitMessage.utf8).write(to: URL(fileURLWithPath: temporary))
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            if manager.fileExists(atPath: hookPath) { try manager.removeItem(atPath: hookPath) }
            try manager.moveItem(atPath: temporary, toPath: hookPath)
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw Failure.io("cannot write \(hookPath): \(error.localizedDescription)")
        }
        try rememberExecutable(executablePath)
        return .installed(chained: chained)
    }

    /// Records where this shipmeter is, for hooks run where it is not on PATH.
    func rememberExecutable(_ path: String?) throws {
        guard let path else { return }
        try repository.setConfigString("shipmeter.path", path)
    }

    public func uninstall() throws -> Outcome {
        let manager = FileManager.default
        guard manager.fileExists(atPath: hookPath), isOurs(hookPath) else { return .notInstalled }
        do {
            try manager.removeItem(atPath: hookPath)
            if manager.fileExists(atPath: chainedPath) {
                try manager.moveItem(atPath: chainedPath, toPath: hookPath)
                return .removed(restored: true)
            }
        } catch {
            throw Failure.io("cannot restore \(hookPath): \(error.localizedDescription)")
        }
        return .removed(restored: false)
    }

    public struct Status: Sendable {
        public var hooksDirectory: String
        public var installed: Bool
        public var upToDate: Bool
        public var chainedHook: String?
        public var foreignHook: Bool
        public var disabledByConfig: Bool
    }

    public func status() -> Status {
        let manager = FileManager.default
        let present = manager.fileExists(atPath: hookPath)
        let ours = present && isOurs(hookPath)
        return Status(
            hooksDirectory: hooksDirectory, installed: ours,
            upToDate: ours && manager.contents(atPath: hookPath) == Data(HookScript.prepareCommitMessage.utf8),
            chainedHook: manager.fileExists(atPath: chainedPath) ? chainedPath : nil,
            foreignHook: present && !ours,
            disabledByConfig: repository.configBool("shipmeter.hooks") == false)
    }
}

extension HookInstaller.Status {
    /// What the last commit recorded: its abbreviated id and its `Assisted-by` / `AI-Session`
    /// trailers; nil before the first commit.
    public static func lastCommit(of repository: Repository) -> (id: String, trailers: [(key: String, value: String)])? {
        guard let head = try? repository.head(), let commit = try? repository.commit(head) else { return nil }
        let recorded = commit.trailers.filter { ["assisted-by", "ai-session"].contains($0.key.lowercased()) }
        return (head.short(), recorded.map { ($0.key, $0.value) })
    }
}
