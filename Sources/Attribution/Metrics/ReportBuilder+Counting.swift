import Foundation

/// What the report's loops count with: the weekly trend's weeks, and a group's shipped commits.
extension ReportBuilder {
    static func weeks(since: Date, until: Date) -> [WeekPoint] {
        var points = [WeekPoint]()
        var start = since
        while start < until, points.count < 520 {
            points.append(WeekPoint(start: start, tokens: 0, shippedTokens: 0, costUSD: 0, normalisedDeployments: 0))
            start = start.addingTimeInterval(7 * 86_400)
        }
        return points
    }

    static func week(of date: Date, in weeks: [WeekPoint]) -> Int? {
        guard let first = weeks.first, date >= first.start else { return nil }
        let index = Int(date.timeIntervalSince(first.start) / (7 * 86_400))
        return index < weeks.count ? index : nil
    }
}

/// Applies `change` to a value in place (for dictionary entries with a default).
@inline(__always)
func update<Value>(_ value: inout Value, _ change: (inout Value) -> Void) {
    change(&value)
}

extension GroupMetrics {
    /// One shipped non-merge commit and the hours from its authoring to its deployment.
    mutating func countShipped(aiAssisted: Bool, leadHours: Double) {
        shippedCommits += 1
        if aiAssisted {
            aiAssistedCommits += 1
            leadTimesAI.append(leadHours)
        } else {
            leadTimesOther.append(leadHours)
        }
    }

    mutating func finishLeadTimes() {
        leadTimeAI = Percentiles(leadTimesAI)
        leadTimeOther = Percentiles(leadTimesOther)
    }
}
