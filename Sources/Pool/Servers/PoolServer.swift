import AsyncHTTPClient
import Foundation
import Logging
import Synchronization

/// How a pool starts and keeps its members (`mode: pool` in the configuration).
public struct PoolSpec: Sendable {
    public enum Transport: Sendable, Equatable {
        /// Newline-delimited JSON-RPC on the child's standard input and output.
        case stdio
        /// Each member serves Streamable HTTP on a loopback port filled into `{port}`, at `path`.
        case http(path: String)
    }

    public var id: String
    public var command: [String]
    public var environment: [String: String]
    public var transport: Transport
    public var replicas: Int
    public var strategy: BalancingStrategy
    public var drainTimeout: Duration
    public var healthCheckInterval: Duration
    /// How long a new member has to answer initialize.
    public var startupTimeout: Duration
    public var connectTimeout: Duration
    public var health: MemberHealthSettings
    /// `max_concurrency` and its queue; nil: members take any number of calls.
    public var overload: OverloadSettings?

    public init(
        id: String, command: [String], environment: [String: String] = [:], transport: Transport = .stdio,
        replicas: Int = 1, strategy: BalancingStrategy = .roundRobin, drainTimeout: Duration = .seconds(30),
        healthCheckInterval: Duration = .seconds(10), startupTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10), health: MemberHealthSettings = MemberHealthSettings(),
        overload: OverloadSettings? = nil
    ) {
        self.overload = overload
        self.id = id
        self.command = command
        self.environment = environment
        self.transport = transport
        self.replicas = replicas
        self.strategy = strategy
        self.drainTimeout = drainTimeout
        self.healthCheckInterval = healthCheckInterval
        self.startupTimeout = startupTimeout
        self.connectTimeout = connectTimeout
        self.health = health
    }
}

/// A pool of member processes Tidepool starts itself and resizes on request.
///
/// Invariants: `desired` is the size the pool works towards; members that are not draining
/// number `desired` once starts and stops have settled; a crashed member is replaced (after a
/// back-off when crashes repeat); a draining member takes no new requests and is stopped when
/// its calls finish or its drain timeout ends.
public final class PoolServer: ServerEntry {
    public let spec: PoolSpec
    public var id: String { spec.id }
    public var strategy: BalancingStrategy { spec.strategy }

    private struct State {
        var desired: Int
        var members: [Member] = []
        var nextNumber = 1
        var backoff = RestartBackoff()
        /// A replacement waiting out its back-off delay.
        var restartPending = false
        var shuttingDown = false
        var tasks: [String: Task<Void, Never>] = [:]
        /// Called when calls wait on an empty pool (the autoscaler scales from zero).
        var onDemandWhileEmpty: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>
    private let balancer: BalancerBox
    private let logger: Logger
    private let httpClient: HTTPClient

    public let admissionQueue: AdmissionQueue?

    public init(spec: PoolSpec, httpClient: HTTPClient, logger: Logger) {
        self.spec = spec
        self.admissionQueue = spec.overload.map(AdmissionQueue.init)
        self.state = Mutex(State(desired: spec.replicas))
        self.balancer = BalancerBox(strategy: spec.strategy)
        self.logger = logger
        self.httpClient = httpClient
    }

    public var members: [Member] { state.withLock { $0.members } }

    /// HTTP members can hold a session per pinned client; a stdio member is one session.
    private var dedicatedSessions: (@Sendable (String) -> any UpstreamConnection)? {
        guard case .http = spec.transport else { return nil }
        let client = httpClient
        return { endpoint in HTTPConnection(endpoint: endpoint, client: client) }
    }

    public var desiredReplicas: Int { state.withLock { $0.desired } }
    /// Members ready and in rotation.
    public var readyReplicas: Int { routableMembers.count }
    public var hasRoutableMember: Bool { !routableMembers.isEmpty }

    public func choose(excluding excluded: Set<String>) -> Member? {
        balancer.choose(among: members, excluding: excluded, logger: logger)
    }

    public func start() async {
        logger.info("pool_created", metadata: ["mcp_server": "\(id)", "replicas": "\(spec.replicas)", "strategy": "\(spec.strategy.rawValue)"])
        adjust()
    }

    /// Sets the size the pool works towards: new members start in parallel and are admitted
    /// as each becomes ready; surplus members (the least busy first) drain and stop.
    public func resize(to desired: Int) {
        let previous = state.withLock { state -> Int in
            defer { state.desired = max(0, desired) }
            return state.desired
        }
        if previous != desired {
            logger.info("pool_resized", metadata: ["mcp_server": "\(id)", "from": "\(previous)", "to": "\(desired)"])
        }
        adjust()
    }

    /// Who starts a member when calls arrive and the pool is at zero. Without one, a pool
    /// someone set to zero stays there.
    public func setDemandHandler(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onDemandWhileEmpty = handler }
    }

