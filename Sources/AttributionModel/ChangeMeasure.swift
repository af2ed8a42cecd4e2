import Foundation
import GitModel
import Usage

/// What one commit changed, measured as the information it adds to what the repository already
/// held, so that splitting, padding, churn, copies, reformatting and templates cannot inflate it.
///
/// **Effective lines** — in line-equivalents (an ordinary hand-written line is about one):
/// 1. files a `ChangeFilter` leaves out (lock files, generated, vendored, `.gitattributes`
///    `linguist-generated`/`linguist-vendored`/`-diff`/`binary`), binary files, files whose first
///    changed lines say they are generated (`@generated`, `DO NOT EDIT`), and files of 20 or more
///    changed lines four fifths of which are 32 bytes or longer without a space (base64, hex,
///    one-record-per-line JSON) count nothing;
/// 2. the changed lines of each file become *logical lines* (`LogicalLine`): a layout-free token
///    stream per statement, so indentation, line breaks inside brackets, one argument per line,
///    trailing commas and quote style change nothing;
/// 3. a logical line added and deleted in the same commit (a move, a re-layout) counts neither time;
/// 4. an added logical line whose lines all lie in blocks of `ReferenceBlocks.blockLines`
///    consecutive lines (with words, whitespace ignored) that the parent already held is a *copy*
///    and counts nothing: a new file is compared with the parent's whole tree (any file, any
///    path, any indentation), a file the parent had with its own earlier version;
/// 5. what is left counts once per distinct logical line, worth its word tokens (at most
///    `maximumTokensPerLogicalLine`) over `tokensPerLine`: punctuation is worth nothing;
/// 6. *templates*: added lines of one shape (`LogicalLine.shape`) — `templateRun` or more distinct
///    ones in a commit — count as `templateWorth(n)` lines of their average worth, about 4 + ln n
///    (300 same-shape lines earn what ~10 lines do), and a shape counts once per person across a
///    report's window; a line with numbers in it (`entry_7 = 49`) is a template of its own,
///    likewise counted once per person.
/// The sum over lines is additive, and a part measured against a parent that already holds the
/// earlier parts adds only what is new: a change split over k commits measures what it measured
/// as one. A report caps it per commit (`report.line_cap`).
///
/// **Fingerprints** — an order-free hash of the change (each non-blank line's path, side and
/// trimmed text) and of its inverse: a commit whose fingerprint is an earlier commit's inverse
/// undoes it, whatever its message says.
public struct ChangeMeasure: Sendable, Hashable {
    public var effectiveLines: Double
    public var fingerprint: Int64
    public var inverseFingerprint: Int64
    /// Templates by hash, with their worth in word tokens: a report counts each once per person
    /// across the window, so they cannot be multiplied by cutting them into commits.
    public var templates: [Template]
    /// Physical lines the commit adds in the files that count (rule 1).
    public var addedLines: Int
    /// Of those, lines of blocks the parent already held (rule 4).
    public var copiedLines: Int
    /// Of those, lines whose statements the commit also deletes: moves and re-layouts (rule 3).
    public var movedLines: Int
    /// Of those, lines of same-shape runs (rule 6).
    public var templatedLines: Int

    public struct Template: Sendable, Hashable {
        public var key: Int64
        public var tokens: Int

        public init(key: Int64, tokens: Int) {
            self.key = key
            self.tokens = tokens
        }
    }

    public init(
        effectiveLines: Double, fingerprint: Int64, inverseFingerprint: Int64, templates: [Template] = [],
        addedLines: Int = 0, copiedLines: Int = 0, movedLines: Int = 0, templatedLines: Int = 0
    ) {
        self.effectiveLines = effectiveLines
        self.fingerprint = fingerprint
        self.inverseFingerprint = inverseFingerprint
        self.templates = templates
        self.addedLines = addedLines
        self.copiedLines = copiedLines
        self.movedLines = movedLines
        self.templatedLines = templatedLines
    }

    public static let empty = ChangeMeasure(effectiveLines: 0, fingerprint: 0, inverseFingerprint: 0)

    /// Word tokens in an ordinary line of code: the median over the distinct changed lines of this
    /// repository (Swift 8.2) and four public histories (Go 6.2, JavaScript 5.5, Python 4.7,
    /// Rust 4.5) is 5.5.
    public static let tokensPerLine = 5
    /// A longer statement (prose, data, a long call, however it is laid out) counts as three
    /// lines at most.
    public static let maximumTokensPerLogicalLine = 15
    /// Longer physical lines are data or minified code: only their start is read.
    package static let maximumLineBytes = 512
    /// A file of at least this many changed lines, four fifths of them at least `denseLineBytes`
    /// long without a space, is data (base64, hex dumps, one-record-per-line JSON) and counts nothing.
    package static let dataFileLines = 20
    package static let denseLineBytes = 32
    /// Distinct added lines of one shape from which they are a template run (fewer are ordinary
    /// code: a few `case` lines, a few assignments).
    public static let templateRun = 8

    /// What `n` distinct same-shape lines are worth, in lines of their average worth: all of
    /// them below `templateRun`, then 4 + ln(n − 3) — 5.6 for 8, 7.0 for 20, 9.7 for 300.
    public static func templateWorth(_ n: Int) -> Double {
        n < templateRun ? Double(n) : 4 + log(Double(n - 3))
    }

    /// Whether the change can pair with another as a revert: it has lines, and is not its own
    /// inverse (a pure move of lines within files).
    public var canPair: Bool { fingerprint != 0 && fingerprint != inverseFingerprint }
}
