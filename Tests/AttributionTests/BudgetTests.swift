import Attribution
import Foundation
import Testing
import Usage

/// A budget scenario small enough to check by hand.
@Suite struct BudgetTests {
    // 2026 has 365 days; the projection is as of 2026-04-01T00:00Z, 90 days in.
    let asOf = Date(timeIntervalSince1970: 1_775_001_600)

    func spend(_ day: String, _ usd: String, team: String) -> UsageRecord {
        UsageRecord(
            source: "jsonl", key: "\(day)-\(team)-\(usd)", timestamp: Timestamp.parseISO8601(day)!, actor: team, model: "m",
            input: 1, output: 0, costUSD: Decimal(string: usd))
    }

    @Test func burnRateExhaustionAndProRata() {
        let records = [
            spend("2025-12-31", "1000", team: "red"),  // last year: not spent this year, but…
            spend("2026-01-15", "300", team: "red"),
            spend("2026-03-10", "600", team: "red"),  // …in the trailing 30 days (from 2026-03-02)
            spend("2026-03-20", "300", team: "blue"),
            spend("2026-04-02", "999", team: "blue"),  // after the projection date: ignored
        ]
        let budget = BudgetProjection.compute(records: records, annual: 3650, teamBudgets: ["red": 1000, "blue": 10000], year: nil, asOf: asOf) {
            $0.actor ?? ""
        }
        #expect(budget.year == 2026)
        let total = budget.lines[0]
        #expect(total.name == "total")
        #expect(total.spentToDateUSD == 1200)
        #expect(total.burnPerDayUSD == 30)  // (600 + 300) / 30
        #expect(total.proRataUSD == 900)  // 3650 × 90 / 365
        #expect(abs((total.paceRatio ?? 0) - 1200.0 / 900) < 1e-12)
        // (3650 − 1200) / 30 per day = 81.67 days after April 1st.
        #expect(abs((total.exhaustion?.timeIntervalSince(asOf) ?? 0) / 86_400 - 2450.0 / 30) < 1e-6)

        let blue = budget.lines.first { $0.name == "blue" }!
        #expect(blue.spentToDateUSD == 300)
        #expect(blue.burnPerDayUSD == 10)
        #expect(blue.exhaustion! > budget.yearEnd)  // lasts the year

        let red = budget.lines.first { $0.name == "red" }!
        #expect(red.spentToDateUSD == 900)
        #expect(red.burnPerDayUSD == 20)
        #expect(abs((red.exhaustion?.timeIntervalSince(asOf) ?? 0) / 86_400 - 5) < 1e-6)  // 100 left at 20 a day
    }

    @Test func overspentAndIdleBudgets() {
        let records = [spend("2026-02-01", "500", team: "red")]
        let budget = BudgetProjection.compute(records: records, annual: nil, teamBudgets: ["red": 400, "green": 100], year: 2026, asOf: asOf) {
            $0.actor ?? ""
        }
        #expect(budget.lines.map(\.name) == ["green", "red"])
        #expect(budget.lines[0].exhaustion == nil)  // nothing spent: no projection
        #expect(budget.lines[1].exhaustion == asOf)  // already over
    }
}
