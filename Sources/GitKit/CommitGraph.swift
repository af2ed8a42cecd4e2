import CGit2
import Foundation

/// The shape of history — ids, parents, times, authors — loaded once into flat arrays, so that
/// many range and reachability questions are answered without going back to libgit2.
///
/// Commits are numbered 0..<count in discovery order; parents are stored as numbers.
public struct CommitGraph: Sendable {
    public private(set) var ids: [ObjectID] = []
    private var numbers: [ObjectID: Int32] = [:]
    private var parentStart: [Int32] = [0]
    private var parentList: [Int32] = []
    public private(set) var authorTimes: [GitTime] = []
    public private(set) var committerTimes: [GitTime] = []
    /// Raw author email of each commit, as recorded (before mailmap).
    public private(set) var authorEmails: [String] = []
    public private(set) var authorNames: [String] = []
    /// Topological level: 1 for a root, 1 + the highest parent level otherwise.
    public private(set) var generations: [Int32] = []

    public var count: Int { ids.count }

    public init() {}

    /// Loads every commit reachable from `tips`. Commits at a shallow boundary count as roots.
    /// `visit`, when given, sees each commit once as a full value (message included), parsed
    /// from the same object read, so callers need no second pass over history.
    ///
    /// With git's commit-graph file (`git commit-graph write`, `git gc`, `fetch.writeCommitGraph`;
    /// not with `core.commitGraph` false) and more than one core, history's shape comes from that file and the commits are read on
    /// every core; the numbering, the order of visits and every value are the same either way.
    public static func load(
        _ repository: Repository, tips: [ObjectID], visit: ((Int, Commit) -> Void)? = nil
    ) throws(GitError) -> CommitGraph {
        try load(repository, tips: tips, workers: min(ProcessInfo.processInfo.activeProcessorCount, 8), visit: visit)
    }

