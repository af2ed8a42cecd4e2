import Foundation
import Usage

/// `--since` / `--until` values: a span back from now (`30d`, `12w`, `6m`, `24h`), a date
/// (`2026-03-01`, the start of that day in UTC) or a full ISO 8601 timestamp.
enum DateArgument {
    static func parse(_ text: String, now: Date, option: String) throws -> Date {
        if let date = Timestamp.parseWindowEdge(text, now: now) { return date }
        throw ShipmeterError.usage("\(option) '\(text)' is not a date. Use 30d, 12w, 2026-03-01 or 2026-03-01T09:00:00Z.")
    }
}
