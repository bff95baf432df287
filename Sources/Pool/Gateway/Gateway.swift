import Foundation
import Logging
import Scaler
import Synchronization

/// The terminating MCP gateway, without its transport: it answers initialize and ping
/// itself, keeps each client session, and sends every other request to a member chosen by the
/// entry's strategy, over the gateway's own session with that member.
///
/// A request that never reached its member (refused, member gone before the write) is tried
/// on another member; one that reached a member that then failed gets a JSON-RPC error naming
/// the member, at once. Nothing waits without a deadline.
public final class Gateway: Sendable {
    /// One client's MCP session with the gateway.
    public struct ClientSession: Sendable {
        public var id: String
        public var serverID: String
        public var protocolVersion: String
        /// The member this session is pinned to (affinity: session).
        public var pinned: Member?
        /// The pinned client's own session with its member, where the member can hold one.
        var upstream: (any UpstreamConnection)?
        public var createdAt: ContinuousClock.Instant
    }

    /// What became of a message, for the transport to answer with.
    public enum Outcome: Sendable {
        /// A JSON-RPC response to send back (for initialize, with the new session's id).
        case response([UInt8], newSession: String?)
        /// A notification or response from the client, accepted (HTTP 202).
        case accepted
        /// The session is unknown or its pinned member is gone (HTTP 404): re-initialize.
        case sessionNotFound
        /// A request other than initialize came without a session (HTTP 400).
        case sessionRequired
        /// Every member is at `max_concurrency` and the queue is full or the wait ran out:
        /// a JSON-RPC error to send with HTTP 429 and `Retry-After: retryAfter` seconds.
        case overloaded([UInt8], retryAfter: Int)
    }

    public let entries: [String: any ServerEntry]
    private let affinities: [String: ServerConfig.Affinity]
    private let sessions = Mutex<[String: ClientSession]>([:])
    /// Which member is working on a client's request, so a cancellation can follow it.
    private let logger: Logger
    /// How long a call waits for a first member to come up (a pool starting, or at zero).
    public let firstMemberTimeout: Duration
    /// How many calls may wait for a first member at once; more are refused at once, so a
    /// burst against an empty pool cannot pile up without bound.
    public let maximumWaitingCalls: Int
    private let waitingCalls = Mutex(0)
    /// Each entry's last initialize result from a member.
    private let rememberedInitializeResults = Mutex<[String: [UInt8]]>([:])

    let metrics: GatewayMetrics?
    /// Each entry's `rate_limit`, by entry id.
    let rateLimiters: [String: RateLimiter]

    public init(entries: [any ServerEntry], affinities: [String: ServerConfig.Affinity] = [:], firstMemberTimeout: Duration = .seconds(30),
                maximumWaitingCalls: Int = 1024, rateLimits: [String: RateLimitSettings] = [:], metrics: GatewayMetrics? = nil,
                logger: Logger) {
        self.maximumWaitingCalls = maximumWaitingCalls
        self.rateLimiters = rateLimits.mapValues { RateLimiter(settings: $0) }
        self.metrics = metrics
        var byID: [String: any ServerEntry] = [:]
        for entry in entries { byID[entry.id] = entry }
        self.entries = byID
        self.affinities = affinities
        self.firstMemberTimeout = firstMemberTimeout
        self.logger = logger
    }

    public var sessionCount: Int { sessions.withLock { $0.count } }

    /// Cleared when shutdown begins: new requests are refused while those in flight finish.
    private let admitting = Atomic<Bool>(true)

    /// Refuses every request from now on (calls already in flight go on).
    public func stopAdmitting() {
        admitting.store(false, ordering: .relaxed)
    }

    /// False once shutdown has begun.
    public var isAdmitting: Bool { admitting.load(ordering: .relaxed) }

    public func sessionCount(for serverID: String) -> Int {
        sessions.withLock { $0.values.filter { $0.serverID == serverID }.count }
    }

