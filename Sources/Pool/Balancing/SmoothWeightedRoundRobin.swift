/// nginx's smooth weighted round robin.
///
/// Each pick adds every candidate's weight to its current weight, picks the largest
/// current weight (the first in list order on a tie, as nginx does), and subtracts the
/// total weight from the winner. Over any window of `total` picks each member gets
/// exactly `weight` picks, interleaved rather than in bursts.
///
/// Invariants:
/// - `currentWeights` holds an entry only for ids seen in the most recent pick, so a
///   member that leaves and later rejoins starts fresh, while members that stay keep
///   their position in the sequence when others join or leave.
/// - After every pick the current weights of the candidates sum to zero, which bounds
///   each of them by the total weight and rules out drift or overflow.
struct SmoothWeightedRoundRobin: Sendable {
    /// Upper bound on a single weight so that the sum over any realistic pool fits in `Int`.
    static let maximumWeight = Int(Int32.max)

    private var currentWeights: [String: Int] = [:]

    init() {}

    mutating func next(in candidates: [BalancingCandidate]) -> Int? {
        guard !candidates.isEmpty else { return nil }
        forgetAbsentMembers(keeping: candidates)

        var totalWeight = 0
        var bestIndex = 0
        var bestCurrent = Int.min
        for (index, candidate) in candidates.enumerated() {
            let weight = Self.effectiveWeight(candidate.weight)
            let current = currentWeights[candidate.id, default: 0] + weight
            currentWeights[candidate.id] = current
            totalWeight += weight
            if current > bestCurrent {
                bestCurrent = current
                bestIndex = index
            }
        }
        currentWeights[candidates[bestIndex].id, default: 0] -= totalWeight
        return bestIndex
    }

    static func effectiveWeight(_ configured: Int) -> Int {
        min(max(configured, 1), maximumWeight)
    }

    private mutating func forgetAbsentMembers(keeping candidates: [BalancingCandidate]) {
        // Cheap check first: nothing to forget when every remembered id is still present.
        guard currentWeights.count > 0 else { return }
        let presentIDs = Set(candidates.map(\.id))
        if currentWeights.keys.allSatisfy(presentIDs.contains) { return }
        currentWeights = currentWeights.filter { presentIDs.contains($0.key) }
    }
}
