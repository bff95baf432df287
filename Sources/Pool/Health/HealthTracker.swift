/// What a health report changed about a member's place in rotation.
public enum HealthTransition: Sendable, Equatable {
    case none
    case removedFromRotation
    case backInRotation
}

/// Active and passive health of one member: out of rotation after
/// `maxConsecutiveFailures` consecutive failed checks, back after one success.
///
/// Invariants:
/// - `maxConsecutiveFailures >= 1`.
/// - `inRotation == (consecutiveFailures < maxConsecutiveFailures)`.
/// - A transition other than `.none` is reported only on the crossing, so callers can
///   log or emit events once per change instead of once per check.
public struct HealthTracker: Sendable {
    /// MCP Hangar's default: three failed checks in a row take a member out.
    public static let defaultMaxConsecutiveFailures = 3

    public let maxConsecutiveFailures: Int
    public private(set) var consecutiveFailures: Int = 0

    /// A threshold below 1 is treated as 1: a member can never be out of rotation
    /// without having failed at least once.
    public init(maxConsecutiveFailures: Int = HealthTracker.defaultMaxConsecutiveFailures) {
        self.maxConsecutiveFailures = max(1, maxConsecutiveFailures)
    }

    public var inRotation: Bool {
        consecutiveFailures < maxConsecutiveFailures
    }

    public mutating func recordFailure() -> HealthTransition {
        let wasInRotation = inRotation
        // Saturate rather than trap: a member may stay broken for a very long time.
        if consecutiveFailures < Int.max {
            consecutiveFailures += 1
        }
        return wasInRotation && !inRotation ? .removedFromRotation : .none
    }

    public mutating func recordSuccess() -> HealthTransition {
        let wasInRotation = inRotation
        consecutiveFailures = 0
        return wasInRotation ? .none : .backInRotation
    }
}
