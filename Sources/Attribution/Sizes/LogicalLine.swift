import Usage

/// One statement of code as a layout-free token stream: physical lines joined while a `(` or `[`
/// is open, whitespace and line breaks dropped (a space kept only between two words), quotes of
/// either kind made one, digit runs made `0`, and a `,` or `;` dropped before a closing bracket or
/// at the statement's end. `f(a, b)` and `f(\n  a,\n  b,\n)` are one logical line with one key.
public struct LogicalLine: Sendable, Hashable {
    /// Hash of the normalised token stream.
    public var key: UInt64
    /// Hash of the statement's shape: its first word as written, then every further word,
    /// string and number abstracted (`I`, `S`, `N`), punctuation as written. `case alpha =
    /// "alpha"` and `case beta = "beta"` share a shape.
    public var shape: UInt64
    /// Word tokens (runs of letters, digits, `_` and bytes above ASCII, inside strings too),
    /// at most `ChangeMeasure.maximumTokensPerLogicalLine`.
    public var tokens: Int
    /// Whether digits were in it (such a line is a numbered template: `entry_7 = 49`).
    public var numbered: Bool
    /// Physical lines it spans.
    public var physicalLines: Int
}

/// Builds logical lines from physical lines fed one at a time (allocation-free per line).
struct LogicalLineBuilder {
    /// At most this many physical lines make one logical line (an unclosed bracket in a diff's
    /// fragment must not swallow the rest of the file).
    static let maximumPhysicalLines = 16

    private var key = StableHash.seed
    private var shape = StableHash.seed
    private var tokens = 0
    private var numbered = false
    private var depth = 0
    private var physical = 0
    private var emitted = 0
    /// A `,` or `;` held back: dropped if a closing bracket or the statement's end comes next.
    private var pendingSeparator: UInt8 = 0
    private var lastWasWord = false

    /// Takes one physical line (trimmed, at most `ChangeMeasure.maximumLineBytes` read);
    /// returns the logical line it completes, if any. A line that opens a block (`{` last)
    /// completes one even inside brackets: a closure or callback passed as an argument is
    /// statements of its own, not one long call.
    mutating func feed(_ line: UnsafeRawBufferPointer) -> LogicalLine? {
        physical += 1
        var index = 0
        let count = min(line.count, ChangeMeasure.maximumLineBytes)
        var last: UInt8 = 0
        if count >= 2, line[0] == 0x2A, line[1] == 0x20 {  // `* ` continuing a block comment
            comment(line, from: 0, to: count)
            return finish()
        }
        while index < count {
            let byte = line[index]
            if ChangeMeasurer.isSpace(byte) {
                index += 1
                continue
            }
            if byte == 0x22 || byte == 0x27 || byte == 0x60 {  // " ' `
                index = string(line, from: index, to: count, quote: byte)
                last = byte
                continue
            }
            if ChangeMeasurer.isWord(byte) {
                index = word(line, from: index, to: count)
                last = 0x61
                continue
            }
            if Self.opensComment(line, at: index, count: count) {
                comment(line, from: index, to: count)
                break
            }
            punctuation(byte)
            last = byte
            index += 1
        }
        guard depth <= 0 || last == 0x7B || physical >= Self.maximumPhysicalLines else { return nil }  // {
        return finish()
    }

    /// `//`, `/*`, or `#` at the line's start or after a space and followed by one (a shell,
    /// Python or Ruby comment; not `#if`, `#include`): the rest of the line is prose, whose
    /// brackets and quotes must not join or split statements.
    static func opensComment(_ line: UnsafeRawBufferPointer, at index: Int, count: Int) -> Bool {
        let byte = line[index]
        if byte == 0x2F, index + 1 < count { return line[index + 1] == 0x2F || line[index + 1] == 0x2A }
        guard byte == 0x23 else { return false }
        let before = index == 0 || ChangeMeasurer.isSpace(line[index - 1])
        let after = index + 1 == count || ChangeMeasurer.isSpace(line[index + 1])
        return before && after
    }

    /// The rest of the line as comment text: its words counted, runs of whitespace one space.
    private mutating func comment(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        flushSeparator(closing: false)
        if lastWasWord { keyByte(0x20) }
        shapeByte(0x43)  // C
        var inWord = false, inSpace = false, inDigits = false
        for index in start..<end {
            let byte = line[index]
            if ChangeMeasurer.isSpace(byte) {
                inSpace = true
                inWord = false
                inDigits = false
                continue
            }
            if inSpace {
                keyByte(0x20)
                inSpace = false
            }
            prose(byte, inWord: &inWord, inDigits: &inDigits)
        }
        lastWasWord = false
    }

