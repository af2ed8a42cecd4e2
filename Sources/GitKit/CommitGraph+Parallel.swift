import CGit2
import Foundation
import Synchronization

/// The walk with git's commit-graph file: history's shape from the file, the commits read on
/// every core (see `CommitGraph.load`).
extension CommitGraph {
    /// `load` with the shape of history from `file`: first the numbering and parents (the same
    /// depth-first discovery as the serial walk, reading only commits the file does not hold),
    /// then the commits in the walk's order, a block at a time on `workers` threads, each with
    /// its own handle on the object database, visited in order on this one.
    static func loadInParallel(
        _ repository: Repository, tips: [ObjectID], file: CommitGraphFile, workers: Int, visit: ((Int, Commit) -> Void)?
    ) throws(GitError) -> CommitGraph {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repository.pointer), "cannot open the object database")
        defer { git_odb_free(odb) }
        var discovery = Discovery(tips: tips)
        var order = [Int32]()
        while let current = discovery.pending.popLast() {
            order.append(current)
            let id = discovery.ids[Int(current)]
            let parents: [ObjectID]
            if let position = file.position(of: id), let positions = file.parents(at: position) {
                parents = positions.map { file.id(at: $0) }
            } else {
                parents = try Self.read(id, from: odb) { CommitHeader($0).parents }
            }
            let numbers = parents.map { discovery.number(for: $0) }
            discovery.parentsOf[Int(current)] = numbers
        }

        let readers = try (0..<workers).map { _ throws(GitError) in try Repository(gitDirectoryIgnoringWorkTree: repository.commonDirectory) }
        let databases = try readers.map { reader throws(GitError) -> OpaquePointer? in
            var handle: OpaquePointer?
            try check(git_repository_odb(&handle, reader.pointer), "cannot open the object database")
            return handle
        }
        defer { for handle in databases { git_odb_free(handle) } }
        nonisolated(unsafe) let handles = databases
        let ids = discovery.ids
        let wantsCommits = visit != nil
        let chunks = stride(from: 0, to: order.count, by: 4096).map { Array(order[$0..<min(order.count, $0 + 4096)]) }
        // Block k + 1 is read while block k is visited: the readers never wait for the visits.
        func begin(_ chunk: [Int32]) -> ChunkRead {
            let read = ChunkRead(count: chunk.count)
            DispatchQueue.global().async {
                let share = (chunk.count + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for index in (worker * share)..<min(chunk.count, (worker + 1) * share) {
                        let id = ids[Int(chunk[index])]
                        let result = Result { () throws(GitError) -> (CommitHeader, Commit?) in
                            try Self.read(id, from: handles[worker]) { bytes in
                                let header = CommitHeader(bytes)
                                return (header, wantsCommits ? Commit(id: id, raw: bytes, header: header, shallow: false) : nil)
                            }
                        }
                        read.results.withLock { $0[index] = result }
                    }
                }
                read.done.signal()
            }
            return read
        }
        var headers = [Recorded?](repeating: nil, count: ids.count)
        var upcoming = chunks.first.map(begin)
        // Whatever happens, no read is left running on the handles this function frees.
        defer { upcoming?.done.wait() }
        for (number, chunk) in chunks.enumerated() {
            guard let current = upcoming else { break }
            current.done.wait()
            upcoming = number + 1 < chunks.count ? begin(chunks[number + 1]) : nil
            let results = current.results.withLock { $0 }
            for (index, commitNumber) in chunk.enumerated() {
                let (header, commit) = try results[index]!.get()
                let at = Int(commitNumber)
                // The file is git's cache of what the commits say: if it disagrees, it is wrong.
                guard header.parents.elementsEqual(discovery.parentsOf[at].lazy.map({ ids[Int($0)] })) else {
                    throw GitError(
                        code: GitError.Code.gitKit,
                        message: "the commit-graph file disagrees with commit \(ids[at]) about its parents: run git commit-graph write, or remove it")
                }
                headers[at] = Recorded(header)
                if let visit, let commit { visit(at, commit) }
            }
        }
        return CommitGraph(discovery, headers: headers)
    }
}

/// One block of commits being read by the parallel walk: a result per commit, and a signal when
/// all are in.
private final class ChunkRead: Sendable {
    let results: Mutex<[Result<(CommitHeader, Commit?), GitError>?]>
    let done = DispatchSemaphore(value: 0)

    init(count: Int) { results = Mutex(Array(repeating: nil, count: count)) }
}
