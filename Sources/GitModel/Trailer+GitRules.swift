#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// git's trailer.c, over the raw bytes of a message: where the block starts and ends, what a
/// separator is, how continuation lines join.
extension TrailerBlock {
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// The byte at `index`, 0 past the end (git reads a NUL-terminated string).
    static func at(_ buffer: UnsafeRawBufferPointer, _ index: Int) -> UInt8 { index < buffer.count ? buffer[index] : 0 }

    /// The start of the line after the one at `index` (or the end).
    static func nextLine(_ buffer: UnsafeRawBufferPointer, _ index: Int) -> Int {
        guard index < buffer.count, let base = buffer.baseAddress else { return buffer.count }
        guard let found = memchr(base + index, Int32(newline), buffer.count - index) else { return buffer.count }
        return base.distance(to: UnsafeRawPointer(found)) + 1
    }

    /// The start of the last line before `length` (a final newline belongs to that line); -1 when none.
    static func lastLine(_ buffer: UnsafeRawBufferPointer, _ length: Int) -> Int {
        if length == 0 { return -1 }
        if length == 1 { return 0 }
        var index = length - 2
        while index >= 0 {
            if buffer[index] == newline { return index + 1 }
            index -= 1
        }
        return 0
    }

    static func isBlankLine(_ buffer: UnsafeRawBufferPointer, _ index: Int) -> Bool {
        var position = index
        while position < buffer.count, buffer[position] != newline, isSpace(buffer[position]) { position += 1 }
        return position >= buffer.count || buffer[position] == newline
    }

    static func startsWith(_ buffer: UnsafeRawBufferPointer, _ index: Int, _ prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= buffer.count else { return false }
        for offset in prefix.indices where buffer[index + offset] != prefix[offset] { return false }
        return true
    }

    /// Where the separator `:` of a `Key: value` line is: the key is letters, digits and `-`,
    /// optionally followed by blanks; -1 when the line is not of that shape.
    static func separator(_ buffer: UnsafeRawBufferPointer, _ line: Int) -> Int {
        var whitespace = false
        var position = line
        while position < buffer.count, buffer[position] != 0 {
            let byte = buffer[position]
            if byte == UInt8(ascii: ":") { return position - line }
            let isKey =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-")
            if !whitespace && isKey {
                position += 1
                continue
            }
            if position != line && (byte == 0x20 || byte == 0x09) {
                whitespace = true
                position += 1
                continue
            }
            break
        }
        return -1
    }

    /// git's `wt_status_locate_end`: where a scissors line starts, else the end.
    static func scissorsCutoff(_ buffer: UnsafeRawBufferPointer) -> Int {
        let pattern = scissors
        if startsWith(buffer, 0, Array(pattern.dropFirst())) { return 0 }
        guard buffer.count >= pattern.count else { return buffer.count }
        // Only a line that starts with the comment character can be the scissors line.
        var line = nextLine(buffer, 0)
        while line + pattern.count - 1 <= buffer.count {
            if buffer[line] == comment, startsWith(buffer, line - 1, pattern) { return line }
            line = nextLine(buffer, line)
        }
        return buffer.count
    }

    /// git's `ignore_non_trailer`: the end of the message less trailing comments, blank lines,
    /// an old `Conflicts:` block and anything below a scissors line.
    static func trailerEnd(_ buffer: UnsafeRawBufferPointer) -> Int {
        let cutoff = scissorsCutoff(buffer)
        var beginningOfComments = 0
        var line = 0
        var inConflicts = false
        while line < cutoff {
            let next = nextLine(buffer, line)
            let first = buffer[line]
            if first == comment || first == newline {
                if beginningOfComments == 0 { beginningOfComments = line }
            } else if startsWith(buffer, line, conflicts) {
                inConflicts = true
                if beginningOfComments == 0 { beginningOfComments = line }
            } else if inConflicts && first == 0x09 {
                // a path in the conflicts block
            } else if beginningOfComments != 0 {
                beginningOfComments = 0
                inConflicts = false
            }
            line = next
        }
        return beginningOfComments != 0 ? beginningOfComments : cutoff
    }

