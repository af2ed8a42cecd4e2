#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        let padded = Self.zeroPadded
        var text = padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
        text += "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            let magnitude = abs(Int(offsetMinutes))
            text += (offsetMinutes < 0 ? "-" : "+") + padded(magnitude / 60, 2) + ":" + padded(magnitude % 60, 2)
        }
        return text
    }

    /// `value` as printf's `%0<width>d` writes it (a minus sign counts towards the width).
    static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
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
