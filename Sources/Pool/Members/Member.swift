import Foundation
import Scaler
import Synchronization

/// Where a member is in its life. Routing takes only `ready` members; `circuit_open` and
/// `unhealthy` are ready members that are out of rotation for the moment.
public enum MemberPhase: String, Sendable {
    case starting
    case ready
    case unhealthy
    case circuitOpen = "circuit_open"
    case draining
    case stopped
}

/// What a member needs to know to judge its own health.
public struct MemberHealthSettings: Sendable {
    public var maxConsecutiveFailures: Int
    public var failureThreshold: Int
    public var resetTimeout: Duration
    public var requestTimeout: Duration
    /// `ping`, or `tools/list` for servers that do not answer ping.
    public var probeMethod: String

    public init(maxConsecutiveFailures: Int = 3, failureThreshold: Int = CircuitBreaker.defaultFailureThreshold,
                resetTimeout: Duration = CircuitBreaker.defaultResetTimeout, requestTimeout: Duration = .seconds(30),
                probeMethod: String = "ping") {
        self.maxConsecutiveFailures = maxConsecutiveFailures
        self.failureThreshold = failureThreshold
        self.resetTimeout = resetTimeout
        self.requestTimeout = requestTimeout
        self.probeMethod = probeMethod
    }
}

/// One MCP server instance behind the gateway: a process Tidepool started, or a remote
/// endpoint. It owns the gateway's session with the server, counts its in-flight calls, and
/// keeps its health (active probes and passive failures) and its circuit breaker.
///
/// Invariants: `inflight` counts calls between `begin` and their end, never below zero;
/// a member in `draining` or `stopped` is never chosen again.
public final class Member: Sendable {
    public let id: String
    public let serverID: String
    let settings: MemberHealthSettings

    struct State {
        var phase: MemberPhase = .starting
        var inflight = 0
        var sessions = 0
        var health: HealthTracker
        var breaker: CircuitBreaker
        var connection: (any UpstreamConnection)?
        var endpoint: String
        var processID: Int32?
        var initializeResult: [UInt8]?
        var served = 0
        /// Wall-clock times, for the pods the autoscaler sees.
        let createdAt = Date()
        var readySince: Date?
        /// The integral of `inflight` over time (call-nanoseconds) up to `lastChange`.
        var busyNanoseconds: Int64 = 0
        var lastChange = ContinuousClock.now

        /// Brings `busyNanoseconds` up to `now`; called before every change of `inflight`.
        mutating func accrue(at now: ContinuousClock.Instant) {
            busyNanoseconds &+= Int64(inflight) &* (now - lastChange).nanoseconds
            lastChange = now
        }
    }

    let state: Mutex<State>
    /// Opens a further session with the member (HTTP members), for a client pinned to it:
    /// a stateful server then keeps that client's state apart from everyone else's.
    let dedicatedSession: (@Sendable (_ endpoint: String) -> any UpstreamConnection)?
    /// The server's queue when it limits calls per member (`max_concurrency`): a member at
    /// the limit takes no more, and each call that ends frees a slot for the queue's first.
    let capacity: AdmissionQueue?

    init(id: String, serverID: String, endpoint: String, settings: MemberHealthSettings,
         dedicatedSession: (@Sendable (_ endpoint: String) -> any UpstreamConnection)? = nil, capacity: AdmissionQueue? = nil) {
        self.capacity = capacity
        self.id = id
        self.serverID = serverID
        self.settings = settings
        self.dedicatedSession = dedicatedSession
        state = Mutex(State(health: HealthTracker(maxConsecutiveFailures: settings.maxConsecutiveFailures),
                            breaker: CircuitBreaker(failureThreshold: settings.failureThreshold, resetTimeout: settings.resetTimeout),
                            endpoint: endpoint))
    }

    // MARK: - What routing and status read

    public var phase: MemberPhase {
        state.withLock { state in
            Self.displayedPhase(state, now: .now)
        }
    }

    public var inflight: Int { state.withLock { $0.inflight } }
    public var sessions: Int { state.withLock { $0.sessions } }
    public var endpoint: String { state.withLock { $0.endpoint } }
    public var initializeResult: [UInt8]? { state.withLock { $0.initializeResult } }
    public var processID: Int32? { state.withLock { $0.processID } }
    public var served: Int { state.withLock { $0.served } }
    /// When the member was created (its process started) and when it last became ready.
    public var createdAt: Date { state.withLock { $0.createdAt } }
    public var readySince: Date? { state.withLock { $0.readySince } }

    /// The member's work so far, for rates and mean concurrency between two readings.
    public var load: MemberLoad {
        state.withLock { state in
            let now = ContinuousClock.now
            state.accrue(at: now)
            return MemberLoad(at: now, busyNanoseconds: state.busyNanoseconds, served: state.served)
        }
    }

    /// Below its `max_concurrency` (always, without one).
    var hasCapacity: Bool {
        guard let limit = capacity?.settings.maxConcurrency else { return true }
        return state.withLock { $0.inflight < limit }
    }