    /// Handles one message from a client of `serverID`. `sessionID` is the client's session
    /// (nil before initialize, or on a transport without sessions, which passes `implicit`).
    public func handle(_ message: JSONRPCMessage, serverID: String, sessionID: String?, client: ClientIdentity = .unknown) async -> Outcome {
        guard let entry = entries[serverID] else {
            return .response(JSONRPCError(code: .invalidRequest, message: "unknown MCP server \(serverID)", id: message.id).responseBytes, newSession: nil)
        }
        if message.kind == .request, !admitting.load(ordering: .relaxed) {
            return .response(JSONRPCError(code: .unavailable, message: "tidepool is shutting down", id: message.id).responseBytes, newSession: nil)
        }
        if message.kind == .request, let limiter = rateLimiters[serverID] {
            let key = limiter.key(for: client, session: sessionID)
            if let wait = limiter.take(key, now: Self.monotonicNanoseconds()) {
                metrics?.rejected(server: serverID, reason: "rate_limit")
                let settings = limiter.settings
                let rate = settings.requestsPerSecond.rounded() == settings.requestsPerSecond
                    ? "\(Int(settings.requestsPerSecond))" : "\(settings.requestsPerSecond)"
                let text = "\(serverID) is rate limited: at most \(rate) requests per second per \(settings.per.rawValue) (burst \(settings.burst))"
                logger.debug("call_refused", metadata: ["mcp_server": "\(serverID)", "reason": "rate_limit", "per": "\(settings.per.rawValue)"])
                // Retry-After is whole seconds; a wait under one second still says 1.
                let seconds = Int((Double(wait.nanoseconds) / 1e9).rounded(.up))
                return .overloaded(JSONRPCError(code: .overloaded, message: text, id: message.id).responseBytes, retryAfter: max(1, seconds))
            }
        }
        if message.method == "initialize", message.kind == .request {
            return await initialize(message, entry: entry)
        }
        guard let sessionID else { return .sessionRequired }
        guard var session = sessions.withLock({ $0[sessionID] }), session.serverID == serverID else { return .sessionNotFound }
        switch message.kind {
        case .notification, .response:
            // notifications/initialized completes the client's handshake with the gateway; the
            // gateway's sessions with members are its own. Other notifications concern a
            // request's member, which the gateway does not track by client id: they are
            // accepted and dropped (cancellation travels with the client's disconnect).
            return .accepted
        case .request:
            break
        }
        if message.method == "ping" {
            return .response(JSONRPCMessage.result(id: message.id!, resultJSON: Array("{}".utf8)), newSession: nil)
        }
        if let pinned = session.pinned {
            if pinned.phase == .stopped || pinned.phase == .draining {
                end(sessionID)
                return .sessionNotFound
            }
            return .response(await send(message, to: pinned, over: session.upstream), newSession: nil)
        }
        if affinities[serverID] == .session {
            // Pinned at first use when no member was ready at initialize.
            guard let member = await firstMember(of: entry) else {
                return .response(unavailable(entry, message), newSession: nil)
            }
            session.pinned = member
            session.upstream = try? await member.openDedicatedSession()
            member.sessionOpened()
            sessions.withLock { $0[sessionID] = session }
            return .response(await send(message, to: member, over: session.upstream), newSession: nil)
        }
        switch await route(message, through: entry) {
        case .answer(let bytes): return .response(bytes, newSession: nil)
        case .overloaded(let bytes, let retryAfter): return .overloaded(bytes, retryAfter: retryAfter)
        }
    }

    /// Ends a client session (HTTP DELETE); false when it was not known.
    @discardableResult
    public func end(_ sessionID: String) -> Bool {
        let session = sessions.withLock { $0.removeValue(forKey: sessionID) }
        session?.pinned?.sessionClosed()
        if let upstream = session?.upstream {
            Task { await upstream.close() }
        }
        return session != nil
    }

    public func hasSession(_ sessionID: String, serverID: String) -> Bool {
        sessions.withLock { $0[sessionID]?.serverID == serverID }
    }

    // MARK: - Initialize

    private func initialize(_ message: JSONRPCMessage, entry: any ServerEntry) async -> Outcome {
        let requested: String? = {
            guard case .string(let version)? = message.params?["protocolVersion"] else { return nil }
            return version
        }()
        let version = requested.flatMap { MCPProtocol.supportedVersions.contains($0) ? $0 : nil } ?? MCPProtocol.latestVersion
        guard let memberResult = await firstInitializeResult(of: entry) else {
            return .response(unavailable(entry, message), newSession: nil)
        }
        var pinned: Member?
        var upstream: (any UpstreamConnection)?
        if affinities[entry.id] == .session, let member = entry.choose(excluding: []) {
            do {
                upstream = try await member.openDedicatedSession()
                pinned = member
                member.sessionOpened()
            } catch {
                // Pinned at first use instead, when a member answers.
                logger.warning("session_pin_failed", metadata: ["mcp_server": "\(entry.id)", "member": "\(member.id)", "reason": "\(error)"])
            }
        }
        let sessionID = Self.newSessionID()
        sessions.withLock { sessions in
            sessions[sessionID] = ClientSession(id: sessionID, serverID: entry.id, protocolVersion: version, pinned: pinned,
                                                upstream: upstream, createdAt: .now)
        }
        logger.debug("session_opened", metadata: ["mcp_server": "\(entry.id)", "session": "\(sessionID)", "member": "\(pinned?.id ?? "-")"])
        return .response(JSONRPCMessage.result(id: message.id!, resultJSON: Self.gatewayResult(memberResult, version: version, entry: entry)),
                         newSession: sessionID)
    }

