/// Picks which member of a pool takes the next request.
///
/// A value type holding only the state its strategy needs; the gateway keeps one per
/// pool inside a `Mutex` and calls `choose(_:)` with the members currently in rotation.
///
/// Invariants:
/// - `strategy` never changes; a config change builds a new `Balancer`.
/// - Candidates should be passed in a stable order (e.g. sorted by id) so that
///   round-robin style cycling visits members in a consistent sequence.
/// - `choose(_:)` returns nil exactly when `candidates` is empty, and otherwise a
///   valid index into `candidates`.
public struct Balancer: Sendable {
    public let strategy: BalancingStrategy

    /// Shared by round_robin and by the tie-breaking of least_connections and priority.
    private var cursor = RoundRobinCursor()
    private var generator: SplitMix64
    private var weightedRoundRobin = SmoothWeightedRoundRobin()

    public init(
        strategy: BalancingStrategy = .default,
        seed: UInt64 = UInt64.random(in: .min ... .max)
    ) {
        self.strategy = strategy
        self.generator = SplitMix64(seed: seed)
    }

    /// Index into `candidates` of the member to use, nil when empty.
    public mutating func choose(_ candidates: [BalancingCandidate]) -> Int? {
        guard !candidates.isEmpty else { return nil }
        switch strategy {
        case .roundRobin:
            return cursor.next(in: candidates)
        case .random:
            return Int.random(in: 0..<candidates.count, using: &generator)
        case .leastConnections:
            // Round robin among the tied so equally idle members share load.
            guard let fewestInflight = candidates.lazy.map(\.inflight).min() else { return nil }
            return cursor.next(in: candidates) { $0.inflight == fewestInflight }
        case .weightedRoundRobin:
            return weightedRoundRobin.next(in: candidates)
        case .priority:
            // Failback needs no state: a recovered preferred member reappears in the list.
            guard let bestPriority = candidates.lazy.map(\.priority).min() else { return nil }
            return cursor.next(in: candidates) { $0.priority == bestPriority }
        }
    }
}
