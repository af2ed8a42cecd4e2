import Attribution
import DemoScenario
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

/// A report about one team or one person (the dashboard's `team=` and `person=`) agrees with
/// that team's or person's row of the report about everyone.
@Suite struct ReportScopeTests {
    @Test func aScopedReportEqualsItsRowInTheWholeReport() throws {
        let now = GoldenTests.now
        let (snapshot, batch, folder) = try GoldenTests.demoInput("scope")
        defer { withExtendedLifetime(folder) {} }
        let since = now.addingTimeInterval(-30 * 86_400)
        func report(_ by: GroupBy, _ scope: ReportScope = ReportScope()) -> Report {
            snapshot.report(batch, since: since, until: now, environment: nil, groupBy: by, scope: scope)
        }
        let teams = report(.team)
        #expect(teams.groups.count >= 3)
        for team in teams.groups {
            let scoped = report(.person, ReportScope(team: team.key))
            #expect(abs(scoped.totals.normalisedDeployments - team.normalisedDeployments) < 1e-9, "team \(team.key)")
            #expect(scoped.totals.tokens.total == team.tokens.total && scoped.totals.deployments == team.deployments, "team \(team.key)")
            #expect(abs(scoped.groups.reduce(0) { $0 + $1.normalisedDeployments } - team.normalisedDeployments) < 1e-9)
            #expect(abs(scoped.deployments.reduce(0) { $0 + $1.normalisedDeployments } - team.normalisedDeployments) < 1e-9)
        }
        let people = report(.person)
        for person in people.groups where person.normalisedDeployments > 0 {
            let scoped = report(.deployment, ReportScope(person: person.key))
            #expect(abs(scoped.totals.normalisedDeployments - person.normalisedDeployments) < 1e-9, "person \(person.key)")
            #expect(scoped.totals.tokens.total == person.tokens.total, "person \(person.key)")
            #expect(scoped.deployments.count == person.deployments || scoped.deployments.count >= person.deployments)
            #expect(!scoped.deployments.isEmpty && scoped.deployments.count < report(.deployment).deployments.count)
        }
        // Everyone's report is unchanged by the default scope, and a stranger's is empty.
        #expect(report(.team, ReportScope()).totals.normalisedDeployments == teams.totals.normalisedDeployments)
        let nobody = report(.team, ReportScope(team: "no-such-team"))
        #expect(nobody.totals.normalisedDeployments == 0 && nobody.totals.tokens.total == 0 && nobody.deployments.isEmpty && nobody.groups.isEmpty)
    }
}
