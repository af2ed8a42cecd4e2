import Attribution
import DemoScenario
import Foundation
import GitKit
import Reporting
import ShipmeterTestSupport
import Testing
import Usage

/// Golden files for every format on the demo scenario, with the clock and version injected.
/// Re-record with `RECORD_SNAPSHOTS=1 swift test --filter GoldenTests`.
@Suite struct GoldenTests {
    static let now = Date(timeIntervalSince1970: 1_774_915_200)  // 2026-03-31T00:00:00Z

    /// The demo scenario's history and priced usage, as of `now`.
    static func demoInput(_ name: String) throws -> (RepositorySnapshot, UsageBatch, ScratchDirectory) {
        let folder = ScratchDirectory(name)
        var scenario = DemoScenario(root: folder.path, now: now)
        let result = try scenario.generate()
        let repo = try Repository(discovering: result.repository)
        let yaml = try String(contentsOfFile: result.repository + "/.shipmeter.yml", encoding: .utf8)
        let snapshot = try RepositorySnapshot.load(repo, configuration: try Configuration.parse(yaml).0)
        var (batch, _) = try UsageLoader().load([result.usage])
        batch.price(with: .bundled)
        return (snapshot, batch, folder)
    }

    static func demoReport(groupBy: GroupBy = .team) throws -> (Report, RenderContext) {
        let (snapshot, batch, folder) = try demoInput("golden")
        defer { withExtendedLifetime(folder) {} }
        let report = snapshot.report(batch, since: now.addingTimeInterval(-30 * 86_400), until: now, environment: nil, groupBy: groupBy)
        let context = RenderContext(
            version: "0.0.0-test", generatedAt: now, color: false,
            budget: snapshot.budget(batch.records, annual: nil, year: nil, asOf: now))
        return (report, context)
    }

    static var goldenFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    }

    func assertGolden(_ text: String, _ name: String) throws {
        let path = Self.goldenFolder + "/" + name
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        let expected = try #require(try? String(contentsOfFile: path, encoding: .utf8), "missing golden file \(name); record with RECORD_SNAPSHOTS=1")
        #expect(text == expected, "\(name) differs from its golden file; re-record with RECORD_SNAPSHOTS=1 if the change is intended")
    }

    @Test func everyFormatMatchesItsGoldenFile() throws {
        let (report, context) = try Self.demoReport()
        for format in ReportFormat.allCases {
            let name = "demo-report." + ["table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"][format.rawValue]!
            try assertGolden(format.renderer.render(report, context: context), name)
        }
    }

    @Test func theDemoScenarioHasEveryKindOfDeployment() throws {
        let (report, _) = try Self.demoReport(groupBy: .deployment)
        let kinds = Set(report.deployments.map(\.deployment.kind))
        #expect(kinds == [.forward, .redeploy, .rollback, .failed])
        #expect(report.deployments.contains { $0.deployment.status == .rolledBack })
        #expect(report.totals.shippedTokens > 0 && report.totals.unshippedTokens > 0 && report.totals.uncommittedTokens > 0)
    }
}
