/// What a strategy knows about one member that may take a request.
///
/// The caller passes only members in rotation: ready, not draining, circuit not open.
///
/// Invariants:
/// - `id` is unique within one candidate list; strategies key their state by it.
/// - `weight` is meant to be >= 1; strategies treat anything lower as 1.
/// - `priority`: a lower number is preferred.
public struct BalancingCandidate: Sendable, Equatable {
    public var id: String
    public var weight: Int
    public var priority: Int
    public var inflight: Int

    public init(id: String, weight: Int = 1, priority: Int = 1, inflight: Int = 0) {
        self.id = id
        self.weight = weight
        self.priority = priority
        self.inflight = inflight
    }
}
