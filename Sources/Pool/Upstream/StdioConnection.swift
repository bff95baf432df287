import Scaler
import Synchronization

/// A session with a member over its standard input and output: newline-delimited JSON-RPC.
/// One child serves many client requests at once; responses come back in any order and are
/// matched by the ids this connection gave the requests.
///
/// Invariants: every pending request is resumed exactly once (by its response, its deadline,
/// its cancellation, or the connection closing); once closed, nothing is written.
public final class StdioConnection: UpstreamConnection {
    private struct Pending {
        var continuation: CheckedContinuation<JSONRPCMessage, any Error>
        var clientID: JSONRPCID
        var deadline: ContinuousClock.Instant
    }

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        /// Why the connection closed; nil while open.
        var closedBecause: String?
    }

    private let state = Mutex(State())
    private let outgoing: AsyncStream<[UInt8]>.Continuation
    /// The lines to write to the child's standard input, in order.
    public let lines: AsyncStream<[UInt8]>
    /// Called with each message the child sends that is not a response to us (notifications,
    /// requests from server to client).
    private let onUnsolicited: @Sendable (JSONRPCMessage) -> Void

    public init(onUnsolicited: @escaping @Sendable (JSONRPCMessage) -> Void = { _ in }) {
        (lines, outgoing) = AsyncStream.makeStream(of: [UInt8].self)
        self.onUnsolicited = onUnsolicited
    }

    public func send(_ request: JSONRPCMessage, timeout: Duration) async throws(UpstreamFailure) -> JSONRPCMessage {
        guard let clientID = request.id else { throw .failed("a request without an id") }
        let deadline = ContinuousClock.now + timeout
        let upstreamID: Int64 = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var line = request.replacingID(with: JSONRPCID(upstreamID))
        line.append(UInt8(ascii: "\n"))
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONRPCMessage, any Error>) in
                    let refused: String? = state.withLock { state in
                        if let reason = state.closedBecause { return reason }
                        state.pending[upstreamID] = Pending(continuation: continuation, clientID: clientID, deadline: deadline)
                        return nil
                    }
                    if let refused {
                        continuation.resume(throwing: UpstreamFailure.notDelivered(refused))
                        return
                    }
                    if case .terminated = outgoing.yield(line) {
                        resume(upstreamID, with: .failure(UpstreamFailure.notDelivered("the member's standard input is closed")))
                    }
                }
            } onCancel: {
                // The client went away: stop waiting, and tell the member to stop working.
                if resume(upstreamID, with: .failure(CancellationError())) {
                    var params = JSONObject()
                    params.entries.append(JSONObject.Entry("requestId", .number(String(upstreamID))))
                    params.entries.append(JSONObject.Entry("reason", .string("the client disconnected")))
                    var notification = JSONRPCMessage.request(id: nil, method: "notifications/cancelled", params: .object(params))
                    notification.append(UInt8(ascii: "\n"))
                    outgoing.yield(notification)
                }
            }
        } catch let failure as UpstreamFailure {
            throw failure
        } catch {
            throw .failed("cancelled")
        }
    }

    public func notify(_ notification: [UInt8]) async {
        guard state.withLock({ $0.closedBecause == nil }) else { return }
        outgoing.yield(notification + [UInt8(ascii: "\n")])
    }

    public func close() async {
        closeConnection(because: "the connection was closed")
    }

    /// A line the child wrote on standard output.
    public func received(line: [UInt8]) {
        guard let message = try? JSONRPCMessage.parse(line) else {
            // Some servers print banners on stdout; a response that is garbage is caught by its
            // request's deadline rather than guessed at here.
            return
        }
        guard message.kind == .response, let id = message.id?.integer else {
            onUnsolicited(message)
            return
        }
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        guard let pending else { return }  // late answer to a request that timed out
        pending.continuation.resume(returning: message.withID(pending.clientID))
    }

    /// The child exited or its output ended: every request still waiting fails, naming why.
    public func closeConnection(because reason: String) {
        let waiting: [Pending] = state.withLock { state in
            guard state.closedBecause == nil else { return [] }
            state.closedBecause = reason
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        outgoing.finish()
        for pending in waiting { pending.continuation.resume(throwing: UpstreamFailure.failed(reason)) }
    }

    /// Fails the requests whose deadline has passed. Called periodically by the member.
    public func expire(now: ContinuousClock.Instant) {
        let expired: [Pending] = state.withLock { state in
            let ids = state.pending.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.pending.removeValue(forKey: $0) }
        }
        for pending in expired {
            pending.continuation.resume(throwing: UpstreamFailure.timedOut(.zero))
        }
    }

    public var pendingCount: Int { state.withLock { $0.pending.count } }

    @discardableResult
    private func resume(_ id: Int64, with result: Result<JSONRPCMessage, any Error>) -> Bool {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        pending.continuation.resume(with: result)
        return true
    }
}