    /// One byte of a string or comment: words counted as tokens, digit runs made `0`.
    @inline(__always)
    private mutating func prose(_ byte: UInt8, inWord: inout Bool, inDigits: inout Bool) {
        let isWord = ChangeMeasurer.isWord(byte)
        if isWord, !inWord { tokens += 1 }
        inWord = isWord
        keyDigitRun(byte, inDigits: &inDigits)
    }

    /// Writes `byte` to the key, each run of digits as one `0`; true when it was no digit.
    @inline(__always) @discardableResult
    private mutating func keyDigitRun(_ byte: UInt8, inDigits: inout Bool) -> Bool {
        guard byte >= 0x30 && byte <= 0x39 else {
            inDigits = false
            keyByte(byte)
            return true
        }
        numbered = true
        if !inDigits { keyByte(0x30) }
        inDigits = true
        return false
    }

    /// Ends the logical line in progress (at the end of a file's lines); nil when it is empty.
    mutating func finish() -> LogicalLine? {
        defer { self = LogicalLineBuilder() }
        guard emitted > 0 else { return nil }
        return LogicalLine(
            key: ChangeMeasurer.mix(key), shape: ChangeMeasurer.mix(shape),
            tokens: min(tokens, ChangeMeasure.maximumTokensPerLogicalLine), numbered: numbered, physicalLines: physical)
    }

    // MARK: - Tokens

    @inline(__always)
    private mutating func keyByte(_ byte: UInt8) {
        key ^= UInt64(byte)
        key = key &* 0x100_0000_01b3
        emitted += 1
    }

    @inline(__always)
    private mutating func shapeByte(_ byte: UInt8) {
        shape ^= UInt64(byte)
        shape = shape &* 0x100_0000_01b3
    }

    /// A held-back separator is written unless `closing` follows it.
    @inline(__always)
    private mutating func flushSeparator(closing: Bool) {
        if pendingSeparator != 0, !closing {
            keyByte(pendingSeparator)
            shapeByte(pendingSeparator)
        }
        pendingSeparator = 0
    }

    private mutating func punctuation(_ byte: UInt8) {
        let closing = byte == 0x29 || byte == 0x5D || byte == 0x7D  // ) ] }
        if byte == 0x2C || byte == 0x3B {  // , ;
            flushSeparator(closing: false)
            pendingSeparator = byte
            lastWasWord = false
            return
        }
        flushSeparator(closing: closing)
        if byte == 0x28 || byte == 0x5B { depth += 1 }
        if byte == 0x29 || byte == 0x5D { depth -= 1 }
        keyByte(byte)
        shapeByte(byte)
        lastWasWord = false
    }

    private mutating func word(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        flushSeparator(closing: false)
        if lastWasWord { keyByte(0x20) }
        let first = emitted == 0
        let number = line[start] >= 0x30 && line[start] <= 0x39
        var index = start, inDigits = false
        var literal = StableHash.seed
        while index < end, ChangeMeasurer.isWord(line[index]) {
            let byte = line[index]
            if keyDigitRun(byte, inDigits: &inDigits) { literal = (literal ^ UInt64(byte)) &* 0x100_0000_01b3 }
            index += 1
        }
        tokens += 1
        if first, !number {
            shape ^= literal
            shape = shape &* 0x100_0000_01b3
        } else {
            shapeByte(number ? 0x4E : 0x49)  // N, I
        }
        lastWasWord = true
        return index
    }

    /// A string to its closing quote (a backslash escapes) or the line's end: written with one
    /// kind of quote, its words counted as tokens.
    private mutating func string(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int, quote: UInt8) -> Int {
        flushSeparator(closing: false)
        keyByte(0x22)
        shapeByte(0x53)  // S
        var index = start + 1, inWord = false, inDigits = false
        while index < end {
            let byte = line[index]
            if byte == quote {
                index += 1
                break
            }
            if byte == 0x5C, index + 1 < end {  // backslash: the escaped byte as written
                keyByte(byte)
                keyByte(line[index + 1])
                index += 2
                inWord = false
                continue
            }
            prose(byte, inWord: &inWord, inDigits: &inDigits)
            index += 1
        }
        keyByte(0x22)
        lastWasWord = false
        return index
    }
}
