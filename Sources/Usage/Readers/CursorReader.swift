import Foundation

/// Cursor writes no token counts locally; two exports carry them, neither with a session id,
/// so its records join commits by person and time only (`inferred`):
/// - the dashboard's usage CSV: `Date,[User,][Kind,]Model,Input (w/ Cache Write),
///   Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost[,Cost to you]` — cache
///   write = the first input column − the second;
/// - the Admin API's `filtered-usage-events` JSON: `usageEvents[]` with `timestamp` (epoch
///   milliseconds), `userEmail`, `model`, `kind` and `tokenUsage{inputTokens, outputTokens,
///   cacheWriteTokens, cacheReadTokens, totalCents}`.
/// An event has no id of its own: its key is a hash of everything it records, so overlapping
/// exports de-duplicate.
struct CursorReader {
    static let inputWithCacheWrite = "input (w/ cache write)"
    static let inputWithoutCacheWrite = "input (w/o cache write)"

    func readCSV(_ path: String, into batch: inout UsageBatch) throws {
        try CSVRecords(path: path).read(into: &batch) { row throws(FieldError) in
            guard let date = row.string("date") else { throw FieldError("date is missing") }
            guard let time = Timestamp.parse(date) ?? Self.dashboardDate(date) else {
                throw FieldError("date is not a timestamp: \"\(date.prefix(40))\"")
            }
            let withWrite = try row.count(Self.inputWithCacheWrite), withoutWrite = try row.count(Self.inputWithoutCacheWrite)
            let actor = (row.string("user") ?? row.string("email") ?? row.string("user email"))?.lowercased()
            let model = row.string("model") ?? "unknown"
            let output = try row.count("output tokens"), read = try row.count("cache read")
            let cost = try Self.amount(row.string("cost to you") ?? row.string("cost"))
            return UsageRecord(
                source: UsageFormat.cursor.rawValue,
                key: StableHash.hex([date, actor ?? "", row.string("kind") ?? "", model, "\(withWrite)", "\(withoutWrite)", "\(read)", "\(output)"]),
                timestamp: time, actor: actor, agent: "cursor", model: model,
                input: withoutWrite, output: output, cacheWrite: max(0, withWrite - withoutWrite), cacheRead: read, costUSD: cost)
        }
    }

    func readJSON(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            var events = (JSONFields(value)?.array("usageEvents") ?? []).compactMap(JSONFields.init)
            if events.isEmpty, let array = value as? [Any] { events = array.compactMap(JSONFields.init) }
            for event in events {
                do {
                    let tokens = event.nested("tokenUsage") ?? JSONFields([:])
                    let actor = event.string("userEmail")?.lowercased()
                    let model = event.string("model") ?? "unknown"
                    let input = try tokens.count("inputTokens"), output = try tokens.count("outputTokens")
                    let write = try tokens.count("cacheWriteTokens"), read = try tokens.count("cacheReadTokens")
                    let cents = try tokens.decimal("totalCents")
                    batch.add(
                        UsageRecord(
                            source: UsageFormat.cursor.rawValue,
                            key: StableHash.hex([
                                event.string("timestamp") ?? "", actor ?? "", event.string("kind") ?? "", model,
                                "\(input)", "\(output)", "\(write)", "\(read)",
                            ]),
                            timestamp: try event.timestamp("timestamp"), actor: actor, agent: "cursor", model: model,
                            input: input, output: output, cacheWrite: write, cacheRead: read, costUSD: cents.map { $0 / 100 }))
                } catch {
                    batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }
        }
    }

    /// A cost cell: `$0.12`, `0.12`, or a word such as `Included` (no cost of its own: priced by model).
    static func amount(_ text: String?) throws(FieldError) -> Decimal? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "$", with: "")
        guard let first = trimmed.first, first.isNumber || first == "." else { return nil }
        guard let value = Decimal(string: trimmed), value >= 0 else { throw FieldError("cost is not an amount: \"\(text.prefix(40))\"") }
        return value
    }

    /// The dashboard's own date form, e.g. `Oct 1, 2025, 02:15 PM` (UTC).
    static func dashboardDate(_ text: String) -> Date? {
        for format in ["MMM d, yyyy, hh:mm a", "MMM d, yyyy, h:mm a", "MMM d, yyyy, HH:mm", "yyyy-MM-dd HH:mm"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
