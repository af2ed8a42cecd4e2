import Foundation
import GitKit

/// Decides whether a commit was AI-assisted, naming each signal that matched.
public struct AISignalDetector: Sendable {
    /// Signal names, as reported in `ai_signals`.
    public enum Signal {
        public static let aiSession = "ai-session"
        public static let assistedBy = "assisted-by"
        public static let generatedBy = "generated-by"
        public static let claudeSession = "claude-session"
        public static let coAuthoredBy = "co-authored-by"
        public static let madeWithCursor = "made-with-cursor"
        public static let generatedWithClaudeCode = "generated-with-claude-code"
        public static let aiderAuthor = "aider-author"
        public static let aiderSubject = "aider-subject"
        public static let copilotAgent = "copilot-agent"
        public static let gitAINote = "git-ai-note"
        /// Agent Trace records cover lines the commit adds.
        public static let agentTrace = "agent-trace"
        public static let customTrailer = "trailer"
        /// An agent trailer inside the body, copied there by a squash merge from a squashed commit.
        public static let squashedTrailer = "squashed-trailer"
    }

    /// An AI agent as it shows up in co-author lines.
    struct Agent: Sendable {
        var name: String
        /// Words that name the agent anywhere in a co-author's name (only for unambiguous names).
        var nameWords: [String]
        /// Whole co-author names that mean the agent (for names people also carry).
        var exactNames: [String]
        var emailFragments: [String]
    }

    static let agents: [Agent] = [
        Agent(name: "claude", nameWords: ["claude"], exactNames: [], emailFragments: ["noreply@anthropic.com", "@anthropic.com"]),
        Agent(name: "codex", nameWords: ["codex"], exactNames: ["chatgpt"], emailFragments: ["noreply@openai.com", "codex@openai.com"]),
        Agent(name: "aider", nameWords: ["aider"], exactNames: [], emailFragments: ["aider@aider.chat", "@aider.chat"]),
        Agent(name: "copilot", nameWords: ["copilot"], exactNames: [], emailFragments: ["+copilot@users.noreply.github.com", "copilot-swe-agent"]),
        Agent(name: "gemini", nameWords: ["gemini"], exactNames: [], emailFragments: ["gemini-code-assist", "gemini-cli"]),
        Agent(name: "cursor", nameWords: ["cursor", "cursoragent"], exactNames: [], emailFragments: ["@cursor.com", "@cursor.sh", "cursoragent"]),
        Agent(name: "crush", nameWords: [], exactNames: ["crush", "charm crush"], emailFragments: ["crush@charm.land"]),
        Agent(name: "opencode", nameWords: ["opencode"], exactNames: [], emailFragments: ["@opencode.ai", "opencode"]),
        Agent(name: "goose", nameWords: [], exactNames: ["goose", "goose ai", "block goose"], emailFragments: ["goose@block.xyz", "goose-ai"]),
        Agent(name: "cline", nameWords: [], exactNames: ["cline", "cline bot", "cline ai"], emailFragments: ["@cline.bot", "cline-bot"]),
        Agent(
            name: "devin", nameWords: [], exactNames: ["devin", "devin ai", "devin-ai", "devin-ai-integration"],
            emailFragments: ["devin-ai-integration", "@cognition.ai", "@cognition-labs.com"]),
        Agent(
            name: "jules", nameWords: [], exactNames: ["jules", "google-labs-jules", "jules bot"],
            emailFragments: ["google-labs-jules", "jules@google.com"]),
        Agent(name: "amp", nameWords: [], exactNames: ["amp", "amp agent", "sourcegraph amp"], emailFragments: ["amp@ampcode.com", "@ampcode.com"]),
        Agent(name: "windsurf", nameWords: ["windsurf", "codeium"], exactNames: [], emailFragments: ["@windsurf.com", "@codeium.com"]),
        Agent(name: "kiro", nameWords: [], exactNames: ["kiro", "kiro agent", "kiro ai"], emailFragments: ["@kiro.dev", "kiro-agent"]),
        Agent(name: "qwen", nameWords: ["qwen", "qwen-code", "qwen-coder"], exactNames: [], emailFragments: ["qwen-code", "@qwen"]),
    ]

