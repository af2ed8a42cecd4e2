import ArgumentParser
import CommitHooks
import Foundation
import ShipmeterEngine

/// Agents whose own settings `hooks install --agent` can hook into (others are detected from
/// their environment).
enum HookedAgent: String, ExpressibleByArgument, CaseIterable {
    case claudeCode = "claude-code"
}

extension Shipmeter {
    struct Hooks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install, remove or inspect the commit hook that tags AI-assisted commits.",
            subcommands: [Install.self, Uninstall.self, Status.self]
        )

        struct Install: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Install the prepare-commit-msg hook (an existing hook is kept and runs first).")

            @OptionGroup var repository: RepositoryOptions

            @Option(
                help: ArgumentHelp(
                    "Also hook into an agent: claude-code adds a SessionStart hook to your Claude Code settings that names the session exactly.",
                    valueName: "agent"))
            var agent: HookedAgent?

            @Flag(
                help: """
                    Write the hook as a POSIX sh script that finds shipmeter on PATH at each commit, instead of a link to the \
                    shipmeter-hook binary beside this shipmeter: it keeps working if shipmeter moves, and costs a shell per commit. \
                    The script is always written to a hooks folder inside the work tree (core.hooksPath such as .githooks), where \
                    hooks are shared.
                    """)
            var script = false

            func run() async throws {
                let repo = try repository.open()
                let installer = HookInstaller(repo)
                let shared = installer.hooksFolderIsInWorkTree
                let binary = script || shared ? nil : Executable.hookBinary
                let form: HookInstaller.Form = binary.map { .link($0) } ?? .script
                switch try installer.install(form, executablePath: Executable.path) {
                case .installed(let chained):
                    Output.write(
                        "installed \(installer.hooksDirectory)/prepare-commit-msg" + (chained ? " (your existing hook is kept and runs first)" : ""))
                case .alreadyInstalled:
                    Output.write("already installed in \(installer.hooksDirectory); nothing changed")
                default:
                    break
                }
                if let binary {
                    Output.write("commits are tagged by \(binary), which git runs directly (the hook links to it)")
                } else {
                    let why =
                        script
                        ? ""
                        : shared
                            ? "the hooks folder is inside the work tree (shared), so the hook is a script; "
                            : "no shipmeter-hook beside this shipmeter, so the hook is a script; "
                    Output.write(why + "commits are tagged by " + Status.tagger(recorded: repo.configString("shipmeter.path")))
                }
                if agent == .claudeCode {
                    let settings = ClaudeSettings(environment: ProcessInfo.processInfo.environment)
                    let added = try settings.addSessionStartHook()
                    Output.write(
                        added ? "added a SessionStart hook to \(settings.path)" : "\(settings.path) already has shipmeter's SessionStart hook")
                }
            }
        }

        struct Uninstall: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove the hook and put back any hook it had kept.")

            @OptionGroup var repository: RepositoryOptions

            @Option(help: ArgumentHelp("Also remove the SessionStart hook from this agent's settings (claude-code).", valueName: "agent"))
            var agent: HookedAgent?

            func run() async throws {
                let installer = HookInstaller(try repository.open())
                switch try installer.uninstall() {
                case .removed(let restored):
                    Output.write("removed the hook from \(installer.hooksDirectory)" + (restored ? "; your previous hook is back in place" : ""))
                default:
                    Output.write("no shipmeter hook in \(installer.hooksDirectory); nothing changed")
                }
                if agent == .claudeCode {
                    let settings = ClaudeSettings(environment: ProcessInfo.processInfo.environment)
                    if try settings.removeSessionStartHook() { Output.write("removed the SessionStart hook from \(settings.path)") }
                }
            }
        }

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Say what is installed, what is chained, and what the last commit recorded.")

            @OptionGroup var repository: RepositoryOptions

            func run() async throws {
                let repo = try repository.open()
                let status = HookInstaller(repo).status()
                var lines = ["hooks folder: \(status.hooksDirectory)"]
                switch status.form {
                case .link(let binary)?:
                    lines.append(
                        "prepare-commit-msg: shipmeter's, a link to \(binary)"
                            + (status.upToDate
                                ? ""
                                : ", which is missing: commits go through untagged and a chained hook does not run (run shipmeter hooks install)"))
                case .script?:
                    lines.append("prepare-commit-msg: shipmeter's" + (status.upToDate ? "" : " (an older version: run shipmeter hooks install)"))
                case nil where status.foreignHook:
                    lines.append("prepare-commit-msg: another tool's hook (shipmeter's would keep it and run it first)")
                case nil:
                    lines.append("prepare-commit-msg: not installed (run shipmeter hooks install)")
                }
                lines.append("chained hook: \(status.chainedHook ?? "none")")
                if case .link(let binary)? = status.form {
                    lines.append("tags commits with: \(binary)")
                } else {
                    lines.append("tags commits with: " + Self.tagger(recorded: repo.configString("shipmeter.path")))
                }
                if status.disabledByConfig { lines.append("disabled by git config shipmeter.hooks=false") }
                if ProcessInfo.processInfo.environment["SHIPMETER_DISABLE"] == "1" { lines.append("disabled in this shell by SHIPMETER_DISABLE=1") }
                let settings = ClaudeSettings(environment: ProcessInfo.processInfo.environment)
                lines.append("Claude Code SessionStart hook: " + (settings.hasSessionStartHook() ? "installed (\(settings.path))" : "not installed"))
                if let last = HookInstaller.Status.lastCommit(of: repo) {
                    lines.append(
                        "last commit \(last.id): "
                            + (last.trailers.isEmpty ? "no AI trailers" : last.trailers.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))
                }
                Output.write(lines.joined(separator: "\n"))
            }

            /// What the hook script will run, found as it finds it: shipmeter on PATH, else the
            /// recorded path; shipmeter-hook beside it when there is one.
            static func tagger(recorded: String?) -> String {
                let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
                let onPath = path.split(separator: ":").map { "\($0)/shipmeter" }.first { FileManager.default.isExecutableFile(atPath: $0) }
                guard let shipmeter = onPath ?? recorded.flatMap({ FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }) else {
                    return "nothing: shipmeter is not on PATH and no recorded path works (commits go through untagged)"
                }
                let beside = (shipmeter as NSString).deletingLastPathComponent + "/shipmeter-hook"
                if FileManager.default.isExecutableFile(atPath: beside) { return beside }
                return
                    "\(shipmeter) hook prepare-commit-msg (no shipmeter-hook beside it: each commit pays for starting shipmeter; make install puts one there)"
            }
        }
    }

    /// What the installed hooks call. Not for direct use.
    struct Hook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Entry points for the installed hooks.", shouldDisplay: false,
            subcommands: [PrepareCommitMessage.self, SessionStart.self])

        struct PrepareCommitMessage: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "prepare-commit-msg", abstract: "Add AI-session trailers to a commit message file.")

            @Argument var messageFile: String
            @Argument var source: String?
            @Argument var commit: String?

            func run() async throws {
                try CommitHooks.PrepareCommitMessage.run(
                    messageFile: messageFile, directory: FileManager.default.currentDirectoryPath,
                    environment: ProcessInfo.processInfo.environment)
            }
        }

        struct SessionStart: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "session-start", abstract: "Claude Code SessionStart hook: export the session id.")

            func run() async throws {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                _ = ClaudeSettings.sessionStart(input: input, environment: ProcessInfo.processInfo.environment)
            }
        }
    }
}

enum Executable {
    /// The absolute path of this binary, recorded for hooks run where it is not on PATH.
    static var path: String? {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        #endif
        let argument = CommandLine.arguments.first ?? ""
        guard argument.contains("/") else { return nil }
        return URL(fileURLWithPath: argument).standardizedFileURL.path
    }

    /// This shipmeter as it was started: the path given, or the one `PATH` led to, with links
    /// kept (`/usr/local/bin/shipmeter`, not the versioned folder a package manager links into).
    static var invokedPath: String? {
        let argument = CommandLine.arguments.first ?? ""
        if argument.contains("/") {
            return argument.hasPrefix("/") ? argument : FileManager.default.currentDirectoryPath + "/" + argument
        }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: false)
        return folders.map { ($0.isEmpty ? "." : String($0)) + "/" + argument }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `shipmeter-hook` beside this shipmeter, which a linked hook points to: beside the
    /// path it was started as first, so the hook survives upgrades that replace the files there.
    static var hookBinary: String? {
        [invokedPath, path].compactMap { $0 }.map {
            (URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path) + "/" + HookInstaller.binaryName
        }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
