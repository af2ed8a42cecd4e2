import Foundation

/// A decoded JSON object with typed, validating accessors for the fields usage sources carry.
struct JSONFields {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    init?(_ any: Any?) {
        guard let object = any as? [String: Any] else { return nil }
        self.object = object
    }

    /// Decodes one line as a JSON object; nil when it is not one.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONFields? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return JSONFields(object)
    }

    subscript(_ key: String) -> Any? { object[key] }

    func nested(_ key: String) -> JSONFields? { JSONFields(object[key]) }

    func string(_ key: String) -> String? {
        switch object[key] {
        case let text as String: return text.isEmpty ? nil : text
        case let number as NSNumber where number.isPlainNumber: return number.stringValue
        default: return nil
        }
    }

    func array(_ key: String) -> [Any]? { object[key] as? [Any] }

    /// A token count: absent is 0; present must be a whole number in 0...10^12.
    func count(_ key: String) throws(FieldError) -> Int64 {
        guard let value = object[key], !(value is NSNull) else { return 0 }
        return try Self.count(value, key: key)
    }

    func optionalCount(_ key: String) throws(FieldError) -> Int64? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return try Self.count(value, key: key)
    }

    static let absurdCount: Int64 = 1_000_000_000_000

    static func count(_ value: Any, key: String) throws(FieldError) -> Int64 {
        let number: Double
        switch value {
        case let text as String:
            guard let parsed = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw FieldError("\(key) is not a whole number: \"\(text.prefix(40))\"")
            }
            number = Double(parsed)
            guard parsed >= 0 else { throw FieldError("\(key) is negative: \(parsed)") }
            guard parsed <= absurdCount else { throw FieldError("\(key) is absurd: \(parsed) (> 10^12)") }
            return parsed
        case let value as NSNumber:
            guard value.isPlainNumber else { throw FieldError("\(key) is a boolean, not a count") }
            number = value.doubleValue
        default:
            throw FieldError("\(key) is not a number")
        }
        guard number.isFinite, number == number.rounded() else { throw FieldError("\(key) is not a whole number: \(number)") }
        guard number >= 0 else { throw FieldError("\(key) is negative: \(Int64(number))") }
        guard number <= Double(absurdCount) else { throw FieldError("\(key) is absurd: \(number) (> 10^12)") }
        return Int64(number)
    }

    /// A money amount, from a number or a numeric string.
    func decimal(_ key: String) throws(FieldError) -> Decimal? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String:
            guard let value = Decimal(string: text), value >= 0 else { throw FieldError("\(key) is not an amount: \"\(text.prefix(40))\"") }
            return value
        case let number as NSNumber:
            guard number.doubleValue.isFinite, number.doubleValue >= 0 else { throw FieldError("\(key) is not a valid amount") }
            return Decimal(string: number.stringValue) ?? Decimal(number.doubleValue)
        default:
            throw FieldError("\(key) is not an amount")
        }
    }

    func timestamp(_ key: String) throws(FieldError) -> Date {
        guard let value = object[key] else { throw FieldError("\(key) is missing") }
        if let text = value as? String, let date = Timestamp.parse(text) { return date }
        if let number = value as? NSNumber, number.doubleValue.isFinite {
            // Epoch seconds, or milliseconds / nanoseconds when the magnitude says so.
            var seconds = number.doubleValue
            if seconds > 1e17 { seconds /= 1e9 } else if seconds > 1e11 { seconds /= 1e3 }
            return Date(timeIntervalSince1970: seconds)
        }
        throw FieldError("\(key) is not a timestamp")
    }
}

extension NSNumber {
    /// Whether this is a number rather than a JSON boolean (Foundation bridges both to NSNumber;
    /// booleans carry the `c` type code).
    var isPlainNumber: Bool { String(cString: objCType) != "c" }
}

struct FieldError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// ISO 8601 timestamps as usage sources write them: `2026-03-02T08:00:00Z`,
/// `2026-03-02T08:00:00.123456+01:00`, `2026-03-02 08:00:00`, or a bare date `2026-03-02`.
public enum Timestamp {
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
              let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86_400
        if utf8.count == 10 { return Date(timeIntervalSince1970: seconds) }
        guard utf8.count >= 19, utf8[10] == 0x54 || utf8[10] == 0x20 || utf8[10] == 0x74,
              let hour = digits(11, 2), utf8[13] == 0x3A, let minute = digits(14, 2), utf8[16] == 0x3A,
              let second = digits(17, 2), hour < 24, minute < 60, second < 61 else { return nil }
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

    /// `2026-03-02T08:00:00Z` (fractional seconds kept to milliseconds when present).
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
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

/// FNV-1a, 64-bit: a stable key for records whose source has no id of its own, and a stable
/// hash of bytes for anything else that must not change between runs or machines.
public enum StableHash {
    public static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a of `bytes`, continuing from `hash`.
    @inline(__always)
    public static func fnv1a(_ bytes: UnsafeRawBufferPointer, from hash: UInt64 = seed) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func hex(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0x1F
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
