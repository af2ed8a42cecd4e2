import Attribution
import Foundation
import Usage

extension BudgetProjection {
    /// One line per budget, for the text formats.
    public var summaryLines: [String] {
        lines.map { line in
            let runsOut: String
            if let date = line.exhaustion {
                runsOut =
                    date >= yearEnd
                    ? "lasts the year (runs out \(Timestamp.iso8601(date).prefix(10)))"
                    : "runs out \(Timestamp.iso8601(date).prefix(10))"
            } else {
                runsOut = "no spend in the last 30 days"
            }
            return
                "\(line.name): \(Money.usd(line.spentToDateUSD)) of \(Money.usd(line.annualUSD)) spent in \(year) (pro-rata \(Money.usd(line.proRataUSD)), \(Quantity.percent(line.paceRatio)) of pace); burn \(Money.usd(line.burnPerDayUSD))/day; \(runsOut)"
        }
    }
}

/// `shipmeter budget --format json` as a type: its coding keys are the documented schema.
public struct BudgetDocument: JSONDocument, Sendable {
    public var schemaVersion = 1
    public var projection: Projection

    public init(_ budget: BudgetProjection) { projection = Projection(budget) }

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try projection.encode(to: encoder)
    }

    /// The year's budgets, also the `budget` object of a report.
    public struct Projection: Encodable, Sendable {
        public var year: Int
        public var asOf: String
        public var budgets: [Line]

        init(_ budget: BudgetProjection) {
            (year, asOf) = (budget.year, Timestamp.iso8601(budget.asOf))
            budgets = budget.lines.map { Line($0, yearEnd: budget.yearEnd) }
        }

        enum CodingKeys: String, CodingKey { case year, asOf = "as_of", budgets }
    }

    public struct Line: Encodable, Sendable {
        public var name: String
        public var annualUSD: Decimal
        public var spentToDateUSD: Decimal
        public var proRataUSD: Decimal
        public var burnPerDayUSD: Decimal
        public var paceRatio: Double?
        /// The day it runs out at the last 30 days' burn; nil without spend.
        public var projectedExhaustion: String?
        public var lastsTheYear: Bool

        init(_ line: BudgetProjection.Line, yearEnd: Date) {
            (name, annualUSD, spentToDateUSD) = (line.name, line.annualUSD, line.spentToDateUSD)
            (proRataUSD, burnPerDayUSD, paceRatio) = (line.proRataUSD, line.burnPerDayUSD, line.paceRatio)
            projectedExhaustion = line.exhaustion.map { String(Timestamp.iso8601($0).prefix(10)) }
            lastsTheYear = line.exhaustion.map { $0 >= yearEnd } ?? true
        }

        enum CodingKeys: String, CodingKey {
            case name, annualUSD = "annual_usd", spentToDateUSD = "spent_to_date_usd", proRataUSD = "pro_rata_usd"
            case burnPerDayUSD = "burn_per_day_usd", paceRatio = "pace_ratio", projectedExhaustion = "projected_exhaustion"
            case lastsTheYear = "lasts_the_year"
        }
    }
}

extension BudgetProjection {
    /// `shipmeter budget --format json`.
    public var json: String { BudgetDocument(self).json }
}
