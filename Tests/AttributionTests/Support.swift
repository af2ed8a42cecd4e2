import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Usage

/// 2026-01-05T00:00:00Z, a Monday: day offsets in tests count from here.
let base: Int64 = 1_767_571_200

func day(_ offset: Double, hour: Double = 0) -> Int64 { base + Int64(offset * 86_400 + hour * 3600) }
func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

func record(
    _ key: String, actor: String? = nil, session: String? = nil, agent: String? = nil, at seconds: Int64, input: Int64,
    output: Int64 = 0, cacheWrite: Int64 = 0, cacheRead: Int64 = 0, cost: Decimal? = nil, repository: String? = nil, commit: String? = nil,
    model: String = "claude-sonnet-4-5"
) -> UsageRecord {
    UsageRecord(
        source: "jsonl", key: key, timestamp: date(seconds), actor: actor, session: session, agent: agent, model: model,
        repository: repository, commit: commit, input: input, output: output, cacheWrite: cacheWrite, cacheRead: cacheRead, costUSD: cost)
}

func batch(_ records: [UsageRecord], links: [SessionCommitLink] = []) -> UsageBatch {
    var batch = UsageBatch()
    for record in records { batch.add(record) }
    batch.links = links
    return batch
}
