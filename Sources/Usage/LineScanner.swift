import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in fixed-size chunks, so memory stays bounded whatever the file
/// size. Lines are handed out as byte buffers that are valid only during the callback.
struct LineScanner {
    static let chunkSize = 4 << 20
    /// A line longer than this is reported as malformed and skipped, never buffered whole.
    static let maximumLineLength = 256 << 20

    let path: String

    enum Stop: Error { case requested }

    /// Calls `body` for each line (without its newline) with its 1-based number. A final line
    /// without a newline is passed too, flagged `truncated` when the file does not end in one.
    func forEachLine(_ body: (_ number: Int, _ line: UnsafeBufferPointer<UInt8>, _ truncated: Bool) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw UsageError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var carry = [UInt8]()
        var lineNumber = 0
        var oversized = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageError.unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            try buffer.withUnsafeBufferPointer { chunk in
                var start = 0
                while start < count {
                    let remaining = count - start
                    let found = memchr(chunk.baseAddress! + start, 0x0A, remaining)
                    guard let found else {
                        if !oversized {
                            carry.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<count]))
                            if carry.count > Self.maximumLineLength { oversized = true; carry = [] }
                        }
                        break
                    }
                    let end = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - chunk.baseAddress!
                    lineNumber += 1
                    if oversized {
                        oversized = false
                        try body(lineNumber, UnsafeBufferPointer(start: nil, count: 0), true)
                    } else if carry.isEmpty {
                        try body(lineNumber, UnsafeBufferPointer(rebasing: chunk[start..<end]), false)
                    } else {
                        carry.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<end]))
                        try carry.withUnsafeBufferPointer { try body(lineNumber, $0, false) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
            }
        }
        if oversized || !carry.isEmpty {
            lineNumber += 1
            try carry.withUnsafeBufferPointer { try body(lineNumber, $0, true) }
        }
    }

    /// The first `limit` bytes of the file.
    static func head(of path: String, limit: Int = 1 << 16) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, limit) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether `needle` occurs in the buffer (a plain byte search, no decoding).
    func contains(bytes needle: StaticString) -> Bool {
        let length = needle.utf8CodeUnitCount
        guard let base = baseAddress, length > 0, count >= length else { return false }
        let first = Int32(needle.utf8Start.pointee)
        var offset = 0
        let last = count - length
        // memchr finds candidates at memory speed; memcmp confirms them.
        while offset <= last {
            guard let hit = memchr(base + offset, first, last - offset + 1) else { return false }
            let position = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            if memcmp(base + position, needle.utf8Start, length) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    var isBlank: Bool {
        allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
