import Scaler
import Synchronization

/// `max_concurrency`, `max_queue`, `queue_timeout_ms` of one server.
public struct OverloadSettings: Sendable, Equatable {
    /// Calls one member takes at once; more wait in the server's queue.
    public var maxConcurrency: Int
    /// Calls that may wait for a member; more are refused at once.
    public var maxQueue: Int
    /// How long a call may wait before it is refused.
    public var queueTimeout: Duration

    public static let defaultMaxQueue = 64
    public static let defaultQueueTimeout: Duration = .seconds(1)

    public init(maxConcurrency: Int, maxQueue: Int = OverloadSettings.defaultMaxQueue,
                queueTimeout: Duration = OverloadSettings.defaultQueueTimeout) {
        self.maxConcurrency = maxConcurrency
        self.maxQueue = maxQueue
        self.queueTimeout = queueTimeout
    }

    /// What a refused client is told to wait before trying again, in whole seconds.
    public var retryAfterSeconds: Int {
        max(1, Int((Double(queueTimeout.nanoseconds) / 1e9).rounded(.up)))
    }
}

/// The calls of one server waiting for a member with a free slot, first come first served.
///
/// Invariants: at most `maxQueue` waiters; every waiter is resumed exactly once: by a freed
/// slot, by its deadline, or by its task's cancellation (a client that went away). Nothing
/// waits longer than `queueTimeout`.
public final class AdmissionQueue: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A slot freed: try the members again.
        case slotFreed
        case queueFull
        case timedOut
        case cancelled
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Outcome, Never>
        var deadline: Task<Void, Never>
        var since: ContinuousClock.Instant
    }

    private struct State {
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        /// The integral of the queue's length over time, for its mean between two readings.
        var lengthNanoseconds: Int64 = 0
        var lastChange = ContinuousClock.now
        /// Calls that left the queue for a member, and the time they waited in all.
        var admitted = 0
        var admittedWaitNanoseconds: Int64 = 0
        var rejectedFull = 0
        var rejectedTimeout = 0

        mutating func accrue(at now: ContinuousClock.Instant) {
            lengthNanoseconds &+= Int64(waiters.count) &* (now - lastChange).nanoseconds
            lastChange = now
        }
    }

    public let settings: OverloadSettings
    private let state = Mutex(State())

    public init(settings: OverloadSettings) {
        self.settings = settings
    }

    /// Calls waiting now.
    public var length: Int { state.withLock { $0.waiters.count } }

    /// Waits for a member's slot to free, up to `deadline`.
    public func wait(until deadline: ContinuousClock.Instant) async -> Outcome {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    if !Task.isCancelled { self.remove(id, outcome: .timedOut) }
                }
                let queued = state.withLock { state -> Bool in
                    guard state.waiters.count < settings.maxQueue else {
                        state.rejectedFull += 1
                        return false
                    }
                    let now = ContinuousClock.now
                    state.accrue(at: now)
                    state.waiters.append(Waiter(id: id, continuation: continuation, deadline: timer, since: now))
                    return true
                }
                if !queued {
                    timer.cancel()
                    continuation.resume(returning: .queueFull)
                }
            }
        } onCancel: {
            // If the cancellation comes before the waiter is queued, the deadline ends it.
            self.remove(id, outcome: .cancelled)
        }
    }

    /// A member finished a call: the longest-waiting call may try again.
    public func slotFreed() {
        let first = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else { return nil }
            let now = ContinuousClock.now
            state.accrue(at: now)
            let waiter = state.waiters.removeFirst()
            state.admitted += 1
            state.admittedWaitNanoseconds &+= (now - waiter.since).nanoseconds
            return waiter
        }
        guard let first else { return }
        first.deadline.cancel()
        first.continuation.resume(returning: .slotFreed)
    }

    private func remove(_ id: UInt64, outcome: Outcome) {
        let removed = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            state.accrue(at: .now)
            if outcome == .timedOut { state.rejectedTimeout += 1 }
            return state.waiters.remove(at: index)
        }
        guard let removed else { return }
        removed.deadline.cancel()
        removed.continuation.resume(returning: outcome)
    }

    /// Cumulative figures, for /metrics and for the autoscaler's `queue_length`/`queue_wait`.
    public var load: QueueLoad {
        state.withLock { state in
            let now = ContinuousClock.now
            state.accrue(at: now)
            return QueueLoad(at: now, length: state.waiters.count, lengthNanoseconds: state.lengthNanoseconds,
                             admitted: state.admitted, admittedWaitNanoseconds: state.admittedWaitNanoseconds,
                             rejectedFull: state.rejectedFull, rejectedTimeout: state.rejectedTimeout)
        }
    }
}

/// A queue's figures at one instant. Between two readings `a` and `b`: mean length =
/// Δ`lengthNanoseconds` / (b.at - a.at); mean wait of calls admitted = Δ`admittedWaitNanoseconds`
/// / Δ`admitted`.
public struct QueueLoad: Sendable, Equatable {
    public var at: ContinuousClock.Instant
    public var length: Int
    public var lengthNanoseconds: Int64
    public var admitted: Int
    public var admittedWaitNanoseconds: Int64
    public var rejectedFull: Int
    public var rejectedTimeout: Int
}
