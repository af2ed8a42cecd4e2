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

    /// Decodes text holding a JSON object (a database column, a file's contents); nil otherwise.
    static func decode(text: String) -> JSONFields? {
        JSONFields((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as Any)
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
            guard let parsed = Int64(text) ?? Int64(text.trimmingCharacters(in: .whitespaces)) else {
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
        // (A count below Int64's range is shown as the number it is: converting it would trap.)
        guard number >= 0 else { throw FieldError("\(key) is negative: \(number > -9.2e18 ? String(Int64(number)) : String(number))") }
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
        if let text = value as? String, !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let number = Double(text) {
            return Self.epoch(number)  // epoch digits written as a string (Cursor's API)
        }
        if let number = value as? NSNumber, number.doubleValue.isFinite {
            return Self.epoch(number.doubleValue)
        }
        throw FieldError("\(key) is not a timestamp")
    }

    /// Epoch seconds, or milliseconds / nanoseconds when the magnitude says so.
    static func epoch(_ value: Double) -> Date {
        var seconds = value
        if seconds > 1e17 { seconds /= 1e9 } else if seconds > 1e11 { seconds /= 1e3 }
        return Date(timeIntervalSince1970: seconds)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
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
