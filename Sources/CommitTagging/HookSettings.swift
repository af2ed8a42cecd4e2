#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the commit hook needs from git, found without libgit2 (whose start-up alone costs more
/// than the hook's budget): the work tree, by walking up to the folder holding `.git`, and three
/// settings from one `git config` run, which reads every config file git would (system, global,
/// the repository's, includes). That run is skipped when the files git would read are known and
/// none of them names one of the three settings (the usual case: the defaults then hold).
/// Anything unreadable leaves the defaults: the hook fails open.
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
    public static func load(directory: String, environment: [String: String] = ProcessEnvironment.current()) -> HookSettings {
        var settings = HookSettings(workTree: workTreeRoot(from: directory))
        if let files = configFiles(workTree: settings.workTree, environment: environment), !files.contains(where: mentionsSettings) {
            return settings
        }
        settings.apply(gitConfig(in: directory))
        return settings
    }

    static let keys: Set<String> = ["hooks", "recentminutes", "commentchar"]

    /// The config files `git config` would read for this work tree, when they are certain: git's
    /// system file from its exec path (which git gives hooks as `GIT_EXEC_PATH`), the global files,
    /// the repository's. Nil — ask git — for anything less plain: no exec path, `-c` settings naming
    /// ours, a linked worktree, an unreadable file; and off Linux, where system config varies.
    public static func configFiles(workTree: String, environment: [String: String]) -> [String]? {
        #if os(Linux)
        if let parameters = environment["GIT_CONFIG_PARAMETERS"]?.lowercased(),
            keys.contains(where: { parameters.contains($0) })
        {
            return nil
        }
        if let count = environment["GIT_CONFIG_COUNT"], !count.isEmpty, count != "0" { return nil }
        var files = [String]()
        if !["1", "true", "yes"].contains(environment["GIT_CONFIG_NOSYSTEM"]?.lowercased() ?? "") {
            if let system = environment["GIT_CONFIG_SYSTEM"] {
                files.append(system)
            } else {
                guard let exec = environment["GIT_EXEC_PATH"] else { return nil }
                var prefix: String?
                for tail in ["/lib/git-core", "/libexec/git-core"] where exec.hasSuffix(tail) { prefix = String(exec.dropLast(tail.count)) }
                guard let prefix else { return nil }
                files.append(prefix == "/usr" ? "/etc/gitconfig" : prefix + "/etc/gitconfig")
            }
        }
        if let global = environment["GIT_CONFIG_GLOBAL"] {
            files.append(global)
        } else {
            guard let home = environment["HOME"] else { return nil }
            let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            files += [xdg + "/git/config", home + "/.gitconfig"]
        }
        let gitDirectory = environment["GIT_DIR"].map { $0.hasPrefix("/") ? $0 : workTree + "/" + $0 } ?? workTree + "/.git"
        guard LocalFile.isFolder(gitDirectory) else { return nil }
        files += [gitDirectory + "/config", gitDirectory + "/config.worktree"]
        return files
        #else
        return nil
        #endif
    }

    /// Whether a config file may set one of the three settings or pull in another file: a line
    /// whose key (after any `[section]` on the same line) is one of them, or an include. Missing
    /// files say nothing; a file that exists but cannot be read may say anything.
    static func mentionsSettings(_ path: String) -> Bool {
        guard access(path, F_OK) == 0 else { return false }
        guard let data = LocalFile.read(path) else { return true }
        return mentionsSettings(config: data)
    }

    /// The same for a config file's bytes (read as bytes: String's Foundation methods cost the
    /// hook more than the files' size suggests).
    public static func mentionsSettings(config bytes: [UInt8]) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 }
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            var index = line.startIndex
            while index < line.endIndex, isSpace(line[index]) { index += 1 }
            if index < line.endIndex, line[index] == UInt8(ascii: "[") {
                let header = line[(index + 1)...].prefix(7).map(lower)
                if header == Array("include".utf8) { return true }
                guard let close = line[index...].firstIndex(of: UInt8(ascii: "]")) else { continue }
                index = close + 1
                while index < line.endIndex, isSpace(line[index]) { index += 1 }
            }
            var key = [UInt8]()
            while index < line.endIndex,
                line[index] == UInt8(ascii: "-") || (48...57).contains(line[index]) || (65...90).contains(line[index])
                    || (97...122).contains(line[index])
            {
                key.append(lower(line[index]))
                index += 1
            }
            while index < line.endIndex, isSpace(line[index]) { index += 1 }
            let ends = index == line.endIndex || [UInt8(ascii: "="), UInt8(ascii: "#"), UInt8(ascii: ";")].contains(line[index])
            if ends, keys.contains(String(decoding: key, as: UTF8.self)) { return true }
        }
        return false
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
        // Plain string work (no URL standardising): the hook runs this on every commit.
        var folder = directory.hasPrefix("/") ? directory : ProcessEnvironment.currentDirectory() + "/" + directory
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        while true {
            if access((folder == "/" ? "" : folder) + "/.git", F_OK) == 0 { return folder }
            guard folder != "/", let slash = folder.lastIndex(of: "/") else { return directory }
            folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
        }
    }

    /// `git config -z --get-regexp` for the three keys, run in `directory`; empty on any failure.
    static func gitConfig(in directory: String) -> [UInt8] {
        let arguments = [
            "git", "-C", directory, "config", "-z", "--get-regexp",
            #"^(shipmeter\.hooks|shipmeter\.recentminutes|core\.commentchar)$"#,
        ]
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
        defer { for pointer in argv { free(pointer) } }
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