    /// Ready, in rotation, and its circuit lets a request through.
    func isRoutable(now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            state.phase == .ready && state.health.inRotation && state.breaker.mayAdmit(at: now)
        }
    }

    private static func displayedPhase(_ state: State, now: ContinuousClock.Instant) -> MemberPhase {
        guard state.phase == .ready else { return state.phase }
        if !state.health.inRotation { return .unhealthy }
        if case .open = state.breaker.state { return .circuitOpen }
        if case .halfOpen = state.breaker.state { return .circuitOpen }
        return .ready
    }

    // MARK: - Lifecycle (driven by the pool)

    func attach(connection: any UpstreamConnection, initializeResult: [UInt8]) {
        state.withLock { state in
            state.connection = connection
            state.initializeResult = initializeResult
            if state.phase == .starting {
                state.phase = .ready
                state.readySince = Date()
            }
        }
    }

    func setEndpoint(_ endpoint: String, processID: Int32?) {
        state.withLock { state in
            state.endpoint = endpoint
            state.processID = processID
        }
    }

    /// Stops routing to the member; returns false if it was already leaving.
    @discardableResult
    func beginDraining() -> Bool {
        state.withLock { state in
            guard state.phase != .draining, state.phase != .stopped else { return false }
            state.phase = .draining
            return true
        }
    }

    func markStopped() {
        state.withLock { $0.phase = .stopped }
    }

    var connection: (any UpstreamConnection)? { state.withLock { $0.connection } }

    /// A session of the member's own for a client pinned to it, handshake done; nil for
    /// members with one session only (stdio: the process is the session).
    func openDedicatedSession() async throws(UpstreamFailure) -> (any UpstreamConnection)? {
        guard let dedicatedSession else { return nil }
        let connection = dedicatedSession(endpoint)
        _ = try await connection.initialize(timeout: settings.requestTimeout)
        return connection
    }

    func sessionOpened() { state.withLock { $0.sessions += 1 } }
    func sessionClosed() { state.withLock { $0.sessions = max(0, $0.sessions - 1) } }

    // MARK: - Calls

    /// Sends a client's request to this member. The circuit breaker admits it (or refuses:
    /// `.notDelivered`, so the gateway tries another member) and learns its outcome.
    /// `session`: a dedicated session of a pinned client, instead of the member's shared one.
    public func call(_ request: JSONRPCMessage, over session: (any UpstreamConnection)? = nil,
                     timeout: Duration? = nil) async throws(UpstreamFailure) -> JSONRPCMessage {
        let limit = capacity?.settings.maxConcurrency ?? .max
        let admitted: Result<any UpstreamConnection, UpstreamFailure> = state.withLock { state in
            guard state.inflight < limit else { return .failure(.notDelivered(Self.atCapacity)) }
            guard state.phase == .ready || state.phase == .draining, let connection = state.connection,
                  state.breaker.admit(at: .now) else { return .failure(.notDelivered("\(id) is not taking requests")) }
            state.accrue(at: .now)
            state.inflight += 1
            return .success(session ?? connection)
        }
        let connection: any UpstreamConnection
        switch admitted {
        case .success(let admittedConnection): connection = admittedConnection
        case .failure(let refusal): throw refusal
        }
        defer { capacity?.slotFreed() }
        do {
            let response: JSONRPCMessage
            do {
                response = try await connection.send(request, timeout: timeout ?? settings.requestTimeout)
            } catch .sessionLost {
                // The member restarted or expired our session: a new handshake, then once more.
                let result = try await connection.initialize(timeout: settings.requestTimeout)
                if session == nil { state.withLock { $0.initializeResult = result } }
                response = try await connection.send(request, timeout: timeout ?? settings.requestTimeout)
            }
            state.withLock { state in
                state.accrue(at: .now)
                state.inflight -= 1
                state.served += 1
                state.breaker.recordSuccess()
            }
            return response
        } catch {
            state.withLock { state in
                state.accrue(at: .now)
                state.inflight -= 1
                switch error {
                case .sessionLost, .failed, .timedOut, .notDelivered:
                    state.breaker.recordFailure(at: .now)
                }
            }
            throw error
        }
    }

    /// The reason a member at its `max_concurrency` refuses a call.
    static let atCapacity = "at max_concurrency"

    /// An active health probe's outcome; returns the transition to log, if any.
    func recordProbe(success: Bool) -> HealthTransition {
        state.withLock { state in
            success ? state.health.recordSuccess() : state.health.recordFailure()
        }
    }

    var consecutiveProbeFailures: Int { state.withLock { $0.health.consecutiveFailures } }
}

/// Cumulative figures of one member at one instant. Between two readings `a` and `b`:
/// mean in-flight calls = (b.busyNanoseconds - a.busyNanoseconds) / (b.at - a.at), and
/// calls per second = (b.served - a.served) / (b.at - a.at).
public struct MemberLoad: Sendable, Equatable {
    public var at: ContinuousClock.Instant
    public var busyNanoseconds: Int64
    public var served: Int

    public init(at: ContinuousClock.Instant, busyNanoseconds: Int64, served: Int) {
        self.at = at
        self.busyNanoseconds = busyNanoseconds
        self.served = served
    }
}
