import Attribution
import Foundation
import GitKit
import Usage

/// Everything read from one repository for attribution: settings, people, history,
/// deployments. Built once per command.
struct Analysis {
    let repo: Repository
    let settings: Settings
    let people: People
    let history: History
    let timeline: DeploymentTimeline
    let codeOwners: CodeOwners?
    let name: String
    let scope: RepositoryScope

    static func load(_ repo: Repository) throws -> Analysis {
        let settings = try Settings.load(for: repo)
        let configuration = settings.configuration
        let mailmap = try Mailmap(repo)
        let people = People(configuration: configuration) { mailmap.resolve(name: $0, email: $1) }

        let tags = try repo.tags()
        var tips = [ObjectID]()
        if let head = try repo.head() { tips.append(head) }
        for glob in ["refs/heads/*", "refs/remotes/*"] {
            tips += try repo.references(matching: glob).compactMap { try? repo.resolveCommit($0.name) }
        }
        tips += tags.compactMap(\.commit)

        // Deploy logs name commits by (possibly abbreviated) id; resolve them before loading.
        var logDeployments = [Deployment]()
        for path in configuration.deployLogs {
            let full = path.hasPrefix("/") ? path : (settings.root ?? repo.commonDirectory) + "/" + path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                Output.diagnostic("warning: deploy log \(full) cannot be read; skipped")
                continue
            }
            let (entries, problems) = DeploymentSources.parseLog(text, name: path)
            for problem in problems { Output.diagnostic("warning: \(problem)") }
            for entry in entries {
                guard let commit = try? repo.resolveCommit(entry.revision) else {
                    Output.diagnostic("warning: \(path):\(entry.line): \(entry.revision) is not a commit in this repository; skipped")
                    continue
                }
                tips.append(commit)
                logDeployments.append(Deployment(
                    environment: entry.environment, id: entry.id ?? "\(entry.environment)@\(commit.short())@\(Int(entry.time.timeIntervalSince1970))",
                    ref: entry.revision, commit: commit, time: entry.time, status: entry.status))
            }
        }

        let history = try History.load(repo, tips: Array(Set(tips)), people: people, detector: configuration.aiDetector)
        let graph = history.graph
        let (tagDeployments, notes) = DeploymentSources.fromTags(tags, patterns: configuration.deployTagPatterns) { commit in
            graph.number(of: commit).map { graph.committerTimes[$0].date }
        }
        for note in notes { Output.diagnostic("note: \(note)") }
        let timeline = DeploymentTimeline(graph: graph, deployments: tagDeployments + logDeployments)
        for note in timeline.notes { Output.diagnostic("warning: \(note)") }

        var codeOwners: CodeOwners?
        for location in CodeOwners.locations {
            if let bytes = repo.fileContents(location) {
                codeOwners = CodeOwners(text: String(decoding: bytes, as: UTF8.self))
                break
            }
        }
        let remotes = ["origin", "upstream"].compactMap(repo.remoteURL)
        var roots = [String]()
        if let root = repo.workDirectory { roots.append(root) }
        return Analysis(
            repo: repo, settings: settings, people: people, history: history, timeline: timeline,
            codeOwners: codeOwners, name: Self.name(of: repo, remotes: remotes),
            scope: RepositoryScope(roots: roots, remotes: remotes))
    }

    /// `acme/app` from the origin remote, else the work tree's folder name.
    static func name(of repo: Repository, remotes: [String]) -> String {
        if let remote = remotes.first {
            let parts = RepositoryScope.normalise(remote).split(separator: "/")
            if parts.count >= 3 { return parts.suffix(2).joined(separator: "/") }
            if let last = parts.last { return String(last) }
        }
        let folder = repo.workDirectory ?? repo.commonDirectory
        let last = URL(fileURLWithPath: folder).lastPathComponent
        return last == ".git" ? URL(fileURLWithPath: folder).deletingLastPathComponent().lastPathComponent : last
    }
}

