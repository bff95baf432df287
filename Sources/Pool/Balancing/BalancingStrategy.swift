/// How the gateway picks a member for the next request.
///
/// Raw values are the `strategy` config names used by MCP Hangar, so a config
/// value maps straight onto a case with `BalancingStrategy(rawValue:)`.
public enum BalancingStrategy: String, Sendable, CaseIterable {
    case roundRobin = "round_robin"
    case random
    case leastConnections = "least_connections"
    case weightedRoundRobin = "weighted_round_robin"
    case priority

    /// The strategy used when the config names none.
    public static let `default`: BalancingStrategy = .roundRobin
}
