import Foundation
import GitKit

/// What the installed `prepare-commit-msg` hook does: when the commit is made in an agent
/// session, add its trailers to the message file. Quiet and quick: nothing is printed, and
/// nothing happens when disabled (`SHIPMETER_DISABLE=1`, `git config shipmeter.hooks false`).
public enum PrepareCommitMessage {
    public enum Failure: Error, LocalizedError {
        case unreadableMessage(String)

        public var errorDescription: String? {
            switch self {
            case .unreadableMessage(let path): return "cannot read the commit message \(path)"
            }
        }
    }

    /// Adds the session's trailers to `messageFile` (relative to `directory`, the repository's).
    public static func run(messageFile: String, directory: String, environment: [String: String]) throws {
        if environment["SHIPMETER_DISABLE"] == "1" { return }
        let repo = try Repository(discovering: directory)
        let config = repo.configStrings(["shipmeter.hooks", "shipmeter.recentMinutes", "core.commentChar"])
        if let enabled = config["shipmeter.hooks"], ["false", "no", "off", "0"].contains(enabled.lowercased()) { return }
        let minutes = Double(config["shipmeter.recentMinutes"] ?? "") ?? 30
        let detector = SessionDetector(
            environment: environment, workTree: repo.workDirectory ?? directory,
            ancestry: ProcessAncestry.current(), recentWindow: minutes * 60)
        guard let session = detector.detect() else { return }
        let path = messageFile.hasPrefix("/") ? messageFile : directory + "/" + messageFile
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.unreadableMessage(path) }
        let comment = config["core.commentChar"].flatMap { $0.count == 1 ? $0.first : nil } ?? "#"
        guard let updated = CommitMessage.adding(session.trailers, to: String(decoding: data, as: UTF8.self), commentCharacter: comment) else { return }
        try Data(updated.utf8).write(to: URL(fileURLWithPath: path))
    }
}
