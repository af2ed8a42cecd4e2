import Foundation

/// ISO 8601 timestamps as usage sources write them: `2026-03-02T08:00:00Z`,
/// `2026-03-02T08:00:00.123456+01:00`, `2026-03-02 08:00:00`, or a bare date `2026-03-02`.
public enum Timestamp {
    /// `2026-03-02T08:00:00Z` (milliseconds when the date has them).
    public static func iso8601(_ date: Date) -> String { format(date) }

    /// Any form `parse` reads; nil when the text is not a timestamp.
    public static func parseISO8601(_ text: String) -> Date? { parse(text) }

    /// A window's edge as `--since`/`--until` (and the dashboard's query) take it: a span back
    /// from `now` (`30d`, `12w`, `6m`, `24h`, `1y`), `now`, a date (`2026-03-01`, the start of
    /// that day in UTC) or a full ISO 8601 time; nil for anything else.
    public static func parseWindowEdge(_ text: String, now: Date) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let unit = trimmed.last, "hdwmy".contains(unit), let amount = Double(trimmed.dropLast()), amount >= 0, amount.isFinite {
            let hours: Double = ["h": 1, "d": 24, "w": 168, "m": 24 * 30.44, "y": 24 * 365.25][String(unit)] ?? 24
            return now.addingTimeInterval(-amount * hours * 3600)
        }
        if trimmed == "now" { return now }
        return parse(text.trimmingCharacters(in: .whitespaces))
    }

    static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        while let last = utf8.last, last == 0x20 { utf8.removeLast() }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= utf8.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let byte = utf8[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), utf8.count >= 10, utf8[4] == 0x2D, let month = digits(5, 2), utf8[7] == 0x2D,
            let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86_400
        if utf8.count == 10 { return Date(timeIntervalSince1970: seconds) }
        guard utf8.count >= 19, utf8[10] == 0x54 || utf8[10] == 0x20 || utf8[10] == 0x74,
            let hour = digits(11, 2), utf8[13] == 0x3A, let minute = digits(14, 2), utf8[16] == 0x3A,
            let second = digits(17, 2), hour < 24, minute < 60, second < 61
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        var index = 19
        if index < utf8.count, utf8[index] == 0x2E || utf8[index] == 0x2C {
            index += 1
            var scale = 0.1
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                seconds += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        if index == utf8.count { return Date(timeIntervalSince1970: seconds) }  // no zone: UTC
        if utf8[index] == 0x5A || utf8[index] == 0x7A { return index + 1 == utf8.count ? Date(timeIntervalSince1970: seconds) : nil }
        guard utf8[index] == 0x2B || utf8[index] == 0x2D, let hours = digits(index + 1, 2) else { return nil }
        var minutesIndex = index + 3
        if minutesIndex < utf8.count, utf8[minutesIndex] == 0x3A { minutesIndex += 1 }
        let minutes = digits(minutesIndex, 2) ?? 0
        let offset = Double(hours * 3600 + minutes * 60)
        return Date(timeIntervalSince1970: utf8[index] == 0x2B ? seconds - offset : seconds + offset)
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Seconds since 1970 of the years 0001 to 9999, the ones `2026-03-02T08:00:00Z` can write.
    static let representable: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// `2026-03-02T08:00:00Z` (fractional seconds kept to milliseconds when present). A date
    /// outside years 0001 to 9999 is written as the nearest one inside: a reader may hash a time
    /// into a record's key before the batch refuses it (a time outside 1970–9999), so writing must
    /// not trap on it.
    static func format(_ date: Date) -> String {
        let given = date.timeIntervalSince1970
        let interval = given.isNaN ? 0 : min(max(given, representable.lowerBound), representable.upperBound)
        let whole = interval.rounded(.down)
        let millis = Int(((interval - whole) * 1000).rounded())
        let days = Int((whole / 86_400).rounded(.down))
        let secondOfDay = Int(whole) - days * 86_400
        let (y, m, d) = civil(days)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
        if millis > 0, millis < 1000 { text += String(format: ".%03d", millis) }
        return text + "Z"
    }

    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
