import Attribution
import Foundation
import Ledger
import Reporting
import ShipmeterEngine
import Usage

/// The dashboard's filters, from the query string: `since`, `until` (as `report` takes them),
/// `env`, `by`, `repo`, `team`, `person`.
struct DashboardQuery: Sendable, Equatable {
    var since: String?
    var until: String?
    var env: String?
    var by: GroupBy?
    var repo: String?
    var team: String?
    var person: String?

    static let windows = ["7d", "30d", "90d", "365d"]

    struct Invalid: Error {
        var message: String
    }

    init() {}

    init(_ parameters: [(String, String)]) throws(Invalid) {
        for (key, value) in parameters {
            let value = value.trimmingCharacters(in: .whitespaces)
            let given = value.isEmpty ? nil : value
            switch key {
            case "since": since = given
            case "until": until = given
            case "env": env = given
            case "repo": repo = given
            case "team": team = given
            case "person": person = given
            case "by":
                guard let given else { continue }
                guard let group = GroupBy(rawValue: given) else {
                    throw Invalid(message: "by=\(given) is not a grouping: use one of \(GroupBy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                by = group
            default:
                continue  // unknown parameters are ignored, as links from elsewhere may carry some
            }
        }
    }

    /// The grouping shown: the one asked for, else a team's people, a person's deployments, or teams.
    var grouping: GroupBy { by ?? (person != nil ? .deployment : team != nil ? .person : .team) }

    /// The window asked for (resolved, and refused when it is no window, by the engine).
    func window(now: Date) -> ReportWindow { ReportWindow(since: since, until: until, now: now) }

    var scope: ReportScope { ReportScope(team: team, person: person) }

    /// This query's link at `path`, changed by `change`.
    func href(_ path: String = "/", _ change: (inout DashboardQuery) -> Void = { _ in }) -> String {
        var query = self
        change(&query)
        let pairs: [(String, String?)] = [
            ("since", query.since), ("until", query.until), ("env", query.env), ("by", query.by?.rawValue),
            ("repo", query.repo), ("team", query.team), ("person", query.person),
        ]
        let text = pairs.compactMap { key, value in value.map { "\(key)=\(Self.encode($0))" } }.joined(separator: "&")
        return text.isEmpty ? path : path + "?" + text
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// Reports from the ledger for the dashboard and `/api/report`.
struct Dashboard: Sendable {
    let ledger: LedgerStore
    let version: String

    struct Page {
        var report: Report
        var context: RenderContext
    }

    func page(_ query: DashboardQuery, now: Date = Date()) async throws -> Page {
        let request = ReportRequest(
            source: .openLedger(ledger, filter: query.repo), window: query.window(now: now),
            environment: query.env, groupBy: query.grouping, scope: query.scope)
        // Reading the ledger and computing the report happen on the collector's worker threads,
        // not on the cooperative pool that serves requests.
        let result = try await withTaskExecutorPreference(OffPool.executor) { try await ReportEngine.report(request) }
        let navigation = Self.navigation(
            query, report: result.report, environments: result.environments, repositories: result.ledgerRepositories,
            teams: result.roster?.teamNames ?? [], roster: result.roster ?? LedgerRoster([]))
        return Page(report: result.report, context: RenderContext(version: version, generatedAt: now, budget: result.budget, navigation: navigation))
    }

    static func navigation(
        _ query: DashboardQuery, report: Report, environments: [String], repositories: [String], teams: [String],
        roster: LedgerRoster
    ) -> ReportNavigation {
        typealias Choice = ReportNavigation.Choice
        let shownSince = query.since ?? "30d"
        var windows = DashboardQuery.windows.map { window in
            Choice(
                text: "last \(window)",
                href: query.href {
                    $0.since = window == "30d" ? nil : window
                    $0.until = nil
                }, current: query.until == nil && shownSince == window)
        }
        if query.until != nil || !DashboardQuery.windows.contains(shownSince) {
            windows.append(Choice(text: "\(shownSince) – \(query.until ?? "now")", href: query.href(), current: true))
        }
        let grouping = GroupBy.allCases.map { group in
            Choice(text: group.rawValue, href: query.href { $0.by = group }, current: query.grouping == group)
        }
        let environment = environments.map { env in
            Choice(text: env, href: query.href { $0.env = env }, current: report.environment == env)
        }
        let repository =
            [Choice(text: "all", href: query.href { $0.repo = nil }, current: query.repo == nil)]
            + repositories.map { name in Choice(text: name, href: query.href { $0.repo = name }, current: query.repo == name) }
        let team =
            [
                Choice(
                    text: "all",
                    href: query.href {
                        $0.team = nil
                        $0.person = nil
                    }, current: query.team == nil && query.person == nil)
            ]
            + teams.map { name in
                Choice(
                    text: name,
                    href: query.href {
                        $0.team = name
                        $0.person = nil
                        $0.by = nil
                    }, current: query.team == name)
            }

        var links = [String: String]()
        for group in report.groups {
            switch report.groupBy {
            case .team:
                links[group.key] = query.href {
                    $0.team = group.key
                    $0.person = nil
                    $0.by = .person
                }
            case .person:
                links[group.key] = query.href {
                    $0.person = group.key
                    $0.by = .deployment
                }
            case .repository:
                links[group.key] = query.href {
                    $0.repo = group.key
                    $0.by = nil
                }
            case .deployment, .model, .agent, .pullRequest, .branch: break
            }
        }
        var trail = [Choice]()
        if query.team != nil || query.person != nil {
            trail.append(
                Choice(
                    text: "all teams",
                    href: query.href {
                        $0.team = nil
                        $0.person = nil
                        $0.by = .team
                    }, current: false))
            let personTeam = query.person.flatMap { roster.team(ofPerson: $0) }
            if let team = query.team ?? personTeam {
                trail.append(
                    Choice(
                        text: "team \(team)",
                        href: query.href {
                            $0.team = team
                            $0.person = nil
                            $0.by = .person
                        },
                        current: query.person == nil && query.grouping != .pullRequest))
                // From a team to what each of its pull requests cost and shipped.
                trail.append(
                    Choice(
                        text: "its pull requests",
                        href: query.href {
                            $0.team = team
                            $0.person = nil
                            $0.by = .pullRequest
                        },
                        current: query.person == nil && query.grouping == .pullRequest))
            }
            if let person = query.person {
                trail.append(Choice(text: person, href: query.href { $0.by = .deployment }, current: true))
            }
        }
        return ReportNavigation(
            filters: [
                .init(name: "window", choices: windows), .init(name: "environment", choices: environment),
                .init(name: "group by", choices: grouping), .init(name: "repository", choices: repository), .init(name: "team", choices: team),
            ],
            groupLinks: links, trail: trail, json: query.href("/api/report"))
    }
}
