import Foundation
import GitKit

/// The rule for a commit's team.
public enum CommitTeam {
    /// The author's team; else the team owning most of the commit's changed lines by CODEOWNERS
    /// (`stats` read only then); else `unassigned`.
    public static func resolve(person: String, people: People, codeOwners: CodeOwners?, stats: () -> DiffStats?) -> String {
        if let team = people.team(ofPerson: person) { return team }
        guard let codeOwners, let stats = stats() else { return People.unassigned }
        var byTeam = [String: Int]()
        for file in stats.files {
            let owners = codeOwners.owners(of: file.path)
            guard let team = owners.lazy.compactMap(people.team(forOwner:)).first else { continue }
            byTeam[team, default: 0] += max(file.linesAdded + file.linesDeleted, 1)
        }
        return byTeam.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? People.unassigned
    }
}
