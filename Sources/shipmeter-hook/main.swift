import CommitTagging
import Foundation

// The commit hook's own binary: session detection and trailer writing, nothing else, so a commit
// does not pay for starting the whole tool (libgit2, the ledgers, the report engine).
//
// Run two ways. `shipmeter hooks install` links the repository's `prepare-commit-msg` to it, and
// git runs it directly (no shell): it then knows it is the hook by that name, runs the hook it
// replaced first, and never fails a commit itself. The script form of the hook (`hooks install
// --script`, husky, lefthook, pre-commit) calls it as `shipmeter-hook prepare-commit-msg …`.

let usage = """
    usage: shipmeter-hook prepare-commit-msg <message-file> [<source> [<commit>]]

    Adds Assisted-by / AI-Session trailers to a commit message when the commit is made in an AI
    agent session. Called by the prepare-commit-msg hook that `shipmeter hooks install` writes;
    a repository's hooks/prepare-commit-msg may also be a link to this binary.
    """

var standardError = FileHandle.standardError
let invokedAs = CommandLine.arguments.first ?? ""
let arguments = Array(CommandLine.arguments.dropFirst())

func tag(_ messageFile: String) throws {
    try PrepareCommitMessage.run(
        messageFile: messageFile, directory: FileManager.default.currentDirectoryPath,
        environment: ProcessInfo.processInfo.environment)
}

if invokedAs == "prepare-commit-msg" || invokedAs.hasSuffix("/prepare-commit-msg") {
    // git running the linked hook: what the script form does, without a shell in between.
    let chained = ChainedHook.run(hookPath: invokedAs, arguments: arguments)
    if chained != 0 { exit(chained) }
    guard let messageFile = arguments.first else { exit(0) }
    do {
        try tag(messageFile)
    } catch {
        standardError.write(Data("shipmeter: could not tag this commit (it goes through unchanged): \(error.localizedDescription)\n".utf8))
    }
    exit(0)
}

switch arguments.first {
case "prepare-commit-msg" where (2...4).contains(arguments.count):
    do {
        try tag(arguments[1])
    } catch {
        standardError.write(Data("shipmeter-hook: \(error.localizedDescription)\n".utf8))
        exit(1)
    }
case "-h", "--help", "help":
    print(usage)
default:
    standardError.write(Data("shipmeter-hook: expected `prepare-commit-msg <message-file> [<source> [<commit>]]`\n\n\(usage)\n".utf8))
    exit(2)
}