    /// `load` reading commits on `workers` threads when the commit-graph file allows it.
    package static func load(
        _ repository: Repository, tips: [ObjectID], workers: Int, visit: ((Int, Commit) -> Void)? = nil
    ) throws(GitError) -> CommitGraph {
        let shallow = repository.shallowBoundary()
        // git's own switch (core.commitGraph false) turns the file off for the walk too.
        if shallow.isEmpty, workers > 1, repository.configBool("core.commitGraph") != false,
            let file = CommitGraphFile.open(objects: repository.commonDirectory + "/objects")
        {
            return try loadInParallel(repository, tips: tips, file: file, workers: workers, visit: visit)
        }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repository.pointer), "cannot open the object database")
        defer { git_odb_free(odb) }
        var discovery = Discovery(tips: tips)
        var headers = [Recorded?]()
        while let current = discovery.pending.popLast() {
            let at = Int(current)
            let id = discovery.ids[at]
            let header = try Self.read(id, from: odb) { bytes in
                let header = CommitHeader(bytes)
                if let visit { visit(at, Commit(id: id, raw: bytes, header: header, shallow: shallow.contains(id))) }
                return header
            }
            if !shallow.contains(id) {
                let parents = header.parents.map { discovery.number(for: $0) }
                discovery.parentsOf[at] = parents
            }
            headers.append(contentsOf: repeatElement(nil, count: discovery.ids.count - headers.count))
            headers[at] = Recorded(header)
        }
        return CommitGraph(discovery, headers: headers)
    }

    /// Depth-first discovery from the tips: commits numbered as first seen, parents as numbers.
    struct Discovery {
        var ids: [ObjectID] = []
        var numbers: [ObjectID: Int32] = [:]
        var parentsOf: [[Int32]] = []
        /// Numbered, not yet read; the walk takes the last first.
        var pending: [Int32] = []

        init(tips: [ObjectID]) {
            for tip in tips { _ = number(for: tip) }
        }

        mutating func number(for id: ObjectID) -> Int32 {
            if let existing = numbers[id] { return existing }
            let next = Int32(ids.count)
            numbers[id] = next
            ids.append(id)
            parentsOf.append([])
            pending.append(next)
            return next
        }
    }

    /// What the graph keeps of a commit's header.
    struct Recorded {
        var authorTime: GitTime
        var committerTime: GitTime
        var authorEmail: String
        var authorName: String

        init(_ header: CommitHeader) {
            (authorTime, committerTime) = (header.authorTime, header.committerTime)
            (authorEmail, authorName) = (header.authorEmail, header.authorName)
        }
    }

    /// The graph of a finished discovery, with what each commit's header recorded.
    init(_ discovery: Discovery, headers: [Recorded?]) {
        ids = discovery.ids
        numbers = discovery.numbers
        for parents in discovery.parentsOf {
            parentList.append(contentsOf: parents)
            parentStart.append(Int32(parentList.count))
        }
        for index in ids.indices {
            let header = index < headers.count ? headers[index] : nil
            authorTimes.append(header?.authorTime ?? GitTime(seconds: 0))
            committerTimes.append(header?.committerTime ?? GitTime(seconds: 0))
            authorEmails.append(header?.authorEmail ?? "")
            authorNames.append(header?.authorName ?? "")
        }
        computeGenerations()
    }

    /// `body` over the raw bytes of commit `id`, read from the object database `odb`.
    static func read<Value>(
        _ id: ObjectID, from odb: OpaquePointer?, _ body: (UnsafeBufferPointer<UInt8>) -> Value
    ) throws(GitError) -> Value {
        var oid = id.raw
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), "cannot read commit \(id)")
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else {
            throw GitError(code: GitError.Code.gitKit, message: "\(id) is not a commit")
        }
        return body(UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: git_odb_object_size(object)))
    }

    public func number(of id: ObjectID) -> Int? { numbers[id].map(Int.init) }

    public func contains(_ id: ObjectID) -> Bool { numbers[id] != nil }

    public func parents(of commit: Int) -> ArraySlice<Int32> {
        parentList[Int(parentStart[commit])..<Int(parentStart[commit + 1])]
    }

    private mutating func computeGenerations() {
        let total = ids.count
        generations = [Int32](repeating: 0, count: total)
        // Iterative post-order: a commit's level is known once all its parents have one.
        var stack = [Int32]()
        for start in 0..<total where generations[start] == 0 {
            stack.append(Int32(start))
            while let top = stack.last {
                let node = Int(top)
                if generations[node] != 0 {
                    stack.removeLast()
                    continue
                }
                var ready = true
                var highest: Int32 = 0
                for parent in parents(of: node) {
                    let level = generations[Int(parent)]
                    if level == 0 {
                        ready = false
                        stack.append(parent)
                    } else {
                        highest = max(highest, level)
                    }
                }
                if ready {
                    generations[node] = highest + 1
                    stack.removeLast()
                }
            }
        }
    }

    /// Commits reachable from `include` and from none of `exclude` (`git rev-list I --not X`),
    /// newest generation first. Visits only the part of history between the two sides.
    public func range(include: [Int], exclude: [Int]) -> [Int] {
        var result = [Int]()
        var state = [Int32: Bool]()  // commit → uninteresting
        var heap = GenerationHeap(generations: generations)
        var interestingQueued = 0
        for commit in exclude where state[Int32(commit)] != true {
            state[Int32(commit)] = true
            heap.push(Int32(commit))
        }
        for commit in include where state[Int32(commit)] == nil {
            state[Int32(commit)] = false
            heap.push(Int32(commit))
            interestingQueued += 1
        }
        while interestingQueued > 0, let commit = heap.pop() {
            let uninteresting = state[commit] == true
            if !uninteresting {
                interestingQueued -= 1
                result.append(Int(commit))
            }
            for parent in parents(of: Int(commit)) {
                switch state[parent] {
                case nil:
                    state[parent] = uninteresting
                    heap.push(parent)
                    if !uninteresting { interestingQueued += 1 }
                case false? where uninteresting:
                    // Queued as interesting, now known to be reachable from the excluded side.
                    state[parent] = true
                    interestingQueued -= 1
                default:
                    break
                }
            }
        }
        return result
    }
}

/// A max-heap of commit numbers ordered by generation.
private struct GenerationHeap {
    let generations: [Int32]
    var items: [Int32] = []

    init(generations: [Int32]) { self.generations = generations }

    mutating func push(_ item: Int32) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard generations[Int(items[parent])] < generations[Int(items[child])] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Int32? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < items.count, generations[Int(items[left])] > generations[Int(items[largest])] { largest = left }
                if right < items.count, generations[Int(items[right])] > generations[Int(items[largest])] { largest = right }
                if largest == parent { break }
                items.swapAt(parent, largest)
                parent = largest
            }
        }
        return top
    }
}
