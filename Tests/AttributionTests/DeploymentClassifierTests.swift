import Testing

@testable import Attribution

/// The one classification rule, over a history given as parent links (commit → its parent).
@Suite struct DeploymentClassifierTests {
    /// A line of commits 0 ← 1 ← 2 ← 3 ← 4, with what each `ship` was asked.
    struct Line: ShippingHistory {
        var asked: [[Int]] = []

        func isAncestor(_ ancestor: Int, of descendant: Int) -> Bool { ancestor <= descendant }

        mutating func ship(_ commit: Int, after earlier: [Int]) -> [Int] {
            asked.append(earlier)
            let floor = earlier.max().map { $0 + 1 } ?? 0
            return floor <= commit ? Array(floor...commit) : []
        }
    }

    @Test func kindsShippedSetsAndRollbacksFollowTheRule() throws {
        var classifier = DeploymentClassifier<Line, String>(history: Line())
        let baseline = try classifier.place("a", commit: 1, failed: false)
        #expect(baseline.kind == .baseline && baseline.shipped == [0, 1])
        let forward = try classifier.place("b", commit: 3, failed: false)
        #expect(forward.kind == .forward && forward.shipped == [2, 3])
        let failed = try classifier.place("c", commit: 4, failed: true)
        #expect(failed.kind == .failed && failed.shipped.isEmpty)
        let again = try classifier.place("d", commit: 3, failed: false)
        #expect(again.kind == .redeploy && again.shipped.isEmpty)
        let rollback = try classifier.place("e", commit: 1, failed: false)
        #expect(rollback.kind == .rollback && rollback.rolledBack == ["b"])
        // A failed deployment is no success: later ones ship past it from the last success.
        #expect(classifier.successes.map(\.tag) == ["a", "b", "d", "e"])
        #expect(classifier.history.asked == [[], [1], [1, 3]])
    }

    @Test func storedSuccessesContinueTheEnvironment() throws {
        let earlier = [DeploymentClassifier<Line, String>.Success(tag: "a", commit: 2, kind: .baseline)]
        var classifier = DeploymentClassifier<Line, String>(history: Line(), successes: earlier)
        let next = try classifier.place("b", commit: 4, failed: false)
        #expect(next.kind == .forward && next.shipped == [3, 4])
    }
}
