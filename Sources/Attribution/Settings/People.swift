import Foundation

/// Who a report's actors and authors are: canonical person, team, bot. `People` answers from
/// configuration and mailmap; a ledger answers from what `attribute` stored.
public protocol Roster {
    /// The canonical person of a usage record's actor (an email, usually).
    func person(ofActor actor: String) -> String
    func team(ofPerson person: String) -> String?
    func isBot(actor: String) -> Bool
}

extension People: Roster {
    public func person(ofActor actor: String) -> String { canonical(email: actor) }
    public func team(ofPerson person: String) -> String? { team(of: person) }
    public func isBot(actor: String) -> Bool { isBot(email: actor) }
}

/// Who is who: canonical identities (mailmap, then configured aliases), bots, and teams.
public struct People {
    /// Team name for commits and records nobody owns.
    public static let unassigned = "unassigned"

    /// Resolves a raw identity through `.mailmap`; identity when there is none.
    public typealias MailmapResolver = (_ name: String, _ email: String) -> (name: String, email: String)

    private let mailmap: MailmapResolver
    private var aliases: [String: String] = [:]
    private var aliasGlobs: [(Glob, String)] = []
    private let bots: [Glob]
    private let teams: [Configuration.Team]
    private let memberGlobs: [(Glob, String)]
    /// Answers already worked out: reports ask about the same few people for every record.
    private let memo = Memo()

    private final class Memo {
        var canonical: [Identity: String] = [:]
        var team: [String: String?] = [:]
        var bot: [Identity: Bool] = [:]
    }

    /// A raw identity as commits and records give it.
    private struct Identity: Hashable {
        var name: String
        var email: String
    }

    public init(configuration: Configuration, mailmap: @escaping MailmapResolver = { ($0, $1) }) {
        self.mailmap = mailmap
        for (canonical, names) in configuration.identities {
            for name in names {
                // `Name <email>` aliases count by their email.
                let alias = Self.emailPart(name).lowercased()
                if alias.contains("*") || alias.contains("?") { aliasGlobs.append((Glob(alias), canonical)) } else { aliases[alias] = canonical }
            }
        }
        bots = configuration.botPatterns.map(Glob.init)
        teams = configuration.teams
        memberGlobs = configuration.teams.flatMap { team in team.members.map { (Glob($0), team.name) } }
    }

    static func emailPart(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The canonical key of a person: a lowercase email (or, for records whose actor is not an
    /// email, the actor as given, lowercased).
    public func canonical(name: String = "", email: String) -> String {
        let memoKey = Identity(name: name, email: email)
        if let known = memo.canonical[memoKey] { return known }
        let result = resolveCanonical(name: name, email: email)
        memo.canonical[memoKey] = result
        return result
    }

    private func resolveCanonical(name: String, email: String) -> String {
        let resolved = mailmap(name, email)
        let key = resolved.email.lowercased()
        if let canonical = aliases[key] { return canonical }
        if !resolved.name.isEmpty, let canonical = aliases[resolved.name.lowercased()] { return canonical }
        for (glob, canonical) in aliasGlobs where glob.matches(key) { return canonical }
        return key
    }

    /// The display name mailmap gives a person, when it gives one.
    public func displayName(name: String, email: String) -> String {
        mailmap(name, email).name
    }

    public func isBot(name: String = "", email: String) -> Bool {
        let memoKey = Identity(name: name, email: email)
        if let known = memo.bot[memoKey] { return known }
        let result = bots.contains { $0.matches(email) || (!name.isEmpty && $0.matches(name)) }
        memo.bot[memoKey] = result
        return result
    }

    /// The configured team of a canonical person, nil when in none.
    public func team(of person: String) -> String? {
        if let known = memo.team[person] { return known }
        let result = memberGlobs.first { $0.0.matches(person) }?.1
        memo.team[person] = .some(result)
        return result
    }

    public var teamNames: [String] { teams.map(\.name) }

    /// Maps a CODEOWNERS owner to a team: `@org/slug` → the configured team named `slug` or
    /// `org/slug` (else `slug` itself); an email → that person's team; a user handle → nil.
    public func team(forOwner owner: String) -> String? {
        if owner.hasPrefix("@") {
            let handle = String(owner.dropFirst())
            guard let slash = handle.firstIndex(of: "/") else { return nil }
            let slug = String(handle[handle.index(after: slash)...])
            if let configured = teams.first(where: { $0.name.lowercased() == handle.lowercased() }) { return configured.name }
            if let configured = teams.first(where: { $0.name.lowercased() == slug.lowercased() }) { return configured.name }
            return slug
        }
        if owner.contains("@") { return team(of: canonical(email: owner)) }
        return nil
    }
}
