import CGit2
import Foundation

extension Repository {
    /// Whether this is a partial clone: objects missing here can be fetched from a promisor
    /// remote (`git clone --filter=blob:none`, as CI checkouts and large monorepos make).
    public var isPartialClone: Bool {
        if configString("extensions.partialclone") != nil { return true }
        return ["origin", "upstream"].contains { configString("remote.\($0).promisor") == "true" }
    }

    /// Lets `git` fetch the blobs the diffs of `commits` need from the promisor remote, as
    /// `git log --numstat` does (libgit2 cannot fetch lazily). Afterwards libgit2 reads them from
    /// the pack git wrote.
    public func fetchMissingBlobs(of commits: [ObjectID]) throws(GitError) {
        guard !commits.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "--git-dir=\(commonDirectory)", "log", "--no-walk=unsorted", "--stdin", "--numstat", "--format=%H"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw GitError(code: GitError.Code.gitKit, message: "cannot run git to fetch missing blobs: \(error.localizedDescription)")
        }
        let list = commits.map(\.hex).joined(separator: "\n") + "\n"
        try? input.fileHandleForWriting.write(contentsOf: Data(list.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GitError(code: GitError.Code.gitKit, message: "git could not fetch the missing blobs: \(detail)")
        }
    }
}