    public func demandWhileEmpty() {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.shuttingDown, state.desired == 0 else { return nil }
            return state.onDemandWhileEmpty
        }
        handler?()
    }

    public func shutdown() async {
        let members = state.withLock { state -> [Member] in
            state.shuttingDown = true
            state.desired = 0
            return state.members
        }
        await withTaskGroup(of: Void.self) { group in
            for member in members {
                group.addTask { await self.drain(member) }
            }
        }
        let tasks = state.withLock { Array($0.tasks.values) }
        for task in tasks { await task.value }
    }

    // MARK: - Reaching the desired size

    /// Starts or drains members until the live count (members not draining) is `desired`.
    private func adjust() {
        enum Action { case start(Member), drain(Member) }
        var actions: [Action] = []
        state.withLock { state in
            guard !state.shuttingDown else { return }
            let live = state.members.filter { $0.phase != .draining && $0.phase != .stopped }
            if live.count < state.desired, !state.restartPending {
                for _ in live.count..<state.desired {
                    let member = Member(id: "\(spec.id)-\(state.nextNumber)", serverID: spec.id, endpoint: "", settings: spec.health,
                                        dedicatedSession: dedicatedSessions, capacity: admissionQueue)
                    state.nextNumber += 1
                    state.members.append(member)
                    actions.append(.start(member))
                }
            } else if live.count > state.desired {
                // Members still starting go first, then those with the least to lose.
                let victims = live.sorted { a, b in
                    let aStarting = a.phase == .starting
                    let bStarting = b.phase == .starting
                    if aStarting != bStarting { return aStarting }
                    return (a.inflight + a.sessions, b.id) < (b.inflight + b.sessions, a.id)
                }.prefix(live.count - state.desired)
                for victim in victims { actions.append(.drain(victim)) }
            }
        }
        for action in actions {
            switch action {
            case .start(let member):
                let task = Task { await self.run(member) }
                state.withLock { $0.tasks[member.id] = task }
            case .drain(let member):
                Task { await self.drain(member) }
            }
        }
    }

    /// One member's life: start, become ready, serve with health checks, exit.
    private func run(_ member: Member) async {
        let startedAt = ContinuousClock.now
        let exit = await MemberRunner(member: member, spec: spec, httpClient: httpClient, logger: logger).run()
        let intended = member.phase == .draining || member.phase == .stopped
        member.markStopped()
        let delay: Duration? = state.withLock { state in
            state.members.removeAll { $0 === member }
            state.tasks[member.id] = nil
            guard !intended, !state.shuttingDown else { return nil }
            state.restartPending = true
            return state.backoff.delayBeforeRestart(crashAt: .now, startedAt: startedAt)
        }
        if intended {
            logger.info("member_stopped", metadata: ["mcp_server": "\(id)", "member": "\(member.id)", "status": "\(exit.status)"])
            adjust()
            return
        }
        guard let delay else { return }
        logger.error("member_crashed", metadata: [
            "mcp_server": "\(id)", "member": "\(member.id)", "status": "\(exit.status)",
            "stderr": "\(exit.stderrTail.joined(separator: " | "))", "restart_in": "\(delay)",
        ])
        if delay > .zero { try? await Task.sleep(for: delay) }
        state.withLock { $0.restartPending = false }
        adjust()
    }

    /// Stops routing to the member, lets its calls finish (up to the drain timeout), then
    /// closes its standard input or session, sends SIGTERM and at the end SIGKILL.
    private func drain(_ member: Member) async {
        guard member.beginDraining() else { return }
        logger.info("member_draining", metadata: ["mcp_server": "\(id)", "member": "\(member.id)", "inflight": "\(member.inflight)"])
        let deadline = ContinuousClock.now + spec.drainTimeout
        while member.inflight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if member.inflight > 0 {
            logger.warning("drain_timeout", metadata: ["mcp_server": "\(id)", "member": "\(member.id)", "abandoned_calls": "\(member.inflight)"])
        }
        await member.connection?.close()
        let task = state.withLock { $0.tasks[member.id] }
        // Closing stdin asks a stdio child to exit; give it a moment before the signals.
        let closedAt = ContinuousClock.now
        while state.withLock({ $0.tasks[member.id] != nil }), ContinuousClock.now - closedAt < .seconds(2) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        task?.cancel()
        await task?.value
    }
}

/// Runs one member: its process, the handshake, health probes, until the process exits.
struct MemberRunner {
    let member: Member
    let spec: PoolSpec
    let httpClient: HTTPClient
    let logger: Logger

