import Foundation
import WorkProgress

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in fixed-size chunks, so memory stays bounded whatever the file
/// size. Lines are handed out as byte buffers that are valid only during the callback.
struct LineScanner {
    static let chunkSize = 4 << 20
    /// A line longer than this is reported as malformed and skipped, never buffered whole: with
    /// the 4 MB chunk, reading any file (20 GB without a newline, say) holds at most about
    /// 1.5 × this (the carried line while its buffer grows). Agents' longest lines — a tool result
    /// with an image — are a few MB.
    static let maximumLineLength = 128 << 20

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
        // Uninitialised: the kernel fills what is used, and zeroing 4 MB per file adds up.
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.chunkSize)
        defer { storage.deallocate() }
        let buffer = UnsafeBufferPointer(storage)
        var carry = [UInt8]()
        var lineNumber = 0
        var oversized = false
        while true {
            let count = read(fd, storage.baseAddress, Self.chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageError.unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            WorkProgress.advance(count)
            try { (chunk: UnsafeBufferPointer<UInt8>) in
                guard let base = chunk.baseAddress else { return }
                var start = 0
                while start < count {
                    let remaining = count - start
                    let found = memchr(base + start, 0x0A, remaining)
                    guard let found else {
                        if !oversized {
                            if carry.count + (count - start) > Self.maximumLineLength {
                                oversized = true
                                carry = []
                            } else {
                                carry.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<count]))
                            }
                        }
                        break
                    }
                    let end = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
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
            }(buffer)
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
        contains(needle.utf8Start, length: needle.utf8CodeUnitCount)
    }

    func contains(bytes needle: [UInt8]) -> Bool {
        needle.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return false }
            return contains(start, length: buffer.count)
        }
    }

    private func contains(_ needle: UnsafePointer<UInt8>, length: Int) -> Bool {
        guard let base = baseAddress, length > 0, count >= length else { return false }
        if let memmem = ByteSearch.memmem {
            return memmem(base, count, needle, length) != nil
        }
        // Without the C library's memmem: candidates by the needle's last byte, then compare.
        let last = Int32(needle[length - 1])
        var offset = length - 1
        while offset < count {
            guard let hit = memchr(base + offset, last, count - offset) else { return false }
            let position = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            if memcmp(base + position - (length - 1), needle, length) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    /// Whether a JSON-lines line was cut mid-write (an agent killed while writing a large tool
    /// result): it is not blank and does not end, before trailing blanks, with the `}` that closes
    /// every line of such a log. Reads from the end, so it costs a byte or two per line.
    var isCutJSONLine: Bool {
        var index = count - 1
        while index >= 0, self[index] == 0x20 || self[index] == 0x09 || self[index] == 0x0D { index -= 1 }
        return index >= 0 && self[index] != 0x7D
    }

    var isBlank: Bool {
        allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

/// The C library's `memmem` (a vectorised two-way search in glibc). Swift's Glibc module hides
/// it behind `_GNU_SOURCE`, so it is looked up once at run time.
enum ByteSearch {
    typealias Function = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?

    static let memmem: Function? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memmem") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
        #else
        return nil
        #endif
    }()
}
