import Foundation

/// A document a command writes as JSON: one of this module's types whose coding keys are the
/// documented schema (docs/json.md).
public protocol JSONDocument: Encodable {}

extension JSONDocument {
    /// The document as the command writes it. Encoding these types cannot fail: every value in
    /// them is a scalar, an array or a keyed object, none with an `encode(to:)` that throws.
    public var json: String {
        do {
            return try JSONDocumentEncoder.serialized(self)
        } catch {
            preconditionFailure("\(type(of: self)) could not be encoded: \(error)")
        }
    }
}

/// Encodes a `Codable` document into a `JSONValue`, keeping its keys in the order its type
/// encodes them (its `CodingKeys`: the documented schema) and writing absent optionals as `null`
/// — what shipmeter's JSON has always looked like. Dictionaries are written with sorted keys.
public enum JSONDocumentEncoder {
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try value.encode(to: DocumentEncoder(node: root, codingPath: []))
        return root.value
    }

    /// The document, serialised as `JSONValue` writes it.
    public static func serialized(_ value: some Encodable, pretty: Bool = true) throws -> String {
        try encode(value).serialized(pretty: pretty)
    }

    /// One value being built: a scalar, or an object or array filled in by containers.
    final class Node {
        enum Kind {
            case scalar(JSONValue)
            case object([(String, Node)])
            case array([Node])
        }

        var kind: Kind = .scalar(.null)

        var value: JSONValue {
            switch kind {
            case .scalar(let value): value
            case .object(let pairs): .object(pairs.map { ($0.0, $0.1.value) })
            case .array(let items): .array(items.map(\.value))
            }
        }

        /// The keys written into this node as an object, so a key written again is found
        /// without a scan.
        private var keys = Set<String>()

        // Each append first takes the array out of `kind`, so that it is the array's only
        // reference and grows in place: appending to a copy made every append copy the whole
        // array, quadratic in a document's length (a history of 85k commits).
        func append(key: String) -> Node {
            let child = Node()
            if case .object(var pairs) = kind {
                kind = .scalar(.null)
                if keys.contains(key) { pairs.removeAll { $0.0 == key } }
                pairs.append((key, child))
                kind = .object(pairs)
            } else {
                kind = .object([(key, child)])
                keys.removeAll()
            }
            keys.insert(key)
            return child
        }

        func appendItem() -> Node {
            let child = Node()
            if case .array(var items) = kind {
                kind = .scalar(.null)
                items.append(child)
                kind = .array(items)
            } else {
                kind = .array([child])
            }
            return child
        }
    }

    /// A value of a kind `JSONValue` writes directly (by its exact type: no bridging between
    /// booleans and numbers).
    static func scalar<T>(_ value: T) -> JSONValue? {
        switch T.self {
        case is String.Type: .string(value as! String)
        case is Bool.Type: .bool(value as! Bool)
        case is Int.Type: .int(Int64(value as! Int))
        case is Int64.Type: .int(value as! Int64)
        case is Int32.Type: .int(Int64(value as! Int32))
        case is Double.Type: .number(value as? Double)
        case is Decimal.Type: .decimal(value as! Decimal)
        default: nil
        }
    }

    struct DocumentEncoder: Encoder {
        let node: Node
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .scalar = node.kind { node.kind = .object([]) }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .scalar = node.kind { node.kind = .array([]) }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    /// Encodes `value` into `node`: scalars directly, dictionaries by sorted key, the rest by
    /// their own `encode(to:)`.
    static func put(_ value: some Encodable, into node: Node, codingPath: [any CodingKey]) throws {
        if let scalar = scalar(value) {
            node.kind = .scalar(scalar)
        } else if let dictionary = value as? [String: any Encodable] {
            node.kind = .object([])
            for key in dictionary.keys.sorted() {
                try put(dictionary[key]!, into: node.append(key: key), codingPath: codingPath)
            }
        } else {
            try value.encode(to: DocumentEncoder(node: node, codingPath: codingPath))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.append(key: key.stringValue).kind = .scalar(.null) }

        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            try JSONDocumentEncoder.put(value, into: node.append(key: key.stringValue), codingPath: codingPath + [key])
        }

        // Absent optionals are written as null: the schema names every key.
        mutating func encodeIfPresent(_ value: (some Encodable)?, forKey key: Key) throws {
            guard let value else { return try encodeNil(forKey: key) }
            try encode(value, forKey: key)
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }

        private mutating func encodeOptional(_ value: (some Encodable)?, _ key: Key) throws {
            guard let value else { return try encodeNil(forKey: key) }
            try encode(value, forKey: key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = node.append(key: key.stringValue)
            child.kind = .object([])
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = node.append(key: key.stringValue)
            child.kind = .array([])
            return Unkeyed(node: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { DocumentEncoder(node: node.append(key: "super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            DocumentEncoder(node: node.append(key: key.stringValue), codingPath: codingPath)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        var count: Int {
            if case .array(let items) = node.kind { return items.count }
            return 0
        }

        mutating func encodeNil() throws { node.appendItem().kind = .scalar(.null) }

        mutating func encode(_ value: some Encodable) throws {
            try JSONDocumentEncoder.put(value, into: node.appendItem(), codingPath: codingPath)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = node.appendItem()
            child.kind = .object([])
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = node.appendItem()
            child.kind = .array([])
            return Unkeyed(node: child, codingPath: codingPath)
        }

        mutating func superEncoder() -> any Encoder { DocumentEncoder(node: node.appendItem(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.kind = .scalar(.null) }

        mutating func encode(_ value: some Encodable) throws {
            try JSONDocumentEncoder.put(value, into: node, codingPath: codingPath)
        }
    }
}