    /// git's `find_trailer_start`, and where the title paragraph ends.
    static func trailerStart(_ buffer: UnsafeRawBufferPointer, end length: Int) -> (start: Int, endOfTitle: Int) {
        var title = 0
        while title < length {
            if buffer[title] == comment {
                title = nextLine(buffer, title)
                continue
            }
            if isBlankLine(buffer, title) { break }
            title = nextLine(buffer, title)
        }
        var onlySpaces = true, recognisedPrefix = false
        var trailerLines = 0, nonTrailerLines = 0, possibleContinuations = 0
        var line = lastLine(buffer, length)
        outer: while line >= title {
            defer { line = lastLine(buffer, line) }
            let first = at(buffer, line)
            if first == comment {
                nonTrailerLines += possibleContinuations
                possibleContinuations = 0
                continue
            }
            if isBlankLine(buffer, line) {
                if onlySpaces { continue }
                nonTrailerLines += possibleContinuations
                if recognisedPrefix && trailerLines * 3 >= nonTrailerLines { return (nextLine(buffer, line), title) }
                if trailerLines > 0 && nonTrailerLines == 0 { return (nextLine(buffer, line), title) }
                return (length, title)
            }
            onlySpaces = false
            for prefix in generatedPrefixes where startsWith(buffer, line, prefix) {
                trailerLines += 1
                possibleContinuations = 0
                recognisedPrefix = true
                continue outer
            }
            if separator(buffer, line) >= 1 && !isSpace(first) {
                trailerLines += 1
                possibleContinuations = 0
            } else if isSpace(first) {
                possibleContinuations += 1
            } else {
                nonTrailerLines += 1 + possibleContinuations
                possibleContinuations = 0
            }
        }
        return (length, title)
    }

    /// The block's lines, each continuation line joined to the trailer above it.
    static func joinContinuations(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int) -> [Range<Int>] {
        var pieces = [[Range<Int>]]()
        var lastIsTrailer = false
        var line = start
        while line < end {
            let next = min(nextLine(buffer, line), end)
            if lastIsTrailer, isSpace(buffer[line]), !pieces.isEmpty {
                pieces[pieces.count - 1].append(line..<next)
            } else {
                pieces.append([line..<next])
                lastIsTrailer = separator(buffer, line) >= 1
            }
            line = next
        }
        return pieces.compactMap { ranges in ranges.first.map { $0.lowerBound..<ranges[ranges.count - 1].upperBound } }
    }

    /// Key and value of a trailer at `range`, the value unfolded; nil when it is not one.
    static func trailer(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Trailer? {
        let position = separator(buffer, range.lowerBound)
        guard position >= 1, range.lowerBound + position < range.upperBound else { return nil }
        let key = trimmed(buffer, range.lowerBound..<(range.lowerBound + position))
        let raw = trimmed(buffer, (range.lowerBound + position + 1)..<range.upperBound)
        // Unfold: a line break and the whitespace after it become one space.
        var value = [UInt8]()
        value.reserveCapacity(raw.count)
        var index = raw.lowerBound
        while index < raw.upperBound {
            let byte = buffer[index]
            index += 1
            if byte == newline {
                while index < raw.upperBound, isSpace(buffer[index]) { index += 1 }
                value.append(0x20)
            } else {
                value.append(byte)
            }
        }
        while let last = value.last, isSpace(last) { value.removeLast() }
        while let first = value.first, isSpace(first) { value.removeFirst() }
        return Trailer(
            key: String(decoding: UnsafeRawBufferPointer(rebasing: buffer[key]), as: UTF8.self),
            value: String(decoding: value, as: UTF8.self))
    }

    static func trimmed(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isSpace(buffer[lower]) { lower += 1 }
        while upper > lower, isSpace(buffer[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}
