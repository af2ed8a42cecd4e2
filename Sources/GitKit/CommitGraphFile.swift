import Foundation
import GitModel

/// git's commit-graph file (`objects/info/commit-graph`, or the chain of layers in
/// `objects/info/commit-graphs/`): every commit's parents without reading the commit. The walk
/// uses it to know history's shape first and then read the commits themselves on every core.
/// Only what the walk needs is read (object ids, parents); a file that is not well formed in
/// any of that — truncated, chunks out of bounds, ids out of order, a parent past the end — is
/// not used at all. (Ids filed under the wrong first byte are simply not found: those commits
/// are read instead.)
package struct CommitGraphFile {
    /// One file of the chain; positions count on from the layers below it.
    private struct Layer {
        let bytes: [UInt8]
        let count: Int
        let base: Int
        let fanout: Int
        let ids: Int
        let data: Int
        let edges: Int?
        let edgeCount: Int
    }

    private let layers: [Layer]
    package let count: Int

    private static let none: UInt32 = 0x7000_0000
    private static let extraEdges: UInt32 = 0x8000_0000

    /// The graph of the repository whose object folder is `objects`; nil when it has none or
    /// none that is sound.
    package static func open(objects: String) -> CommitGraphFile? {
        let info = objects + "/info"
        var paths = [String]()
        if let chain = try? String(contentsOfFile: info + "/commit-graphs/commit-graph-chain", encoding: .utf8) {
            let hashes = chain.split(whereSeparator: \.isNewline).map(String.init)
            guard !hashes.isEmpty, hashes.allSatisfy({ $0.count == 40 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            paths = hashes.map { info + "/commit-graphs/graph-\($0).graph" }
        } else if FileManager.default.fileExists(atPath: info + "/commit-graph") {
            paths = [info + "/commit-graph"]
        } else {
            return nil
        }
        var layers = [Layer]()
        var total = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path), let layer = Self.layer(Array(data), base: total) else { return nil }
            layers.append(layer)
            total += layer.count
        }
        let graph = CommitGraphFile(layers: layers, count: total)
        return graph.parentsInBounds() ? graph : nil
    }

    private init(layers: [Layer], count: Int) {
        self.layers = layers
        self.count = count
    }

    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// Header `CGPH`, version 1, SHA-1; a chunk table whose offsets rise within the file; the
    /// fanout, ids and commit data chunks of the sizes the fanout's total implies.
    private static func layer(_ bytes: [UInt8], base: Int) -> Layer? {
        guard bytes.count >= 8 + 12 + 20, bytes[0..<4].elementsEqual("CGPH".utf8), bytes[4] == 1, bytes[5] == 1 else { return nil }
        let chunkCount = Int(bytes[6])
        let tableEnd = 8 + (chunkCount + 1) * 12
        guard bytes.count >= tableEnd + 20 else { return nil }
        var chunks = [UInt32: Range<Int>]()
        for index in 0..<chunkCount {
            let entry = 8 + index * 12
            let start = Int(word(bytes, entry + 4)) << 32 | Int(word(bytes, entry + 8))
            let end = Int(word(bytes, entry + 16)) << 32 | Int(word(bytes, entry + 20))
            guard start >= tableEnd, start <= end, end <= bytes.count - 20 else { return nil }
            chunks[word(bytes, entry)] = start..<end
        }
        func chunk(_ name: String) -> Range<Int>? { chunks[name.utf8.reduce(0) { $0 << 8 | UInt32($1) }] }
        guard let fanout = chunk("OIDF"), fanout.count == 256 * 4, let ids = chunk("OIDL"), let data = chunk("CDAT") else { return nil }
        var previous: UInt32 = 0
        for index in 0..<256 {
            let value = word(bytes, fanout.lowerBound + 4 * index)
            guard value >= previous else { return nil }
            previous = value
        }
        let count = Int(previous)
        guard ids.count == count * 20, data.count == count * 36 else { return nil }
        // Sorted ids, each in the fanout bucket of its first byte: lookups can trust both.
        for index in 0..<count {
            let id = ids.lowerBound + index * 20
            if index > 0, !bytes[(id - 20)..<id].lexicographicallyPrecedes(bytes[id..<(id + 20)]) { return nil }
        }
        let edges = chunk("EDGE")
        guard (edges?.count ?? 0) % 4 == 0 else { return nil }
        return Layer(
            bytes: bytes, count: count, base: base, fanout: fanout.lowerBound, ids: ids.lowerBound, data: data.lowerBound,
            edges: edges?.lowerBound, edgeCount: (edges?.count ?? 0) / 4)
    }

    /// Every parent position lies in the graph and every list of extra parents ends within its chunk.
    private func parentsInBounds() -> Bool {
        for position in 0..<count where parents(at: position) == nil { return false }
        return true
    }

    private func layer(of position: Int) -> Layer {
        layers.last { $0.base <= position }!
    }

    /// The position of `id` in the graph; nil when the graph does not hold it.
    func position(of id: ObjectID) -> Int? {
        var oid = id.raw
        return withUnsafeBytes(of: &oid.id) { raw -> Int? in
            for layer in layers.reversed() {
                let first = Int(raw[0])
                var low = first == 0 ? 0 : Int(Self.word(layer.bytes, layer.fanout + 4 * (first - 1)))
                var high = Int(Self.word(layer.bytes, layer.fanout + 4 * first))
                while low < high {
                    let middle = (low + high) / 2
                    let order = layer.bytes.withUnsafeBytes { memcmp($0.baseAddress! + layer.ids + middle * 20, raw.baseAddress!, 20) }
                    if order == 0 { return layer.base + middle }
                    if order < 0 { low = middle + 1 } else { high = middle }
                }
            }
            return nil
        }
    }

    func id(at position: Int) -> ObjectID {
        let layer = layer(of: position)
        let start = layer.ids + (position - layer.base) * 20
        return layer.bytes.withUnsafeBytes { raw in
            ObjectID(
                words: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self)),
                UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 16, as: UInt32.self)))
        }
    }

    /// The parents' positions in order; nil when the record points outside the graph.
    func parents(at position: Int) -> [Int]? {
        let layer = layer(of: position)
        let record = layer.data + (position - layer.base) * 36
        let first = Self.word(layer.bytes, record + 20)
        let second = Self.word(layer.bytes, record + 24)
        var result = [Int]()
        func add(_ value: UInt32) -> Bool {
            guard Int(value) < count else { return false }
            result.append(Int(value))
            return true
        }
        if first == Self.none { return second == Self.none ? result : nil }
        guard add(first) else { return nil }
        if second == Self.none { return result }
        if second & Self.extraEdges == 0 { return add(second) ? result : nil }
        // More than two parents: the rest are listed in the EDGE chunk, the last one marked.
        guard let edges = layer.edges else { return nil }
        var index = Int(second & ~Self.extraEdges)
        while index < layer.edgeCount {
            let value = Self.word(layer.bytes, edges + 4 * index)
            guard add(value & ~Self.extraEdges) else { return nil }
            if value & Self.extraEdges != 0 { return result }
            index += 1
        }
        return nil
    }
}