    /// The member's own initialize result with the version negotiated with this client; its
    /// capabilities and instructions are what the client gets through the gateway.
    static func gatewayResult(_ memberResult: [UInt8], version: String, entry: any ServerEntry) -> [UInt8] {
        guard case .object(var object)? = try? JSONParser.parse(memberResult) else { return memberResult }
        if let index = object.entries.firstIndex(where: { $0.key == "protocolVersion" }) {
            object.entries[index].value = .string(version)
        } else {
            object.entries.append(JSONObject.Entry("protocolVersion", .string(version)))
        }
        var writer = JSONWriter(reservingCapacity: memberResult.count + 32)
        writer.value(.object(object))
        return writer.bytes
    }

    /// What a member of the entry answered to initialize. A pool scaled to zero still answers
    /// at once with what its members said before (and starts one meanwhile), so a client's
    /// handshake does not wait for a process to start; only its first call does.
    private func firstInitializeResult(of entry: any ServerEntry) async -> [UInt8]? {
        if let result = entry.initializeResult, entry.hasRoutableMember {
            rememberedInitializeResults.withLock { $0[entry.id] = result }
            return result
        }
        if let remembered = rememberedInitializeResults.withLock({ $0[entry.id] }) {
            entry.demandWhileEmpty()
            return remembered
        }
        guard admitWaiting() else { return nil }
        defer { waitingCalls.withLock { $0 -= 1 } }
        entry.demandWhileEmpty()
        let deadline = ContinuousClock.now + firstMemberTimeout
        while true {
            if let result = entry.initializeResult, entry.hasRoutableMember {
                rememberedInitializeResults.withLock { $0[entry.id] = result }
                return result
            }
            if ContinuousClock.now >= deadline { return entry.initializeResult }
            try? await Task.sleep(for: Self.waitPollInterval)
            if Task.isCancelled { return nil }
        }
    }

    static func monotonicNanoseconds() -> Int64 {
        let elapsed = ContinuousClock.now - processStart
        return elapsed.nanoseconds
    }
    private static let processStart = ContinuousClock.now

    /// How often a waiting call looks for a first member.
    static let waitPollInterval: Duration = .milliseconds(5)

