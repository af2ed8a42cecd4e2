import Foundation
import GitKit

/// The pull request and branch of every commit, from history alone (no forge, no network).
///
/// A commit whose own message names a pull request (squash subject, merge message, trailer)
/// belongs to it. Any other commit belongs to the pull request of the merge that brought it in:
/// history is followed from each tip along first parents, oldest first, and a merge's other
/// parents are followed the same way (before the next commit of the line) down to commits already
/// reached — so the commits a merge brings in are exactly those reachable from its other parents
/// and not from its first (git's `first^..second`), and a merge inside a merged branch keeps its
/// own commits. Branches are found the same way from merge messages that name the branch merged.
public struct PullRequests: Sendable {
    public struct Request: Sendable {
        /// `#123`, `!45`; `owner/name#123` when the report covers several repositories.
        public var key: String
        public var reference: PullRequestReference
        /// Its commits (merges included), in history's numbering.
        public var commits: [CommitIndex] = []
        /// When it merged: the latest commit time of the commits whose own message names it.
        public var mergedAt: Date?
    }

    public struct Branch: Sendable {
        public var name: String
        public var commits: [CommitIndex] = []
        /// When it merged: the commit time of the merges that name it (the latest).
        public var mergedAt: Date?
    }

    public private(set) var requests: [Request] = []
    public private(set) var branches: [Branch] = []
    /// Per commit: its pull request's position in `requests`, or -1.
    public private(set) var requestOf: [Int32]
    /// Per commit: its branch's position in `branches`, or -1.
    public private(set) var branchOf: [Int32]

    /// `tips`: per repository, the tips history was read from (HEAD first); `repositoryOf`: each
    /// commit's repository (nil: one repository); `names`: the repositories' names, which prefix
    /// keys when there are several.
    public init(history: History, tips: [[ObjectID]], repositoryOf: [Int]? = nil, names: [String] = []) {
        let count = history.count
        requestOf = [Int32](repeating: -1, count: count)
        branchOf = [Int32](repeating: -1, count: count)
        let repositories = max(tips.count, 1)
        var byRepository = [[CommitIndex]](repeating: [], count: repositories)
        for commit in 0..<count { byRepository[min(repositoryOf?[commit] ?? 0, repositories - 1)].append(commit) }
        for repository in 0..<repositories {
            let prefix = repositories > 1 && repository < names.count ? names[repository] : ""
            assign(history: history, commits: byRepository[repository], tips: repository < tips.count ? tips[repository] : [], prefix: prefix)
        }
    }

    public func request(of commit: CommitIndex) -> Request? {
        let index = requestOf[commit]
        return index < 0 ? nil : requests[Int(index)]
    }

    public func branch(of commit: CommitIndex) -> Branch? {
        let index = branchOf[commit]
        return index < 0 ? nil : branches[Int(index)]
    }

    private mutating func assign(history: History, commits: [CommitIndex], tips: [ObjectID], prefix: String) {
        guard !commits.isEmpty else { return }
        // Local numbering: the same commit may be in two repositories of a ledger's report.
        var local = [ObjectID: CommitIndex](minimumCapacity: commits.count)
        for commit in commits where local[history.id(commit)] == nil { local[history.id(commit)] = commit }
        var requestIndex = [String: Int32](), branchIndex = [String: Int32]()
        func requestNumber(_ reference: PullRequestReference) -> Int32 {
            let key = prefix + reference.key
            if let known = requestIndex[key] {
                if requests[Int(known)].reference.title.isEmpty { requests[Int(known)].reference.title = reference.title }
                return known
            }
            requests.append(Request(key: key, reference: reference))
            requestIndex[key] = Int32(requests.count - 1)
            return Int32(requests.count - 1)
        }
        func branchNumber(_ name: String) -> Int32 {
            let key = prefix.isEmpty ? name : prefix + ":" + name
            if let known = branchIndex[key] { return known }
            branches.append(Branch(name: key))
            branchIndex[key] = Int32(branches.count - 1)
            return Int32(branches.count - 1)
        }
        var seen = [Bool](repeating: false, count: history.count)
        /// A line of first parents from `start` down to the first commit already reached, oldest first.
        func line(from start: CommitIndex) -> [CommitIndex] {
            var result = [CommitIndex]()
            var current: CommitIndex? = start
            while let commit = current, !seen[commit] {
                seen[commit] = true
                result.append(commit)
                current = history.facts[commit].parents.first.flatMap { local[$0] }
            }
            return result.reversed()
        }
        struct Frame {
            var start: CommitIndex
            var line: [CommitIndex]? = nil
            var position = 0
            var request: Int32
            var branch: Int32
        }
        // Tips first, then whatever no tip reaches (commits a ledger kept from earlier runs), newest first.
        let starts =
            tips.compactMap { local[$0] }
            + commits.sorted { a, b in
                let first = history.facts[a].committerTime?.seconds ?? history.facts[a].authorTime.seconds
                let second = history.facts[b].committerTime?.seconds ?? history.facts[b].authorTime.seconds
                return first != second ? first > second : a > b
            }
        for start in starts where !seen[start] {
            var stack = [Frame(start: start, request: -1, branch: -1)]
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].line == nil { stack[top].line = line(from: stack[top].start) }
                guard let line = stack[top].line, stack[top].position < line.count else {
                    stack.removeLast()
                    continue
                }
                let commit = line[stack[top].position]
                stack[top].position += 1
                let facts = history.facts[commit]
                let request = facts.merge?.pullRequest.map(requestNumber) ?? stack[top].request
                let branch = facts.merge?.branch.map(branchNumber) ?? stack[top].branch
                requestOf[commit] = request
                branchOf[commit] = branch
                let time = (facts.committerTime ?? facts.authorTime).date
                if request >= 0 {
                    requests[Int(request)].commits.append(commit)
                    if facts.merge?.pullRequest != nil { requests[Int(request)].mergedAt = max(requests[Int(request)].mergedAt ?? time, time) }
                }
                if branch >= 0 {
                    branches[Int(branch)].commits.append(commit)
                    if facts.merge?.branch != nil { branches[Int(branch)].mergedAt = max(branches[Int(branch)].mergedAt ?? time, time) }
                }
                // The other parents' lines, the second parent's first, before the next commit of this line.
                for parent in facts.parents.dropFirst().reversed() {
                    guard let number = local[parent], !seen[number] else { continue }
                    stack.append(Frame(start: number, request: request, branch: branch))
                }
            }
        }
    }
}
