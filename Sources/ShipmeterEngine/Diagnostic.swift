/// Something a user should know that does not stop the work: a skipped file, an unreadable
/// deploy log, a model without a price. The engine returns these; the command line prints them.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable {
        case note, warning
    }

    public var level: Level
    public var message: String

    public init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }

    public static func note(_ message: String) -> Diagnostic { Diagnostic(.note, message) }
    public static func warning(_ message: String) -> Diagnostic { Diagnostic(.warning, message) }

    /// `warning: …` / `note: …`, as printed on standard error.
    public var description: String { "\(level.rawValue): \(message)" }
}
