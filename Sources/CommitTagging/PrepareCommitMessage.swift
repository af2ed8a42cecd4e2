#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the installed `prepare-commit-msg` hook does: when the commit is made in an agent
/// session, add its trailers to the message file. Quiet and quick: nothing is printed, and
/// nothing happens when disabled (`SHIPMETER_DISABLE=1`, `git config shipmeter.hooks false`).
/// Run by `shipmeter-hook` (a small binary without libgit2, the ledgers or the report engine) and
/// by `shipmeter hook prepare-commit-msg`, its fallback.
public enum PrepareCommitMessage {
    public enum Failure: Error, LocalizedError {
        case unreadableMessage(String)
        case unwritableMessage(String, String)

        public var errorDescription: String? {
            switch self {
            case .unreadableMessage(let path): return "cannot read the commit message \(path)"
            case .unwritableMessage(let path, let reason): return "cannot write the commit message \(path): \(reason)"
            }
        }
    }

    /// What went wrong, in the words of the error's description.
    public static func describe(_ error: any Error) -> String {
        (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }

    /// Adds the session's trailers to `messageFile` (relative to `directory`, the repository's).
    public static func run(messageFile: String, directory: String, environment: [String: String]) throws {
        if environment["SHIPMETER_DISABLE"] == "1" { return }
        let settings = HookSettings.load(directory: directory, environment: environment)
        guard settings.enabled else { return }
        let detector = SessionDetector(
            environment: environment, workTree: settings.workTree,
            ancestry: ProcessAncestry.current(), recentWindow: settings.recentMinutes * 60)
        guard let session = detector.detect() else { return }
        let path = messageFile.hasPrefix("/") ? messageFile : directory + "/" + messageFile
        guard let data = LocalFile.read(path) else { throw Failure.unreadableMessage(path) }
        guard
            let updated = CommitMessage.adding(
                session.trailers, to: String(decoding: data, as: UTF8.self),
                commentCharacter: settings.commentCharacter)
        else { return }
        if let reason = LocalFile.replace(path, with: Array(updated.utf8)) { throw Failure.unwritableMessage(path, reason) }
    }
}
