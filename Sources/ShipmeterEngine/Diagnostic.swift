import Usage

/// Something a user should know that does not stop the work: a skipped file, an unreadable
/// deploy log, a model without a price. The engine returns these; the command line prints them.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable {
        case note, warning
    }

    public var level: Level
    public var message: String
    /// Input the command was asked to read was left out (an unreadable usage file, say): it
    /// finishes, and says its result is partial (exit status 3).
    public var leftOut: Bool

    public init(_ level: Level, _ message: String, leftOut: Bool = false) {
        self.level = level
        self.message = message
        self.leftOut = leftOut
    }

    public static func note(_ message: String) -> Diagnostic { Diagnostic(.note, message) }
    /// A note of the usage reader: left out input when it says so.
    public static func usage(_ message: String) -> Diagnostic { Diagnostic(.note, message, leftOut: UsageLoader.leftOut(message)) }
    public static func warning(_ message: String) -> Diagnostic { Diagnostic(.warning, message) }

    /// `warning: …` / `note: …`, as printed on standard error.
    public var description: String { "\(level.rawValue): \(message)" }
}
