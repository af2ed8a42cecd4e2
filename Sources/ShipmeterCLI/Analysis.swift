import Attribution
import Foundation
import GitKit

extension RepositorySnapshot {
    /// Reads `.shipmeter.yml` and the deploy logs it names, loads the repository, and prints
    /// what was skipped to stderr.
    static func open(_ repo: Repository) throws -> RepositorySnapshot {
        let settings = try Settings.load(for: repo)
        var logs = [(name: String, text: String)]()
        for path in settings.configuration.deployLogs {
            let full = path.hasPrefix("/") ? path : (settings.root ?? repo.commonDirectory) + "/" + path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                Output.diagnostic("warning: deploy log \(full) cannot be read; skipped")
                continue
            }
            logs.append((path, text))
        }
        let snapshot = try RepositorySnapshot.load(repo, configuration: settings.configuration, deployLogs: logs)
        for note in snapshot.notes { Output.diagnostic("note: \(note)") }
        return snapshot
    }
}
