import CommitTagging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The commit hook's own binary: session detection and trailer writing, nothing else, so a commit
// does not pay for starting the whole tool (libgit2, the ledgers, the report engine).
//
// Run two ways. `shipmeter hooks install` links the repository's `prepare-commit-msg` to it, and
// git runs it directly (no shell): it then knows it is the hook by that name, runs the hook it
// replaced first, and never fails a commit itself. The script form of the hook (`hooks install
// --script`, husky, lefthook, pre-commit) calls it as `shipmeter-hook prepare-commit-msg …`.
//
// Neither this nor CommitTagging uses Foundation's own module (only FoundationEssentials, where
// it exists): linking Foundation brings CoreFoundation, whose start-up cost each commit about
// half a millisecond.

let usage = """
    usage: shipmeter-hook prepare-commit-msg <message-file> [<source> [<commit>]]

    Adds Assisted-by / AI-Session trailers to a commit message when the commit is made in an AI
    agent session. Called by the prepare-commit-msg hook that `shipmeter hooks install` writes;
    a repository's hooks/prepare-commit-msg may also be a link to this binary.
    """

func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    var written = 0
    while written < line.count {
        let count = line.withUnsafeBytes { write(2, $0.baseAddress! + written, line.count - written) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return }
        written += count
    }
}
// From argv directly: CommandLine.arguments costs a start-up of its own.
let invokedAs = CommandLine.unsafeArgv[0].map { String(cString: $0) } ?? ""
let arguments = (1..<max(1, Int(CommandLine.argc))).compactMap { CommandLine.unsafeArgv[$0].map { String(cString: $0) } }

func tag(_ messageFile: String) throws {
    try PrepareCommitMessage.run(
        messageFile: messageFile, directory: ProcessEnvironment.currentDirectory(), environment: ProcessEnvironment.current())
}

if invokedAs == "prepare-commit-msg" || invokedAs.hasSuffix("/prepare-commit-msg") {
    // git running the linked hook: what the script form does, without a shell in between.
    let chained = ChainedHook.run(hookPath: invokedAs, arguments: arguments)
    if chained != 0 { exit(chained) }
    guard let messageFile = arguments.first else { exit(0) }
    do {
        try tag(messageFile)
    } catch {
        printError("shipmeter: could not tag this commit (it goes through unchanged): \(PrepareCommitMessage.describe(error))")
    }
    exit(0)
}

switch arguments.first {
case "prepare-commit-msg" where (2...4).contains(arguments.count):
    do {
        try tag(arguments[1])
    } catch {
        printError("shipmeter-hook: \(PrepareCommitMessage.describe(error))")
        exit(1)
    }
case "-h", "--help", "help":
    print(usage)
default:
    printError("shipmeter-hook: expected `prepare-commit-msg <message-file> [<source> [<commit>]]`\n\n\(usage)")
    exit(2)
}