    func run() async -> MemberProcess.Exit {
        var command = spec.command
        var environment = spec.environment
        let connection: any UpstreamConnection
        var stdio: StdioConnection?
        switch spec.transport {
        case .stdio:
            let channel = StdioConnection()
            stdio = channel
            connection = channel
        case .http(let path):
            let port: Int
            do {
                port = try FreePort.allocate()
            } catch {
                return MemberProcess.Exit(status: "no free port: \(error)", stderrTail: [])
            }
            command = command.map { $0.replacingOccurrences(of: PoolSettings.portPlaceholder, with: String(port)) }
            environment = environment.mapValues { $0.replacingOccurrences(of: PoolSettings.portPlaceholder, with: String(port)) }
            let endpoint = "http://127.0.0.1:\(port)\(path)"
            member.setEndpoint(endpoint, processID: nil)
            connection = HTTPConnection(endpoint: endpoint, client: httpClient)
        }
        let launch = MemberProcess.Launch(command: command, environment: environment)
        let stdioChannel = stdio
        let member = self.member
        let logger = self.logger
        let serverID = spec.id
        let exited = ManagedFlag()
        let process = Task {
            defer { exited.set() }
            do {
                return try await MemberProcess.run(
                    launch, stdio: stdioChannel, grace: .seconds(5),
                    started: { pid in
                        if stdioChannel != nil { member.setEndpoint("stdio pid \(pid)", processID: pid) } else {
                            member.setEndpoint(member.endpoint, processID: pid)
                        }
                    },
                    stderrLine: { line in
                        logger.debug("member_stderr", metadata: ["mcp_server": "\(serverID)", "member": "\(member.id)", "line": "\(line)"])
                    })
            } catch {
                return MemberProcess.Exit(status: "could not start: \(error)", stderrTail: [])
            }
        }
        await withTaskCancellationHandler {
            await handshakeAndServe(connection: connection, stdio: stdioChannel, exited: exited)
        } onCancel: {
            process.cancel()
        }
        return await withTaskCancellationHandler {
            await process.value
        } onCancel: {
            process.cancel()
        }
    }

    /// Repeats initialize until the member answers (an HTTP member may not listen yet), then
    /// probes its health every interval while it runs.
    private func handshakeAndServe(connection: any UpstreamConnection, stdio: StdioConnection?, exited: ManagedFlag) async {
        let deadline = ContinuousClock.now + spec.startupTimeout
        var result: [UInt8]?
        while result == nil, !exited.isSet, !Task.isCancelled, ContinuousClock.now < deadline {
            do {
                result = try await connection.initialize(timeout: min(spec.health.requestTimeout, .seconds(10)))
            } catch {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let result else {
            if !exited.isSet, !Task.isCancelled {
                logger.error("member_start_failed", metadata: ["mcp_server": "\(spec.id)", "member": "\(member.id)",
                                                               "reason": "no answer to initialize within \(spec.startupTimeout)"])
            }
            return
        }
        member.attach(connection: connection, initializeResult: result)
        logger.info("member_ready", metadata: ["mcp_server": "\(spec.id)", "member": "\(member.id)", "endpoint": "\(member.endpoint)"])

        var nextProbe = ContinuousClock.now + spec.healthCheckInterval
        while !exited.isSet, !Task.isCancelled, member.phase != .stopped {
            try? await Task.sleep(for: .milliseconds(100))
            stdio?.expire(now: .now)
            guard ContinuousClock.now >= nextProbe, member.phase != .draining else { continue }
            nextProbe = ContinuousClock.now + spec.healthCheckInterval
            await HealthProbe.run(member: member, connection: connection, timeout: min(spec.healthCheckInterval, spec.health.requestTimeout), logger: logger)
        }
    }
}

/// One active health check and the log lines its outcome calls for.
enum HealthProbe {
    static func run(member: Member, connection: any UpstreamConnection, timeout: Duration, logger: Logger) async {
        var failure: UpstreamFailure?
        do {
            do {
                try await connection.probe(method: member.settings.probeMethod, timeout: timeout)
            } catch .sessionLost {
                // The member restarted and forgot the gateway's session: shake hands again.
                let result = try await connection.initialize(timeout: timeout)
                member.attach(connection: connection, initializeResult: result)
                try await connection.probe(method: member.settings.probeMethod, timeout: timeout)
            }
        } catch {
            failure = error
        }
        let transition = member.recordProbe(success: failure == nil)
        if let failure {
            logger.warning("health_check_failed", metadata: [
                "mcp_server": "\(member.serverID)", "member": "\(member.id)",
                "consecutive_failures": "\(member.consecutiveProbeFailures)", "reason": "\(failure)",
            ])
        }
        switch transition {
        case .removedFromRotation:
            logger.warning("removed_from_rotation", metadata: ["mcp_server": "\(member.serverID)", "member": "\(member.id)"])
        case .backInRotation:
            logger.info("back_in_rotation", metadata: ["mcp_server": "\(member.serverID)", "member": "\(member.id)"])
        case .none:
            break
        }
    }
}

/// A flag set once, read from anywhere.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A loopback TCP port nobody listens on now, for a new HTTP member.
enum FreePort {
    static func allocate() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ProcessLaunchError(reason: "socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ProcessLaunchError(reason: "bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw ProcessLaunchError(reason: "getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
