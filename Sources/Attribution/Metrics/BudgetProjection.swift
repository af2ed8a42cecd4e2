import Foundation
import Usage

/// Spend against an annual budget: burn over the trailing 30 days, the projected date the
/// budget runs out at that rate, and spend to date against the pro-rata line.
public struct BudgetProjection: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var annualUSD: Decimal
        public var spentToDateUSD: Decimal
        /// Cost of the trailing 30 days, divided by 30.
        public var burnPerDayUSD: Decimal
        /// What even spending would have used by now.
        public var proRataUSD: Decimal
        /// When the budget runs out at the current burn; nil when nothing is being spent.
        public var exhaustion: Date?

        /// Spend to date over the pro-rata line (1 = on the line).
        public var paceRatio: Double? {
            proRataUSD == 0 ? nil : spentToDateUSD.doubleValue / proRataUSD.doubleValue
        }
    }

    public var year: Int
    public var asOf: Date
    public var yearStart: Date
    public var yearEnd: Date
    public var lines: [Line]

    /// `annual` is the whole organisation's budget (nil when only teams have budgets);
    /// `teamBudgets` maps team names to theirs; `teamOf` gives a record's team.
    public static func compute(
        records: [UsageRecord], annual: Decimal?, teamBudgets: [String: Decimal], year: Int?, asOf: Date,
        teamOf: (UsageRecord) -> String
    ) -> BudgetProjection {
        let currentYear = Int(Timestamp.iso8601(asOf).prefix(4)) ?? 1970
        let chosenYear = year ?? currentYear
        let start = Timestamp.parseISO8601(String(format: "%04d-01-01", chosenYear)) ?? asOf
        let end = Timestamp.parseISO8601(String(format: "%04d-01-01", chosenYear + 1)) ?? asOf
        // For a past year the projection is as of its end; for a future one, as of its start.
        let reference = min(max(asOf, start), end)
        let trailingStart = reference.addingTimeInterval(-30 * 86_400)
        // Whole seconds in Decimal, so the pro-rata line has no binary-fraction noise.
        let elapsedSeconds = Decimal(Int64(reference.timeIntervalSince(start).rounded()))
        let yearSeconds = Decimal(Int64(end.timeIntervalSince(start).rounded()))

        var spent = [String: Decimal](), trailing = [String: Decimal]()
        for record in records {
            guard let cost = record.costUSD, record.timestamp < reference else { continue }
            let team = teamOf(record)
            if record.timestamp >= start {
                spent["", default: 0] += cost
                spent[team, default: 0] += cost
            }
            if record.timestamp >= trailingStart {
                trailing["", default: 0] += cost
                trailing[team, default: 0] += cost
            }
        }
        func line(_ name: String, key: String, annual: Decimal) -> Line {
            let burn = (trailing[key] ?? 0) / 30
            let used = spent[key] ?? 0
            var exhaustion: Date?
            if used >= annual {
                exhaustion = reference
            } else if burn > 0 {
                let days = ((annual - used) / burn).doubleValue
                exhaustion = reference.addingTimeInterval(days * 86_400)
            }
            return Line(
                name: name, annualUSD: annual, spentToDateUSD: used, burnPerDayUSD: burn,
                proRataUSD: annual * elapsedSeconds / yearSeconds, exhaustion: exhaustion)
        }
        var lines = [Line]()
        if let annual { lines.append(line("total", key: "", annual: annual)) }
        for (team, budget) in teamBudgets.sorted(by: { $0.key < $1.key }) { lines.append(line(team, key: team, annual: budget)) }
        return BudgetProjection(year: chosenYear, asOf: reference, yearStart: start, yearEnd: end, lines: lines)
    }
}

extension BudgetProjection {
    /// The projection for the budgets `configuration` sets (`annual` overrides the total); nil
    /// when it sets none. A record counts for its actor's team.
    public static func compute(
        records: [UsageRecord], configuration: Configuration, annual: Decimal?, year: Int?, asOf: Date,
        people: any Roster
    ) -> BudgetProjection? {
        let teamBudgets = Dictionary(uniqueKeysWithValues: configuration.teams.compactMap { team in team.annualBudgetUSD.map { (team.name, $0) } })
        let total = annual ?? configuration.annualBudgetUSD
        guard total != nil || !teamBudgets.isEmpty else { return nil }
        return compute(records: records, annual: total, teamBudgets: teamBudgets, year: year, asOf: asOf) { record in
            guard let actor = record.actor else { return People.unassigned }
            return people.team(ofPerson: people.person(ofActor: actor)) ?? People.unassigned
        }
    }
}
