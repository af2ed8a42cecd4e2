import Foundation
import ShipmeterTestSupport
import Testing

/// The module map in docs/development.md is the package's: every target is listed, and the
/// targets each may import are exactly its dependencies in Package.swift.
@Suite struct ModuleMapTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theModuleMapIsThePackagesTargetsAndTheirDependencies() throws {
        // A scratch path of its own: the test runner holds the package's .build lock.
        let scratch = ScratchDirectory()
        let dump = run("swift", ["package", "--scratch-path", scratch.file("build"), "dump-package"], in: Self.root)
        try #require(dump.status == 0, "\(dump.stderr)")
        let package = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var dependencies = [String: Set<String>]()
        for target in package["targets"] as? [[String: Any]] ?? [] where target["type"] as? String != "test" {
            guard let name = target["name"] as? String else { continue }
            var names = Set<String>()
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                // Targets of this package (by name or as targets); products of other packages are not.
                for kind in ["byName", "target"] {
                    if let value = dependency[kind] as? [Any], let dependencyName = value.first as? String { names.insert(dependencyName) }
                }
            }
            dependencies[name] = names
        }
        let targets = Set(dependencies.keys)

        let text = try String(contentsOfFile: Self.root + "/docs/development.md", encoding: .utf8)
        var listed = [String: Set<String>]()
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("| target | owns | may import |") {
                inTable = true
                continue
            }
            guard inTable else { continue }
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, let name = Self.quoted(cells[1]).first else { continue }
            listed[name] = Set(Self.quoted(cells[3]).filter { targets.contains($0) })
        }
        #expect(
            Set(listed.keys) == targets,
            "listed but not targets: \(Set(listed.keys).subtracting(targets)); targets not listed: \(targets.subtracting(listed.keys))")
        for (name, imports) in listed.sorted(by: { $0.key < $1.key }) where targets.contains(name) {
            #expect(
                imports == dependencies[name], "\(name): the map says \(imports.sorted()), Package.swift says \(dependencies[name]?.sorted() ?? [])")
        }
        // The ledger and the commit hook's code never link libgit2, however they reach their values.
        for name in ["Ledger", "CommitTagging", "shipmeter-hook", "AttributionModel", "GitModel"] {
            var reached = Set<String>(), pending = [name]
            while let next = pending.popLast() {
                for dependency in dependencies[next] ?? [] where reached.insert(dependency).inserted { pending.append(dependency) }
            }
            #expect(!reached.contains("CGit2"), "\(name) links libgit2 through \(reached.sorted())")
        }
    }

    /// The `backticked` words of a cell.
    static func quoted(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
