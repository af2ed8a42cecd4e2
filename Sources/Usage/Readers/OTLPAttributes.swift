import Foundation

/// One OTLP attribute value of the kinds the readers use (arrays, maps and bytes are not read).
public enum OTLPAttributeValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    /// A JSON value as OTLP JSON writes one: `intValue` is a string of digits (kept as a string when
    /// it is not one, so the reader can say what is wrong with it).
    init?(json value: Any, integer: Bool = false) {
        switch value {
        case let text as String: self = integer ? Int64(text).map(Self.int) ?? .string(text) : .string(text)
        case let number as NSNumber:
            if !number.isPlainNumber {
                self = .bool(number.boolValue)
            } else if number.doubleValue == number.doubleValue.rounded(), abs(number.doubleValue) < 9.2e18 {
                self = .int(number.int64Value)
            } else {
                self = .double(number.doubleValue)
            }
        default: return nil
        }
    }

    /// The value as `JSONSerialization` would have given it, for the rarely used conversions.
    var foundation: Any {
        switch self {
        case .string(let text): text
        case .int(let number): NSNumber(value: number)
        case .double(let number): NSNumber(value: number)
        case .bool(let flag): NSNumber(value: flag)
        }
    }

    /// Text: a non-empty string, or a number written out; nil for booleans and empty strings.
    var text: String? {
        switch self {
        case .string(let text): text.isEmpty ? nil : text
        case .int(let number): String(number)
        case .double(let number): NSNumber(value: number).stringValue
        case .bool: nil
        }
    }

    /// A token count, validated as `JSONFields.count` validates one.
    func count(key: String) throws(FieldError) -> Int64 {
        if case .int(let number) = self {
            guard number >= 0 else { throw FieldError("\(key) is negative: \(number)") }
            guard number <= JSONFields.absurdCount else { throw FieldError("\(key) is absurd: \(Double(number)) (> 10^12)") }
            return number
        }
        return try JSONFields.count(foundation, key: key)
    }

    /// A money amount, validated as `JSONFields.decimal` validates one.
    func decimal(key: String) throws(FieldError) -> Decimal? {
        if case .int(let number) = self {
            guard number >= 0 else { throw FieldError("\(key) is not a valid amount") }
            return Decimal(number)
        }
        return try JSONFields([key: foundation]).decimal(key)
    }
}

/// OTLP attributes in the order read, an item's after its resource's: a later value of a key
/// replaces an earlier one. A short list searched from its end — attributes are few, and a list
/// costs no hashing of keys for the many that are never asked for.
public struct OTLPAttributes: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public struct Attribute: Sendable, Hashable {
        public var key: String
        public var value: OTLPAttributeValue

        public init(key: String, value: OTLPAttributeValue) { (self.key, self.value) = (key, value) }
    }

    public private(set) var list: [Attribute]

    public init(_ list: [Attribute] = []) { self.list = list }

    public init(dictionaryLiteral elements: (String, OTLPAttributeValue)...) {
        list = elements.map { Attribute(key: $0.0, value: $0.1) }
    }

    /// Adds a value; it wins over any earlier value of its key.
    public mutating func append(_ key: String, _ value: OTLPAttributeValue) { list.append(Attribute(key: key, value: value)) }

    /// These attributes over `base` (each of these wins over `base`'s value of its key).
    public func over(_ base: OTLPAttributes) -> OTLPAttributes {
        base.list.isEmpty ? self : OTLPAttributes(base.list + list)
    }

    mutating func reserveCapacity(_ count: Int) { list.reserveCapacity(count) }

    public subscript(_ key: String) -> OTLPAttributeValue? {
        var index = list.endIndex
        while index > list.startIndex {
            index -= 1
            if list[index].key == key { return list[index].value }
        }
        return nil
    }

    /// Each key once with its winning value, by key.
    var latest: [(key: String, value: OTLPAttributeValue)] {
        var seen = Set<String>()
        var result = [(key: String, value: OTLPAttributeValue)]()
        for attribute in list.reversed() where seen.insert(attribute.key).inserted { result.append((attribute.key, attribute.value)) }
        return result.sorted { $0.key < $1.key }
    }

    // The accessors of `JSONFields`, for the readers that take either.

    func string(_ key: String) -> String? { self[key]?.text }

    func count(_ key: String) throws(FieldError) -> Int64 {
        guard let value = self[key] else { return 0 }
        return try value.count(key: key)
    }

    func decimal(_ key: String) throws(FieldError) -> Decimal? {
        guard let value = self[key] else { return nil }
        return try value.decimal(key: key)
    }
}

extension OTLPAttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
