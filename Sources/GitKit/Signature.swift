import CGit2
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
        let local = seconds + Int64(offsetMinutes) * 60
        let days = Int64((Double(local) / 86_400).rounded(.down))
        let secondOfDay = local - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        var text = String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, hour, minute, second)
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            let sign = offsetMinutes < 0 ? "-" : "+"
            let magnitude = abs(Int(offsetMinutes))
            text += String(format: "%@%02d:%02d", sign, magnitude / 60, magnitude % 60)
        }
        return text
    }

    /// Howard Hinnant's days-from-civil inverse; exact for the proleptic Gregorian calendar.
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
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

    init(_ pointer: UnsafePointer<git_signature>) {
        let signature = pointer.pointee
        name = signature.name.map { String(decodingCString: $0) } ?? ""
        email = signature.email.map { String(decodingCString: $0) } ?? ""
        time = GitTime(seconds: signature.when.time, offsetMinutes: signature.when.offset)
    }

    /// Runs `body` with a libgit2 signature for this value; the C object lives only for the call.
    func withGitSignature<T>(_ body: (UnsafePointer<git_signature>) throws(GitError) -> T) throws(GitError) -> T {
        var pointer: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&pointer, name, email, git_time_t(time.seconds), Int32(time.offsetMinutes)), "invalid signature")
        guard let pointer else { throw GitError(code: GitError.Code.gitKit, message: "invalid signature") }
        defer { git_signature_free(pointer) }
        return try body(pointer)
    }
}

extension String {
    /// Decodes C text that may not be valid UTF-8, replacing bad bytes rather than failing.
    init(decodingCString pointer: UnsafePointer<CChar>) {
        let length = strlen(pointer)
        self = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
