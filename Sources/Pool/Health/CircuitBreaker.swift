/// Per-member circuit breaker (config `circuit_breaker: {failure_threshold, reset_timeout_s}`).
///
/// Stops sending requests to a member that keeps failing, then lets a single probe
/// request through once `resetTimeout` has passed to find out whether it recovered.
///
/// Invariants:
/// - `failureThreshold >= 1` and `resetTimeout >= .zero`.
/// - `consecutiveFailures` counts failures since the last success while closed; it is
///   zero in every other state.
/// - `.halfOpen` means exactly one probe is out: it is entered only when `admit(at:)`
///   returns true for the probe, and left only when that probe reports. The caller must
///   therefore report every admitted request, including cancelled ones (as a failure),
///   or the member stays half-open.
/// - Time is passed in, never read here, so behaviour is deterministic and testable.
///
/// Reports carry no request identity, so a late report from a request admitted before the
/// circuit opened is indistinguishable from the probe's. While open, such reports are
/// ignored (neither closing the circuit nor extending the timeout); while half-open, the
/// first report decides.
public struct CircuitBreaker: Sendable {
    public enum State: Sendable, Equatable {
        case closed
        case open(since: ContinuousClock.Instant)
        case halfOpen
    }

    /// Five failures in a row is enough evidence without tripping on a single blip.
    public static let defaultFailureThreshold = 5
    /// Long enough for a crashed or overloaded MCP server to restart or drain its backlog.
    public static let defaultResetTimeout: Duration = .seconds(30)

    public let failureThreshold: Int
    public let resetTimeout: Duration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures: Int = 0

    /// A threshold below 1 is treated as 1 and a negative timeout as zero.
    public init(
        failureThreshold: Int = CircuitBreaker.defaultFailureThreshold,
        resetTimeout: Duration = CircuitBreaker.defaultResetTimeout
    ) {
        self.failureThreshold = max(1, failureThreshold)
        self.resetTimeout = max(.zero, resetTimeout)
    }

    /// Whether a request may go to this member now. In open state after `resetTimeout`
    /// has elapsed, admits exactly one probe request (moves to half-open and returns true
    /// once); every other caller gets false until that probe reports.
    public mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let since):
            guard resetTimeoutHasElapsed(since: since, now: now) else { return false }
            state = .halfOpen
            return true
        case .halfOpen:
            return false
        }
    }

    /// For the gateway's routing filter without consuming the probe: true when closed,
    /// or open but the reset timeout has elapsed and no probe is out.
    public func mayAdmit(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let since):
            return resetTimeoutHasElapsed(since: since, now: now)
        case .halfOpen:
            return false
        }
    }

    /// Half-open closes (the probe succeeded); closed forgets earlier failures.
    public mutating func recordSuccess() {
        switch state {
        case .closed, .halfOpen:
            state = .closed
            consecutiveFailures = 0
        case .open:
            break
        }
    }

    /// Closed opens once failures reach the threshold; a failed probe reopens with a
    /// fresh timestamp so the member gets a full `resetTimeout` before the next probe.
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        switch state {
        case .closed:
            consecutiveFailures += 1
            if consecutiveFailures >= failureThreshold {
                trip(at: now)
            }
        case .halfOpen:
            trip(at: now)
        case .open:
            break
        }
    }

    /// 0 closed, 1 open, 2 half-open: for a metrics gauge.
    public var stateCode: Int {
        switch state {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
    }

    private mutating func trip(at now: ContinuousClock.Instant) {
        state = .open(since: now)
        consecutiveFailures = 0
    }

    private func resetTimeoutHasElapsed(
        since openedAt: ContinuousClock.Instant,
        now: ContinuousClock.Instant
    ) -> Bool {
        openedAt.duration(to: now) >= resetTimeout
    }
}
