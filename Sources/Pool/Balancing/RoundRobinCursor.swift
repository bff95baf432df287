/// Remembers where the last round-robin pick landed so the next pick continues after it.
///
/// Invariants:
/// - `lastChosenID` and `lastChosenIndex` are both nil (nothing chosen yet) or both set
///   to the member returned by the most recent `next(in:where:)`.
///
/// Why a cursor on the last chosen id rather than a counter modulo count: when the list
/// grows or shrinks, `counter % count` jumps to an unrelated position, so some members
/// get picked twice in a row while others are skipped. Continuing after the last chosen
/// id keeps the cycle intact: a newly added member is reached in its turn, and a removed
/// one simply drops out. If the last chosen member itself was removed, the member that
/// followed it has shifted into its old index, so we continue from that index.
struct RoundRobinCursor: Sendable {
    private var lastChosenID: String?
    private var lastChosenIndex: Int?

    init() {}

    /// The first candidate, in list order after the last chosen one (wrapping around),
    /// that satisfies `isEligible`; nil when none does.
    mutating func next(
        in candidates: [BalancingCandidate],
        where isEligible: (BalancingCandidate) -> Bool = { _ in true }
    ) -> Int? {
        let count = candidates.count
        guard count > 0 else { return nil }
        let start = startIndex(in: candidates)
        for offset in 0..<count {
            let index = (start + offset) % count
            if isEligible(candidates[index]) {
                lastChosenID = candidates[index].id
                lastChosenIndex = index
                return index
            }
        }
        return nil
    }

    private func startIndex(in candidates: [BalancingCandidate]) -> Int {
        guard let lastChosenID, let lastChosenIndex else { return 0 }
        // Look at the remembered slot first: with a stable list this is an O(1) hit.
        if lastChosenIndex < candidates.count, candidates[lastChosenIndex].id == lastChosenID {
            return (lastChosenIndex + 1) % candidates.count
        }
        if let movedIndex = candidates.firstIndex(where: { $0.id == lastChosenID }) {
            return (movedIndex + 1) % candidates.count
        }
        return lastChosenIndex % candidates.count
    }
}
