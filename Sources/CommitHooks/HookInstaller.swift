@_exported import CommitTagging
import Foundation
import GitKit

/// Installs, removes and reports shipmeter's `prepare-commit-msg` hook in the hooks folder git
/// really uses. A foreign hook already there is kept and chained (it runs first, and its exit
/// status is respected); uninstalling puts it back byte for byte.
///
/// The hook takes one of two forms. A symbolic link to `shipmeter-hook`, which git runs directly:
/// no shell starts, so a commit pays only for that small binary (it runs the chained hook itself).
/// Or the POSIX sh script of `HookScript`, which finds shipmeter on `PATH` at each commit: it
/// survives shipmeter moving or being removed, and costs a shell per commit.
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

    /// Whether the hooks folder lies inside the work tree (`core.hooksPath` such as `.githooks`),
    /// where hooks are usually committed and shared: a link to one machine's binary has no place
    /// there, the script (which finds shipmeter on each machine's PATH) does.
    public var hooksFolderIsInWorkTree: Bool {
        guard let work = repository.workDirectory else { return false }
        func standard(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        func inside(_ folder: String, _ parent: String) -> Bool { folder == parent || folder.hasPrefix(parent + "/") }
        let folder = standard(hooksDirectory)
        // `.git/hooks` lies under the work tree's folder but is not part of it.
        return inside(folder, standard(work)) && !inside(folder, standard(repository.commonDirectory))
            && !inside(folder, standard(repository.gitDirectory))
    }
    var chainedPath: String { hookPath + ChainedHook.suffix }

    /// The two forms of shipmeter's hook.
    public enum Form: Equatable, Sendable {
        /// A symbolic link to this `shipmeter-hook` binary.
        case link(String)
        /// The sh script.
        case script
    }

    /// The name a linked hook's target has.
    public static let binaryName = "shipmeter-hook"

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

    /// Whether anything is at `path`, a dangling link included.
    static func isPresent(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    /// The form of shipmeter's hook at `path`; nil when what is there (if anything) is not ours.
    /// A link is ours when it points to a file named `shipmeter-hook`, whether or not that exists.
    static func installedForm(at path: String) -> Form? {
        if let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            if (destination as NSString).lastPathComponent == binaryName { return .link(destination) }
        }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).contains(HookScript.marker) ? .script : nil
    }

    /// Whether the hook at `path` is `form` as this version installs it (the script byte for byte).
    static func isCurrent(_ path: String, _ form: Form) -> Bool {
        switch form {
        case .link: return installedForm(at: path) == form
        case .script:
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil
                && FileManager.default.contents(atPath: path) == Data(HookScript.prepareCommitMessage.utf8)
        }
    }

    /// Installs `form` (replacing shipmeter's hook of the other form or an older version), and
    /// records `executablePath` as `shipmeter.path` for script hooks run where it is not on PATH.
    public func install(_ form: Form, executablePath: String?) throws -> Outcome {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: hooksDirectory, withIntermediateDirectories: true)
        } catch {
            throw Failure.io("cannot create \(hooksDirectory): \(error.localizedDescription)")
        }
        var chained = manager.fileExists(atPath: chainedPath)
        if Self.isPresent(hookPath) {
            if Self.installedForm(at: hookPath) != nil {
                if Self.isCurrent(hookPath, form) {
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
            if Self.isPresent(temporary) { try manager.removeItem(atPath: temporary) }
            switch form {
            case .link(let binary):
                try manager.createSymbolicLink(atPath: temporary, withDestinationPath: binary)
            case .script:
                try Data(HookScript.prepareCommitMessage.utf8).write(to: URL(fileURLWithPath: temporary))
                try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            }
            // rename(2) replaces what is there in one step: git never finds no hook, or half of one.
            guard rename(temporary, hookPath) == 0 else { throw Failure.io(String(cString: strerror(errno))) }
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
        guard Self.installedForm(at: hookPath) != nil else { return .notInstalled }
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
        /// Which form is installed (nil when shipmeter's hook is not).
        public var form: Form?
        /// The script is this version's, or the link's target is there to run.
        public var upToDate: Bool
        public var chainedHook: String?
        public var foreignHook: Bool
        public var disabledByConfig: Bool
    }

    public func status() -> Status {
        let manager = FileManager.default
        let present = Self.isPresent(hookPath)
        let form = Self.installedForm(at: hookPath)
        let upToDate: Bool
        switch form {
        case .link(let binary):
            let target = binary.hasPrefix("/") ? binary : hooksDirectory + "/" + binary
            upToDate = manager.isExecutableFile(atPath: target)
        case .script: upToDate = Self.isCurrent(hookPath, .script)
        case nil: upToDate = false
        }
        return Status(
            hooksDirectory: hooksDirectory, installed: form != nil, form: form, upToDate: upToDate,
            chainedHook: manager.fileExists(atPath: chainedPath) ? chainedPath : nil,
            foreignHook: present && form == nil,
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
