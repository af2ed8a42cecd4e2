#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The AI agent session a commit is being made in.
public struct AgentSession: Equatable, Sendable {
    public var agent: String
    /// nil when the agent is known but exposes no session id (then only `Assisted-by` is written).
    public var id: String?
    public var model: String?
    /// How it was found, for `hooks status` and debugging.
    public var source: String

    public init(agent: String, id: String?, model: String?, source: String) {
        self.agent = agent
        self.id = id
        self.model = model
        self.source = source
    }

    /// The trailers this session adds to a commit message.
    public var trailers: [(key: String, value: String)] {
        var result = [(key: String, value: String)]()
        result.append(("Assisted-by", "\(agent):\(model ?? "unknown")"))
        if let id { result.append(("AI-Session", "\(agent)/\(id)")) }
        return result
    }
}
