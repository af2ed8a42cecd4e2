import CommitTagging
import Foundation

// The commit hook's own binary: session detection and trailer writing, nothing else, so a commit
// does not pay for starting the whole tool (libgit2, the ledgers, the report engine). The hook
// script calls it when it is installed beside `shipmeter`, else `shipmeter hook prepare-commit-msg`.

let usage = """
    usage: shipmeter-hook prepare-commit-msg <message-file> [<source> [<commit>]]

    Adds Assisted-by / AI-Session trailers to a commit message when the commit is made in an AI
    agent session. Called by the prepare-commit-msg hook that `shipmeter hooks install` writes.
    """

var standardError = FileHandle.standardError
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "prepare-commit-msg" where (2...4).contains(arguments.count):
    do {
        try PrepareCommitMessage.run(
            messageFile: arguments[1], directory: FileManager.default.currentDirectoryPath,
            environment: ProcessInfo.processInfo.environment)
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