    /// Words that name a model or agent inside `Assisted-by:` / `Generated-by:` values.
    static let modelWords = [
        "claude", "sonnet", "opus", "haiku", "gpt", "chatgpt", "codex", "o1", "o3", "o4", "gemini", "copilot",
        "cursor", "aider", "llama", "mistral", "mixtral", "codestral", "devstral", "qwen", "deepseek", "grok",
        "kimi", "glm", "windsurf", "codeium", "opencode", "crush", "goose", "cline", "devin", "jules", "amp",
        "kiro", "tabnine", "cody", "phi", "starcoder", "claude-code", "gemini-cli",
    ]

    /// Model and agent words no person is likely to be named.
    static let distinctiveModelWords: Set<String> = [
        "claude", "sonnet", "gpt", "chatgpt", "codex", "gemini", "copilot", "aider", "llama", "mistral",
        "mixtral", "codestral", "devstral", "qwen", "deepseek", "grok", "windsurf", "codeium", "opencode",
        "claude-code", "gemini-cli", "tabnine",
    ]

    /// Extra trailer keys that mark a commit as AI-assisted whatever their value.
    public var extraTrailerKeys: [String]
    /// Extra co-author name or email fragments that mean an AI agent.
    public var extraCoAuthors: [String]
    /// Signals switched off by configuration.
    public var disabled: Set<String>

    public init(extraTrailerKeys: [String] = [], extraCoAuthors: [String] = [], disabled: Set<String> = []) {
        self.extraTrailerKeys = extraTrailerKeys.map { $0.lowercased() }
        self.extraCoAuthors = extraCoAuthors.map { $0.lowercased() }
        self.disabled = disabled
    }

    /// The signals that hold for `commit`, in a stable order, without duplicates.
    public func signals(for commit: Commit, trailers: [Trailer], hasAINote: Bool = false) -> [String] {
        signals(for: commit, summary: commit.summary, trailers: trailers, embedded: Trailer.embedded(message: commit.message), hasAINote: hasAINote)
    }

    /// The same, with the summary already worked out (history reads every commit once).
    /// `embedded`: the trailer-shaped lines of the body outside the trailer block
    /// (`Trailer.read(message:)` gives both from one parse).
    public func signals(for commit: Commit, summary: String, trailers: [Trailer], embedded: [Trailer], hasAINote: Bool = false) -> [String] {
        var found = [String]()
        func add(_ signal: String) {
            if !disabled.contains(signal), !disabled.contains(signal.split(separator: ":").first.map(String.init) ?? signal),
                !found.contains(signal)
            {
                found.append(signal)
            }
        }
        for trailer in trailers {
            let key = trailer.key.lowercased()
            let value = trailer.value
            switch key {
            case "ai-session": add(Signal.aiSession)
            case "claude-session": add(Signal.claudeSession)
            case "assisted-by" where Self.namesAgentOrModel(value): add(Signal.assistedBy)
            case "generated-by" where Self.namesAgentOrModel(value): add(Signal.generatedBy)
            case "co-authored-by":
                if let agent = coAuthorAgent(value) { add("\(Signal.coAuthoredBy):\(agent)") }
            case "made-with" where value.lowercased().contains("cursor"): add(Signal.madeWithCursor)
            default:
                if extraTrailerKeys.contains(key) { add("\(Signal.customTrailer):\(trailer.key)") }
            }
        }
        for trailer in embedded {
            if let agent = squashedAgent(trailer) { add("\(Signal.squashedTrailer):\(agent)") }
        }
        if Self.containsIgnoringCase(commit.message, "generated with [claude code]")
            || Self.containsIgnoringCase(commit.message, "generated with claude code")
        {
            add(Signal.generatedWithClaudeCode)
        }
        if Self.isAiderName(commit.author.name) || Self.isAiderName(commit.committer.name) { add(Signal.aiderAuthor) }
        if summary.prefix(7).lowercased() == "aider: " { add(Signal.aiderSubject) }
        let authorEmail = commit.author.email.lowercased(), authorName = commit.author.name.lowercased()
        if authorName == "copilot-swe-agent[bot]" || authorName == "copilot" && authorEmail.contains("copilot")
            || authorEmail.contains("copilot-swe-agent") || authorEmail.hasSuffix("+copilot@users.noreply.github.com")
        {
            add(Signal.copilotAgent)
        }
        if hasAINote { add(Signal.gitAINote) }
        return found
    }

