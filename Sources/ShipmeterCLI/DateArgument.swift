import Foundation
import Usage

/// `--since` / `--until` values: a span back from now (`30d`, `12w`, `6m`, `24h`), a date
/// (`2026-03-01`, the start of that day in UTC) or a full ISO 8601 timestamp.
enum DateArgument {
    static func parse(_ text: String, now: Date, option: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let unit = trimmed.last, "hdwmy".contains(unit), let amount = Double(trimmed.dropLast()), amount >= 0 {
            let hours: Double = ["h": 1, "d": 24, "w": 168, "m": 24 * 30.44, "y": 24 * 365.25][String(unit)] ?? 24
            return now.addingTimeInterval(-amount * hours * 3600)
        }
        if trimmed == "now" { return now }
        if let date = Timestamp.parseISO8601(text.trimmingCharacters(in: .whitespaces)) { return date }
        throw ShipmeterError.usage("\(option) '\(text)' is not a date. Use 30d, 12w, 2026-03-01 or 2026-03-01T09:00:00Z.")
    }
}
