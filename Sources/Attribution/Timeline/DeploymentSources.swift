import Foundation
import GitKit
import Usage

/// Where deployments come from: tags and deploy logs.
public enum DeploymentSources {
    /// Matches a tag name against a pattern such as `deploy/{env}/*`; returns the environment.
    public static func environment(of tag: String, pattern: String) -> String? {
        let patternParts = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let nameParts = tag.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard patternParts.count == nameParts.count else { return nil }
        var environment: String?
        for (part, name) in zip(patternParts, nameParts) {
            if part == "{env}" {
                guard !name.isEmpty else { return nil }
                environment = name
            } else if !Glob(part).matches(name) {
                return nil
            }
        }
        return environment ?? "production"
    }

    static let prereleaseWords = [
        "alpha", "beta", "rc", "pre", "preview", "nightly", "dev", "snapshot", "canary", "next", "insiders", "test", "unstable", "experimental",
    ]

    /// `v1.2.3`, `1.2`, `release-1.2.3` → `release`; `v1.2.3-rc.1`, `-preview.2`, `-nightly…`,
    /// `v6.7-rc1` → `prerelease`; anything else → nil.
    public static func releaseEnvironment(of tag: String) -> String? {
        var name = Substring(tag.split(separator: "/").last ?? Substring(tag))
        for prefix in ["release-", "release_", "version-", "rel-"] where name.lowercased().hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
        }
        if name.first == "v" || name.first == "V" { name = name.dropFirst() }
        // A numeric core of at least two dot-separated parts.
        var parts = 0
        var index = name.startIndex
        while index < name.endIndex {
            let digitsStart = index
            while index < name.endIndex, name[index].isASCII, name[index].isNumber { index = name.index(after: index) }
            guard index > digitsStart else { break }
            parts += 1
            guard index < name.endIndex, name[index] == ".",
                name.index(after: index) < name.endIndex, name[name.index(after: index)].isNumber
            else { break }
            index = name.index(after: index)
        }
        guard parts >= 2 else { return nil }
        let suffix = name[index...].lowercased()
        if suffix.isEmpty || suffix.hasPrefix("+") { return "release" }
        let words = suffix.split(whereSeparator: { !$0.isLetter }).map(String.init)
        if words.contains(where: { word in prereleaseWords.contains { word.hasPrefix($0) } })
            || suffix.range(of: #"^[-.]?(a|b)\d"#, options: .regularExpression) != nil
        {
            return "prerelease"
        }
        return "release"
    }

