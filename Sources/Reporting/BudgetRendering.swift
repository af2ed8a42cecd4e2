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

enum BudgetJSON {
    static func document(_ budget: BudgetProjection) -> JSONValue {
        .object([
            ("year", .int(Int64(budget.year))),
            ("as_of", .string(Timestamp.iso8601(budget.asOf))),
            (
                "budgets",
                .array(
                    budget.lines.map { line in
                        .object([
                            ("name", .string(line.name)),
                            ("annual_usd", .decimal(line.annualUSD)),
                            ("spent_to_date_usd", .decimal(line.spentToDateUSD)),
                            ("pro_rata_usd", .decimal(line.proRataUSD)),
                            ("burn_per_day_usd", .decimal(line.burnPerDayUSD)),
                            ("pace_ratio", .number(line.paceRatio)),
                            ("projected_exhaustion", .optional(line.exhaustion.map { String(Timestamp.iso8601($0).prefix(10)) })),
                            ("lasts_the_year", .bool(line.exhaustion.map { $0 >= budget.yearEnd } ?? true)),
                        ])
                    })
            ),
        ])
    }

    public static func render(_ budget: BudgetProjection) -> String {
        JSONValue.object(
            [("schema_version", .int(1))]
                + {
                    if case .object(let members) = document(budget) { return members }
                    return []
                }()
        ).serialized()
    }
}

extension BudgetProjection {
    /// `shipmeter budget --format json`.
    public var json: String { BudgetJSON.render(self) }
}