    /// The agent an agent trailer copied into a squash commit's body names, if it is one.
    func squashedAgent(_ trailer: Trailer) -> String? {
        let value = trailer.value
        switch trailer.key.lowercased() {
        case "co-authored-by":
            return coAuthorAgent(value)
        case "assisted-by", "generated-by":
            guard Self.namesAgentOrModel(value) else { return nil }
            let name = Self.splitIdentity(value).name.lowercased()
            let agent = name.split(whereSeparator: { $0 == ":" || $0 == " " }).first.map(String.init) ?? name
            return agent.isEmpty ? nil : agent
        case "ai-session":
            guard let slash = value.firstIndex(of: "/") else { return "session" }
            let agent = value[..<slash].trimmingCharacters(in: .whitespaces).lowercased()
            return agent.isEmpty ? "session" : agent
        case "claude-session":
            return "claude-code"
        case "made-with" where value.lowercased().contains("cursor"):
            return "cursor"
        default:
            return nil
        }
    }

    /// ASCII case-insensitive search over UTF-8, without lowercasing or bridging the message.
    static func containsIgnoringCase(_ text: String, _ lowercaseNeedle: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: lowercaseNeedle.utf8Start, count: lowercaseNeedle.utf8CodeUnitCount)
        var text = text
        return text.withUTF8 { ASCIISearch.contains($0, lowercase: needle) }
    }

    static func isAiderName(_ name: String) -> Bool {
        name.trimmingCharacters(in: .whitespaces).lowercased().hasSuffix("(aider)")
    }

    /// The agent a `Co-authored-by:` value names, nil when it names a person.
    func coAuthorAgent(_ value: String) -> String? {
        let (name, email) = Self.splitIdentity(value)
        let lowerName = name.lowercased(), lowerEmail = email.lowercased()
        if Self.isDependencyBot(name: lowerName, email: lowerEmail) { return nil }
        let words = Self.words(lowerName)
        let bare = Self.bareName(lowerName)
        for agent in Self.agents {
            if agent.emailFragments.contains(where: { !lowerEmail.isEmpty && lowerEmail.contains($0) }) { return agent.name }
            if agent.nameWords.contains(where: { words.contains($0) }) { return agent.name }
            if agent.exactNames.contains(bare) { return agent.name }
        }
        for fragment in extraCoAuthors where lowerName.contains(fragment) || lowerEmail.contains(fragment) {
            return fragment
        }
        return nil
    }

    /// Whether an `Assisted-by:` / `Generated-by:` value names an agent or model rather than a person.
    static func namesAgentOrModel(_ value: String) -> Bool {
        let lower = value.lowercased()
        let (name, email) = splitIdentity(lower)
        if !email.isEmpty {
            // `Assisted-by: Jane Doe <jane@…>` is a person; an agent's own address is not.
            if agents.contains(where: { agent in agent.emailFragments.contains { email.contains($0) } }) { return true }
            return words(name).contains { distinctiveModelWords.contains($0) }
        }
        let tokens = words(lower)
        if tokens.contains(where: { modelWords.contains($0) }) { return true }
        // The kernel's AGENT:MODEL form with any agent name.
        if let colon = lower.firstIndex(of: ":"), lower[..<colon].allSatisfy({ !$0.isWhitespace }), colon != lower.startIndex,
            lower.index(after: colon) != lower.endIndex
        {
            return true
        }
        return false
    }

    static func isDependencyBot(name: String, email: String) -> Bool {
        ["dependabot", "renovate"].contains { name.contains($0) || email.contains($0) }
    }

    static func splitIdentity(_ value: String) -> (name: String, email: String) {
        guard let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close else {
            return (value.trimmingCharacters(in: .whitespaces), "")
        }
        let name = value[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(value[value.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        return (name, email)
    }

    /// Lowercase words split on anything that is not a letter or digit; model names such as
    /// `gpt-4o` also yield their prefix `gpt`.
    static func words(_ text: String) -> Set<String> {
        var result = Set<String>()
        for piece in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "." }) {
            result.insert(String(piece))
            for part in piece.split(whereSeparator: { $0 == "-" || $0 == "." }) {
                result.insert(String(part))
                // `gpt4o`, `o3mini` → leading letters
                let letters = part.prefix(while: \.isLetter)
                if !letters.isEmpty, letters.count < part.count { result.insert(String(letters)) }
            }
        }
        return result
    }

    static func bareName(_ name: String) -> String {
        var bare = name.trimmingCharacters(in: .whitespaces)
        for suffix in ["[bot]"] where bare.hasSuffix(suffix) { bare = String(bare.dropLast(suffix.count)) }
        return bare.trimmingCharacters(in: .whitespaces)
    }
}