    /// The status an annotated tag's message records (`status: failure`), success otherwise.
    public static func status(fromTagMessage message: String?) -> Deployment.Status {
        guard let message else { return .success }
        // Only lines that can be `status: …` are looked at closely: signed release tags carry
        // long signatures, and a thousand tags are read for every command.
        for line in message.utf8.split(separator: UInt8(ascii: "\n")) {
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard trimmed.count > 7, trimmed.prefix(6).map({ $0 | 0x20 }).elementsEqual("status".utf8),
                let colon = trimmed.firstIndex(of: UInt8(ascii: ":"))
            else {
                continue
            }
            let name = String(decoding: trimmed[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            guard name == "status" else { continue }
            let value = String(decoding: trimmed[trimmed.index(after: colon)...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return status(value) ?? .success
        }
        return .success
    }

    /// Maps a status word from tags and deploy logs; nil for an unfinished deployment.
    public static func status(_ word: String) -> Deployment.Status? {
        switch word.lowercased() {
        case "success", "successful", "succeeded", "ok", "done", "deployed", "active", "inactive", "completed", "complete", "healthy", "synced":
            return .success
        case "failure", "failed", "fail", "error", "errored", "degraded", "cancelled", "canceled", "aborted":
            return .failure
        default:
            return nil
        }
    }

    /// Deployments from tags: the configured patterns; when no tag matches any of them,
    /// release and pre-release version tags. Tags of trees or blobs are skipped.
    public static func fromTags(
        _ tags: [Tag], patterns: [String], commitTime: (ObjectID) -> Date?
    ) -> (deployments: [Deployment], notes: [String]) {
        var deployments = [Deployment]()
        var notes = [String]()
        func add(_ tag: Tag, environment: String) {
            guard let commit = tag.commit else {
                if case .missing(let id) = tag.target {
                    notes.append("tag \(tag.name) points at \(id), which is not in this repository; skipped")
                } else {
                    notes.append("tag \(tag.name) does not point at a commit; skipped")
                }
                return
            }
            guard let time = tag.tagger?.time.date ?? commitTime(commit) else { return }
            deployments.append(
                Deployment(
                    environment: environment, id: tag.name, ref: tag.reference, commit: commit, time: time,
                    status: tag.isAnnotated ? status(fromTagMessage: tag.message) : .success))
        }
        for tag in tags {
            if let environment = patterns.lazy.compactMap({ Self.environment(of: tag.name, pattern: $0) }).first {
                add(tag, environment: environment)
            }
        }
        if deployments.isEmpty {
            for tag in tags {
                if let environment = releaseEnvironment(of: tag.name) { add(tag, environment: environment) }
            }
        }
        return (deployments, notes)
    }

    /// One row of a deploy log before its revision is resolved.
    public struct LogEntry: Sendable, Hashable {
        public var revision: String
        public var environment: String
        public var status: Deployment.Status
        public var time: Date
        public var id: String?
        public var line: Int
    }

    /// Parses a deploy log (JSONL, a JSON array, or CSV with a header) with the fields
    /// `sha` (or `commit`), `environment`, `status`, `finished_at` (or `time`), and optional `id`.
    /// Rows of unfinished deployments are skipped; malformed rows are reported.
    public static func parseLog(_ text: String, name: String) -> (entries: [LogEntry], problems: [String]) {
        var entries = [LogEntry]()
        var problems = [String]()
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var rows = [(Int, [String: String])]()
        if trimmed.hasPrefix("[") {
            if let array = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]] {
                rows = array.enumerated().map { ($0 + 1, $1.mapValues { "\($0)" }) }
            } else {
                problems.append("\(name): not a valid JSON array")
            }
        } else if trimmed.hasPrefix("{") {
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let body = line.trimmingCharacters(in: .whitespaces)
                if body.isEmpty { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                    problems.append("\(name):\(index + 1): not valid JSON")
                    continue
                }
                rows.append((index + 1, object.mapValues { "\($0)" }))
            }
        } else {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            }
            guard !lines.isEmpty else { return ([], []) }
            let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased() }
            for (index, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                }
                guard cells.count == header.count else {
                    problems.append("\(name):\(index + 2): \(cells.count) fields, header has \(header.count)")
                    continue
                }
                rows.append((index + 2, Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })))
            }
        }
        for (line, row) in rows {
            let revision = row["sha"] ?? row["commit"] ?? row["revision"] ?? ""
            let environment = row["environment"] ?? row["env"] ?? ""
            let statusText = row["status"] ?? "success"
            let timeText = row["finished_at"] ?? row["time"] ?? row["deployed_at"] ?? row["created_at"] ?? ""
            guard !revision.isEmpty, !environment.isEmpty else {
                problems.append("\(name):\(line): needs sha and environment")
                continue
            }
            guard let status = status(statusText) else { continue }  // still running, queued…
            guard let time = Timestamp.parseISO8601(timeText) ?? Double(timeText).map({ Date(timeIntervalSince1970: $0) }) else {
                problems.append("\(name):\(line): finished_at '\(timeText)' is not a timestamp")
                continue
            }
            let id = row["id"].flatMap { $0.isEmpty ? nil : $0 }
            entries.append(LogEntry(revision: revision, environment: environment, status: status, time: time, id: id, line: line))
        }
        return (entries, problems)
    }
}
