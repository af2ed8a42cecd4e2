import Foundation
import Usage

/// Agent Trace records (RFC 0.1; the reference hook appends one per edit to
/// `.agent-trace/traces.jsonl`): `vcs.revision` (HEAD when the edit happened: the parent of the
/// commit that will hold it), `timestamp`, and per file the line ranges each conversation's
/// contributor wrote. Only ranges whose contributor is `ai` are kept (a range's own contributor
/// overrides its conversation's).
public struct AgentTrace: Sendable {
    public struct Edit: Sendable {
        public var revision: String
        public var time: Date?
        /// AI-written line ranges by path (lines of the file after the edit).
        public var ranges: [String: [ClosedRange<Int>]]
    }

    public private(set) var edits: [Edit] = []
    /// Edit positions by the first 7 digits of their revision (abbreviated revisions match).
    private var byRevision: [Substring: [Int]] = [:]
    /// Lines that could not be read.
    public private(set) var malformed = 0

    public init() {}

    /// Reads every trace file; a missing file is no error (most repositories have none).
    public init(paths: [String]) {
        for path in paths { read(path) }
    }

    /// Reads trace files given by the user and, in `text`, what the repository's own trace file
    /// holds (read through `RepositoryFile`'s checks, as every file the repository names is).
    public init(paths: [String], text: String?) {
        self.init(paths: paths)
        if let text { read(Data(text.utf8)) }
    }

    mutating func read(_ path: String) {
        // An empty file is nothing to read (Foundation's whole-file read of one leaks its buffer).
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0,
            let data = FileManager.default.contents(atPath: path)
        else { return }
        read(data)
    }

    mutating func read(_ data: Data) {
        for line in data.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                malformed += 1
                continue
            }
            guard let revision = (object["vcs"] as? [String: Any])?["revision"] as? String else { continue }
            var ranges = [String: [ClosedRange<Int>]]()
            for case let file as [String: Any] in object["files"] as? [Any] ?? [] {
                guard let path = file["path"] as? String else { continue }
                for case let conversation as [String: Any] in file["conversations"] as? [Any] ?? [] {
                    let contributor = (conversation["contributor"] as? [String: Any])?["type"] as? String
                    for case let range as [String: Any] in conversation["ranges"] as? [Any] ?? [] {
                        let own = (range["contributor"] as? [String: Any])?["type"] as? String
                        guard (own ?? contributor) == "ai", let start = (range["start_line"] as? NSNumber)?.intValue,
                            let end = (range["end_line"] as? NSNumber)?.intValue, start > 0, start <= end
                        else { continue }
                        ranges[path, default: []].append(start...end)
                    }
                }
            }
            guard !ranges.isEmpty else { continue }
            let time = (object["timestamp"] as? String).flatMap(Timestamp.parseISO8601)
            let edit = Edit(revision: revision.lowercased(), time: time, ranges: ranges)
            guard edit.revision.count >= 7 else { continue }
            byRevision[edit.revision.prefix(7), default: []].append(edits.count)
            edits.append(edit)
        }
    }

    /// AI-written ranges of the edits made on `parent` up to `commitTime`, by path.
    public func ranges(parent: String, before commitTime: Date) -> [String: [ClosedRange<Int>]] {
        var result = [String: [ClosedRange<Int>]]()
        for position in byRevision[parent.prefix(7)] ?? [] where parent.hasPrefix(edits[position].revision) {
            let edit = edits[position]
            if let time = edit.time, time > commitTime.addingTimeInterval(1) { continue }
            for (path, ranges) in edit.ranges { result[path, default: []] += ranges }
        }
        return result
    }
}