    private func firstMember(of entry: any ServerEntry) async -> Member? {
        guard admitWaiting() else { return nil }
        defer { waitingCalls.withLock { $0 -= 1 } }
        entry.demandWhileEmpty()
        let deadline = ContinuousClock.now + firstMemberTimeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let member = entry.choose(excluding: []) { return member }
            try? await Task.sleep(for: Self.waitPollInterval)
        }
        return nil
    }

    /// Takes a place among the calls waiting for a first member, if one is free.
    private func admitWaiting() -> Bool {
        waitingCalls.withLock { waiting in
            guard waiting < maximumWaitingCalls else { return false }
            waiting += 1
            return true
        }
    }

    /// Calls waiting now for a first member (of any entry).
    public var waitingCallCount: Int { waitingCalls.withLock { $0 } }

    // MARK: - Routing

    enum RouteResult {
        case answer([UInt8])
        case overloaded([UInt8], retryAfter: Int)
    }

    /// Sends a request to a member of the entry, trying others while it was not delivered.
    /// When every member in rotation is at its `max_concurrency`, the request waits in the
    /// entry's queue (first come, first served) for a slot, or is refused as overloaded.
    private func route(_ message: JSONRPCMessage, through entry: any ServerEntry) async -> RouteResult {
        var tried: Set<String> = []
        let queue = entry.admissionQueue
        let deadline = queue.map { ContinuousClock.now + $0.settings.queueTimeout }
        // Calls already waiting go first: a newcomer queues behind them.
        if let queue, let deadline, queue.length > 0 {
            if let refusal = await self.wait(in: queue, until: deadline, entry: entry, message: message) { return refusal }
        }
        while true {
            guard let member = entry.choose(excluding: tried) else {
                if let queue, let deadline, !entry.routableMembers.isEmpty {
                    // Members are there, all busy to their limit: wait for a slot.
                    if let refusal = await self.wait(in: queue, until: deadline, entry: entry, message: message) { return refusal }
                    tried.removeAll()
                    continue
                }
                if queue == nil, tried.isEmpty, entry.routableMembers.contains(where: { !$0.hasCapacity }) {
                    // A group over limited entries: every member in rotation is at its limit,
                    // and a group has no queue of its own. Refuse now rather than wait.
                    let text = "\(entry.id) is overloaded: every member in rotation is at its max_concurrency"
                    return .overloaded(JSONRPCError(code: .overloaded, message: text, id: message.id).responseBytes, retryAfter: 1)
                }
                if tried.isEmpty, let member = await firstMember(of: entry) {
                    // Nobody was in rotation (starting, or scaled to zero): wait for the first.
                    tried.insert(member.id)
                    if let bytes = await attempt(message, on: member) { return .answer(bytes) }
                    continue
                }
                return .answer(unavailable(entry, message))
            }
            tried.insert(member.id)
            if let bytes = await attempt(message, on: member) { return .answer(bytes) }
            // Filled up between the choice and the call: it may take the next freed slot.
            if !member.hasCapacity { tried.remove(member.id) }
        }
    }

    /// Waits for a slot; nil when one freed, else the refusal to answer with.
    private func wait(in queue: AdmissionQueue, until deadline: ContinuousClock.Instant, entry: any ServerEntry,
                      message: JSONRPCMessage) async -> RouteResult? {
        let started = ContinuousClock.now
        let outcome = await queue.wait(until: deadline)
        metrics?.queueWaited(server: entry.id, outcome: outcome, duration: .now - started)
        let settings = queue.settings
        let text: String
        switch outcome {
        case .slotFreed:
            return nil
        case .queueFull:
            text = "\(entry.id) is overloaded: every member is at max_concurrency \(settings.maxConcurrency) and the queue holds max_queue \(settings.maxQueue) calls"
        case .timedOut:
            text = "\(entry.id) is overloaded: no member had a free slot (max_concurrency \(settings.maxConcurrency)) within queue_timeout_ms \(settings.queueTimeout.nanoseconds / 1_000_000)"
        case .cancelled:
            text = "the call was cancelled while waiting for a member of \(entry.id)"
        }
        logger.debug("call_refused", metadata: ["mcp_server": "\(entry.id)", "reason": "\(outcome)"])
        return .overloaded(JSONRPCError(code: .overloaded, message: text, id: message.id).responseBytes, retryAfter: settings.retryAfterSeconds)
    }

    /// The response bytes, or nil when the request never reached the member.
    private func attempt(_ message: JSONRPCMessage, on member: Member) async -> [UInt8]? {
        let started = ContinuousClock.now
        do {
            let response = try await member.call(message)
            record(member, response.resultJSON == nil ? "error" : "ok", since: started)
            return response.bytes
        } catch {
            switch error {
            case .notDelivered(let reason):
                logger.debug("retrying_elsewhere", metadata: ["mcp_server": "\(member.serverID)", "member": "\(member.id)", "reason": "\(reason)"])
                return nil
            default:
                record(member, Self.outcome(error), since: started)
                return failure(error, member: member, message: message)
            }
        }
    }

    private func send(_ message: JSONRPCMessage, to member: Member, over upstream: (any UpstreamConnection)?) async -> [UInt8] {
        let started = ContinuousClock.now
        do {
            let response = try await member.call(message, over: upstream)
            record(member, response.resultJSON == nil ? "error" : "ok", since: started)
            return response.bytes
        } catch {
            record(member, Self.outcome(error), since: started)
            return failure(error, member: member, message: message)
        }
    }

    private func record(_ member: Member, _ outcome: String, since started: ContinuousClock.Instant) {
        metrics?.requestFinished(server: member.serverID, member: member.id, outcome: outcome, duration: .now - started)
    }

    private static func outcome(_ failure: UpstreamFailure) -> String {
        switch failure {
        case .timedOut: return "timeout"
        case .notDelivered: return "unavailable"
        case .failed, .sessionLost: return "failed"
        }
    }

    private func failure(_ error: UpstreamFailure, member: Member, message: JSONRPCMessage) -> [UInt8] {
        logger.warning("call_failed", metadata: ["mcp_server": "\(member.serverID)", "member": "\(member.id)",
                                                 "method": "\(message.method ?? "")", "reason": "\(error)"])
        let code: JSONRPCError.Code
        switch error {
        case .timedOut: code = .upstreamTimeout
        case .notDelivered: code = .unavailable
        default: code = .upstreamFailed
        }
        return JSONRPCError(code: code, message: "member \(member.id) of \(member.serverID) failed: \(error)", id: message.id).responseBytes
    }

    private func unavailable(_ entry: any ServerEntry, _ message: JSONRPCMessage) -> [UInt8] {
        JSONRPCError(code: .unavailable, message: "no member of \(entry.id) is available", id: message.id).responseBytes
    }

    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let value = generator.next() as UInt32
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}
