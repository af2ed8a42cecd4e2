import Foundation

/// A point in time as git records it: seconds since the epoch and the author's UTC offset.
public struct GitTime: Hashable, Sendable, Comparable, Codable {
    public var seconds: Int64
    /// Offset from UTC in minutes, east positive (`+0130` is 90).
    public var offsetMinutes: Int32

    public init(seconds: Int64, offsetMinutes: Int32 = 0) {
        self.seconds = seconds
        self.offsetMinutes = offsetMinutes
    }

    public init(_ date: Date, offsetMinutes: Int32 = 0) {
        self.init(seconds: Int64(date.timeIntervalSince1970.rounded(.down)), offsetMinutes: offsetMinutes)
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    /// ISO 8601 in the recorded offset, e.g. `2026-03-02T09:00:00+01:00` (`Z` for UTC).
    public var iso8601: String {
        var local = time_t(seconds + Int64(offsetMinutes) * 60)
        var parts = tm()
        gmtime_r(&local, &parts)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            let sign = offsetMinutes < 0 ? "-" : "+"
            let magnitude = abs(Int(offsetMinutes))
            text += String(format: "%@%02d:%02d", sign, magnitude / 60, magnitude % 60)
        }
        return text
    }

    public static func < (lhs: GitTime, rhs: GitTime) -> Bool { lhs.seconds < rhs.seconds }
}

/// Who made a commit or tag, and when.
public struct Signature: Hashable, Sendable, Codable {
    public var name: String
    public var email: String
    public var time: GitTime

    public init(name: String, email: String, time: GitTime) {
        self.name = name
        self.email = email
        self.time = time
    }
}
