/// How long to wait before replacing a crashed member.
///
/// The first crash restarts immediately (a one-off crash should cost no downtime); each
/// further crash in a row doubles the delay from `initialDelay` up to `maximumDelay`, so
/// a member that crashes on startup does not spin. A member that stayed up for at least
/// `stablePeriod` before crashing counts as healthy again and restarts immediately.
///
/// Invariants:
/// - `.zero <= initialDelay <= maximumDelay`, `stablePeriod >= .zero`.
/// - `consecutiveCrashes` is the number of crashes since the last stable run; the delay
///   returned for crash number n (counting from 0) is 0 for n == 0 and
///   `min(initialDelay * 2^(n-1), maximumDelay)` afterwards.
/// - Time is passed in, never read here.
public struct RestartBackoff: Sendable {
    public static let defaultInitialDelay: Duration = .seconds(1)
    public static let defaultMaximumDelay: Duration = .seconds(30)
    public static let defaultStablePeriod: Duration = .seconds(60)

    public let initialDelay: Duration
    public let maximumDelay: Duration
    public let stablePeriod: Duration
    public private(set) var consecutiveCrashes: Int = 0

    /// Out-of-range values are clamped so the invariants hold rather than trapping on config.
    public init(
        initialDelay: Duration = RestartBackoff.defaultInitialDelay,
        maximumDelay: Duration = RestartBackoff.defaultMaximumDelay,
        stablePeriod: Duration = RestartBackoff.defaultStablePeriod
    ) {
        let initialDelay = max(.zero, initialDelay)
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
        self.stablePeriod = max(.zero, stablePeriod)
    }

    /// The delay before restarting a member that started at `startedAt` and crashed at
    /// `crashAt`; records the crash.
    public mutating func delayBeforeRestart(
        crashAt: ContinuousClock.Instant,
        startedAt: ContinuousClock.Instant
    ) -> Duration {
        if startedAt.duration(to: crashAt) >= stablePeriod {
            consecutiveCrashes = 0
        }
        let delay = delay(afterCrashes: consecutiveCrashes)
        if consecutiveCrashes < Int.max {
            consecutiveCrashes += 1
        }
        return delay
    }

    /// Forget earlier crashes, e.g. when the member is deliberately replaced or scaled away.
    public mutating func reset() {
        consecutiveCrashes = 0
    }

    private func delay(afterCrashes crashes: Int) -> Duration {
        guard crashes > 0 else { return .zero }
        var delay = initialDelay
        // Doubling stops at the cap, so this never overflows however many crashes occurred.
        var doublings = crashes - 1
        while doublings > 0, delay < maximumDelay, delay > Duration.zero {
            delay = delay * 2
            doublings -= 1
        }
        return min(delay, maximumDelay)
    }
}
