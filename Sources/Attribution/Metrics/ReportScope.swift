/// Whose work a report is about: everyone (the default), one team, or one person. A deployment
/// counts for the scope when it shipped the scope's commits, worth the scope's part of it; usage
/// counts when its actor is in the scope.
public struct ReportScope: Sendable, Equatable {
    public var team: String?
    public var person: String?

    public init(team: String? = nil, person: String? = nil) {
        self.team = team
        self.person = person
    }

    public var isEverything: Bool { team == nil && person == nil }

    /// Whether someone (person, team, is a bot) is in the scope; an unknown actor never is.
    func contains(_ who: (person: String, team: String, bot: Bool)?) -> Bool {
        guard let who else { return isEverything }
        if let person, who.bot || who.person != person.lowercased() && who.person != person { return false }
        if let team, who.team != team { return false }
        return true
    }
}
