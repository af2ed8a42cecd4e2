// Timing harness for GitKit, driven by scripts/bench-walk (which times `git` beside it).
//   shipmeter-bench walk REPO              every commit of branches and tags: author, times, trailers
//   shipmeter-bench walk-libgit2 REPO      the same through libgit2's revwalk and commit lookup
//   shipmeter-bench ranges REPO T1 T2 …    commit counts of T1..T2, T2..T3, … from one graph load
//   shipmeter-bench diffs REPO             changed lines of every commit
//   shipmeter-bench render                 every report format for 200 teams, 5,000 deployments, 52 weeks
import Attribution
import Foundation
import GitKit
import Reporting
import Usage

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// A report as large as a big organisation's year: 200 teams, 5,000 deployments, 52 weeks.
func largeReport() -> Report {
    var random = SystemRandomNumberGenerator()
    let start = Date(timeIntervalSince1970: 1_767_225_600)
    func metrics(_ key: String) -> GroupMetrics {
        var group = GroupMetrics(key: key)
        var record = UsageRecord(
            source: "jsonl", key: key, timestamp: start, model: "m", input: Int64.random(in: 1...9_000_000, using: &random),
            output: Int64.random(in: 1...900_000, using: &random), costUSD: Decimal(Int.random(in: 1...90_000, using: &random)))
        record.cacheRead = Int64.random(in: 0...90_000_000, using: &random)
        group.tokens.add(record)
        group.shippedTokens = record.total / 2
        group.uncommittedTokens = record.total - group.shippedTokens
        group.deployments = Int.random(in: 1...60, using: &random)
        group.normalisedDeployments = Double.random(in: 0...40, using: &random)
        group.activeEngineers = Int.random(in: 1...30, using: &random)
        group.weeks = 52
        group.months = 12
        return group
    }
    let groups = (0..<200).map { metrics("team-\($0)") }
    let deployments = (0..<5000).map { index in
        DeploymentDetail(
            deployment: ClassifiedDeployment(
                Deployment(
                    environment: "production", id: "deploy/production/\(index)", ref: "refs/tags/deploy/production/\(index)",
                    commit: try! ObjectID(hex: String(repeating: "a", count: 40)), time: start.addingTimeInterval(Double(index) * 6000),
                    status: .success),
                kind: .forward, status: index % 50 == 0 ? .rolledBack : .success),
            shippedCommits: Int.random(in: 1...20, using: &random), aiAssistedShare: Double.random(in: 0...1, using: &random),
            tokens: Int64.random(in: 0...10_000_000, using: &random), costUSD: Decimal(Int.random(in: 0...500, using: &random)),
            lines: Int.random(in: 1...4000, using: &random))
    }
    let weekly = (0..<52).map { week in
        WeekPoint(
            start: start.addingTimeInterval(Double(week) * 7 * 86_400), tokens: Int64.random(in: 1...1_000_000_000, using: &random),
            shippedTokens: Int64.random(in: 0...500_000_000, using: &random), costUSD: Decimal(Int.random(in: 0...90_000, using: &random)),
            normalisedDeployments: Double.random(in: 0...120, using: &random))
    }
    let warnings = (0..<40).map {
        Warning(kind: "uncommitted_tokens", group: "team-\($0)", message: "most tokens never reached a commit", figures: [("share", 0.7)])
    }
    return Report(
        since: start, until: start.addingTimeInterval(364 * 86_400), environment: "production", groupBy: .team, repositories: ["acme/app"],
        groups: groups, totals: metrics("total"), warnings: warnings, deployments: deployments, weekly: weekly)
}

let arguments = CommandLine.arguments
if arguments.count == 2, arguments[1] == "render" {
    let report = largeReport()
    let context = RenderContext(version: "bench", generatedAt: Date())
    var total = 0.0
    for format in ReportFormat.allCases {
        let started = Date()
        let output = format.renderer.render(report, context: context)
        let seconds = Date().timeIntervalSince(started)
        total += seconds
        print(String(format: "  %-9@ %7.3f s  %9d bytes", format.rawValue, seconds, output.utf8.count))
    }
    print(String(format: "all formats: %.3f s (target < 1 s); HTML must stay under 2 MB", total))
    exit(0)
}
guard arguments.count >= 3 else { fail("usage: shipmeter-bench walk|walk-libgit2|ranges REPO [TAGS…]") }
do {
    let repo = try Repository(discovering: arguments[2])
    func tips() throws -> [ObjectID] {
        var seen = Set<ObjectID>()
        var result = [ObjectID]()
        for reference in try repo.references(matching: "refs/heads/*") + repo.references(matching: "refs/tags/*") {
            if let id = try? repo.resolveCommit(reference.name), seen.insert(id).inserted { result.append(id) }
        }
        return result
    }
    switch arguments[1] {
    case "walk":
        var commits = 0, trailers = 0, bytes = 0
        let graph = try CommitGraph.load(repo, tips: try tips()) { _, commit in
            commits += 1
            trailers += commit.trailers.count
            bytes += commit.author.email.utf8.count + Int(commit.author.time.seconds & 1)
        }
        print("walk: \(commits) commits (\(graph.count) in graph), \(trailers) trailers")
    case "walk-libgit2":
        let walk = try RevisionWalk(repo)
        try walk.push(glob: "refs/heads/*")
        try walk.push(glob: "refs/tags/*")
        var commits = 0, trailers = 0
        while let id = try walk.next() {
            let commit = try repo.commit(id)
            commits += 1
            trailers += commit.trailers.count
        }
        print("walk-libgit2: \(commits) commits, \(trailers) trailers")
    case "ranges":
        let tags = Array(arguments.dropFirst(3))
        let graph = try CommitGraph.load(repo, tips: try tips())
        let numbers = try tags.map { tag -> Int in
            guard let number = graph.number(of: try repo.resolveCommit(tag)) else { fail("\(tag) is not in the graph") }
            return number
        }
        var counts = [Int]()
        for index in 1..<numbers.count {
            counts.append(graph.range(include: [numbers[index]], exclude: [numbers[index - 1]]).count)
        }
        print(counts.map(String.init).joined(separator: " "))
    case "diffs":
        let graph = try CommitGraph.load(repo, tips: try tips())
        var lines = 0
        let reader = try Repository(gitDirectoryIgnoringWorkTree: repo.gitDirectory)
        for id in graph.ids { lines += try reader.diffStats(for: id).linesChanged }
        print("diffs: \(graph.count) commits, \(lines) changed lines")
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
