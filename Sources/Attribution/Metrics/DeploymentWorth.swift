import Foundation

/// How a forward deployment's worth is found and split across groups.
public enum DeploymentWeight: String, CaseIterable, Sendable {
    /// Worth min(1, effective size shipped / deployment unit), split by effective size: what a
    /// deployment shipped decides its worth, so splitting, padding and churn earn nothing.
    case effective
    /// Worth 1, split by changed lines capped per commit. Gameable: pads and splits pay.
    case lines
    /// Worth 1, split by commit count. Gameable: splitting deployments or commits pays.
    case commits
}

/// The normalised-deployment rule: what one forward deployment is worth and how it splits.
public struct DeploymentWorth: Sendable {
    public var weight: DeploymentWeight
    /// Effective lines that make a deployment worth 1 (`report.deployment_unit`).
    public var unit: Double
    /// Most effective (or, under `lines`, changed) lines one commit can count (`report.line_cap`).
    public var lineCap: Int

    /// A group whose shipped work recorded usage covers less than this share is warned about
    /// (`report.usage_coverage_floor`): its yield leaves the rest out.
    public var coverageFloor: Double

    /// Chosen from measurement: see README, "Metrics".
    public static let defaultUnit = 300.0
    public static let defaultLineCap = 1000
    public static let defaultCoverageFloor = 0.5

    public init(
        weight: DeploymentWeight = .effective, unit: Double = DeploymentWorth.defaultUnit, lineCap: Int = DeploymentWorth.defaultLineCap,
        coverageFloor: Double = DeploymentWorth.defaultCoverageFloor
    ) {
        self.weight = weight
        self.unit = unit
        self.lineCap = lineCap
        self.coverageFloor = coverageFloor
    }

    /// One shipped non-merge commit as the rule sees it.
    public struct Commit: Sendable {
        /// Its effective size (0 when it is churn: reverted, or a revert).
        public var effectiveLines: Double
        /// Added plus deleted lines.
        public var lines: Int

        public init(effectiveLines: Double, lines: Int) {
            self.effectiveLines = effectiveLines
            self.lines = lines
        }
    }

    /// What a deployment shipping `commits` is worth, each commit's part of that worth (the
    /// parts add up to the worth), and each commit's capped effective size.
    public func split(_ commits: [Commit], rolledBack: Bool) -> (worth: Double, parts: [Double], effective: [Double]) {
        let effective = commits.map { min(max($0.effectiveLines, 0), Double(lineCap)) }
        guard !commits.isEmpty else { return (0, [], []) }
        let worth: Double
        var weights: [Double]
        switch weight {
        case .effective:
            let size = effective.reduce(0, +)
            worth = size > 0 ? min(1, size / unit) : 0
            weights = effective
        case .lines:
            worth = 1
            weights = commits.map { Double(min($0.lines, lineCap)) }
        case .commits:
            worth = 1
            weights = commits.map { _ in 1 }
        }
        let counted = rolledBack ? 0 : worth
        var total = weights.reduce(0, +)
        if total == 0 {
            weights = commits.map { _ in 1 }
            total = Double(commits.count)
        }
        return (counted, weights.map { counted * $0 / total }, effective)
    }
}

/// Reverted work and the reverts that undid it, found among the commits a deployment timeline
/// shipped: both count nothing, and a change applied again after its revert counts once.
public struct RevertPairing: Sendable {
    /// One shipped commit, in the order commits shipped.
    public struct Candidate: Sendable {
        public var commit: Int
        /// The commit its message says it reverts (`This reverts commit <id>.`), when shipped.
        public var revertsByMessage: Int?
        /// Its change fingerprints, when known (content reverts are found only among these).
        public var measure: ChangeMeasure?

        public init(commit: Int, revertsByMessage: Int?, measure: ChangeMeasure?) {
            self.commit = commit
            self.revertsByMessage = revertsByMessage
            self.measure = measure
        }
    }

    /// (reverted, revert) pairs, in the order the reverts shipped.
    public private(set) var pairs: [(reverted: Int, revert: Int)] = []
    /// Every commit in a pair.
    public private(set) var churn: Set<Int> = []

    /// Pairs each revert with the latest unpaired earlier commit it undoes: the one its message
    /// names, else one whose inverse fingerprint is its fingerprint.
    public init(_ candidates: [Candidate]) {
        var open = Set<Int>()
        var byInverse = [Int64: [Int]]()
        for candidate in candidates {
            var partner: Int?
            if let named = candidate.revertsByMessage, open.contains(named) {
                partner = named
            } else if let measure = candidate.measure, measure.canPair {
                while var stack = byInverse[measure.fingerprint], let last = stack.popLast() {
                    byInverse[measure.fingerprint] = stack
                    if open.contains(last) {
                        partner = last
                        break
                    }
                }
            }
            if let partner {
                open.remove(partner)
                churn.insert(partner)
                churn.insert(candidate.commit)
                pairs.append((partner, candidate.commit))
            } else {
                open.insert(candidate.commit)
                if let measure = candidate.measure, measure.canPair { byInverse[measure.inverseFingerprint, default: []].append(candidate.commit) }
            }
        }
    }
}
