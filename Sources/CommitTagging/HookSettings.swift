import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the commit hook needs from git, found without libgit2 (whose start-up alone costs more
/// than the hook's budget): the work tree, by walking up to the folder holding `.git`, and three
/// settings from one `git config` run, which reads every config file git would (system, global,
/// the repository's, includes). Anything unreadable leaves the defaults: the hook fails open.
public struct HookSettings: Equatable, Sendable {
    /// `shipmeter.hooks` (false, no, off or 0 turn the hook off).
    public var enabled = true
    /// `shipmeter.recentMinutes`: how recent a transcript must be to name the commit's session.
    public var recentMinutes: Double = 30
    /// `core.commentChar`, when it is one character.
    public var commentCharacter: Character = "#"
    /// The root of the work tree the commit is made in.
    public var workTree: String

    public init(workTree: String) {
        self.workTree = workTree
    }

    /// The settings for a commit made in `directory` (git runs hooks at the work tree's root).
    public static func load(directory: String) -> HookSettings {
        var settings = HookSettings(workTree: workTreeRoot(from: directory))
        settings.apply(gitConfig(in: directory))
        return settings
    }

    /// Applies `git config -z --get-regexp` output: `key\nvalue\0` per entry, later ones winning.
    public mutating func apply(_ output: [UInt8]) {
        for entry in output.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let newline = text.firstIndex(of: "\n") else { continue }
            let key = text[..<newline].lowercased()
            let value = String(text[text.index(after: newline)...])
            switch key {
            case "shipmeter.hooks":
                enabled = !["false", "no", "off", "0"].contains(value.lowercased())
            case "shipmeter.recentminutes":
                if let minutes = Double(value), minutes.isFinite, minutes >= 0 { recentMinutes = minutes }
            case "core.commentchar":
                commentCharacter = value.count == 1 ? value.first! : "#"
            default:
                break
            }
        }
    }

    /// The nearest folder at or above `directory` holding `.git` (a folder, or a file for linked
    /// worktrees and submodules); `directory` itself when there is none.
    static func workTreeRoot(from directory: String) -> String {
        var folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            if access(folder + "/.git", F_OK) == 0 { return folder }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return directory }
            folder = parent
        }
    }

    /// `git config -z --get-regexp` for the three keys, run in `directory`; empty on any failure.
    static func gitConfig(in directory: String) -> [UInt8] {
        let arguments = ["git", "-C", directory, "config", "-z", "--get-regexp",
                         #"^(shipmeter\.hooks|shipmeter\.recentminutes|core\.commentchar)$"#]
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return [] }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawnp(&child, "git", &actions, nil, argv, environ)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { return [] }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count > 0 {
                output.append(contentsOf: buffer[..<count])
                if output.count > 1 << 20 { break }
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        return output
    }
}
