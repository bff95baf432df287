import AsyncHTTPClient
import Logging
import Synchronization

/// A server somebody else runs (`mode: remote`): one member, reached over Streamable HTTP,
/// health-checked like any other.
public final class RemoteServer: ServerEntry {
    public let id: String
    public let endpoint: String
    public var strategy: BalancingStrategy { .roundRobin }
    private let member: Member
    private let connection: HTTPConnection
    private let healthCheckInterval: Duration
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    public let admissionQueue: AdmissionQueue?

    public init(id: String, endpoint: String, healthCheckInterval: Duration, health: MemberHealthSettings,
                overload: OverloadSettings? = nil, httpClient: HTTPClient, logger: Logger) {
        self.id = id
        let queue = overload.map(AdmissionQueue.init)
        self.admissionQueue = queue
        self.endpoint = endpoint
        self.healthCheckInterval = healthCheckInterval
        self.logger = logger
        member = Member(id: id, serverID: id, endpoint: endpoint, settings: health,
                        dedicatedSession: { endpoint in HTTPConnection(endpoint: endpoint, client: httpClient) }, capacity: queue)
        connection = HTTPConnection(endpoint: endpoint, client: httpClient)
    }

    public var members: [Member] { [member] }
    public var hasRoutableMember: Bool { member.isRoutable(now: .now) }

    public func choose(excluding excluded: Set<String>) -> Member? {
        guard !excluded.contains(member.id), member.isRoutable(now: .now), member.hasCapacity else { return nil }
        return member
    }

    public func start() async {
        let started = Task { await self.serve() }
        task.withLock { $0 = started }
    }

    /// Initializes (again and again until the server answers), then probes it every interval.
    private func serve() async {
        var attached = false
        while !Task.isCancelled {
            if !attached {
                do {
                    let result = try await connection.initialize(timeout: member.settings.requestTimeout)
                    member.attach(connection: connection, initializeResult: result)
                    attached = true
                    logger.info("member_ready", metadata: ["mcp_server": "\(id)", "endpoint": "\(endpoint)"])
                } catch {
                    logger.warning("health_check_failed", metadata: ["mcp_server": "\(id)", "consecutive_failures": "0", "reason": "\(error)"])
                }
            } else {
                await HealthProbe.run(member: member, connection: connection, timeout: min(healthCheckInterval, member.settings.requestTimeout), logger: logger)
            }
            try? await Task.sleep(for: attached ? healthCheckInterval : min(healthCheckInterval, .seconds(2)))
        }
    }

    public func shutdown() async {
        member.beginDraining()
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        while member.inflight > 0 { try? await Task.sleep(for: .milliseconds(20)) }
        await connection.close()
        member.markStopped()
    }
}

/// A group of other entries (`mode: group`): the group's strategy picks an entry by its
/// weight and priority, and that entry picks its member.
public final class GroupServer: ServerEntry {
    public struct Entry: Sendable {
        public var server: any ServerEntry
        public var weight: Int
        public var priority: Int

        public init(server: any ServerEntry, weight: Int = 1, priority: Int = 1) {
            self.server = server
            self.weight = weight
            self.priority = priority
        }
    }

    public let id: String
    public let strategy: BalancingStrategy
    public let minHealthy: Int
    public let entries: [Entry]
    private let balancer: BalancerBox
    private let logger: Logger

    public init(id: String, strategy: BalancingStrategy, minHealthy: Int, entries: [Entry], logger: Logger) {
        self.id = id
        self.strategy = strategy
        self.minHealthy = minHealthy
        self.entries = entries
        self.balancer = BalancerBox(strategy: strategy)
        self.logger = logger
    }

    public var members: [Member] { entries.flatMap { $0.server.members } }
    public var hasRoutableMember: Bool { entries.contains { $0.server.hasRoutableMember } }

    /// Entries with a member in rotation; `min_healthy` compares against this.
    public var healthyEntries: Int { entries.filter { $0.server.hasRoutableMember }.count }

    public func choose(excluding excluded: Set<String>) -> Member? {
        var remaining = entries.filter { $0.server.hasRoutableMember }
        while !remaining.isEmpty {
            let candidates = remaining.map {
                BalancingCandidate(id: $0.server.id, weight: $0.weight, priority: $0.priority, inflight: $0.server.inflight)
            }
            guard let index = balancer.choose(candidates) else { return nil }
            if let member = remaining[index].server.choose(excluding: excluded) {
                logger.debug("selected_member", metadata: ["group_id": "\(id)", "mcp_server": "\(remaining[index].server.id)", "member": "\(member.id)"])
                return member
            }
            remaining.remove(at: index)
        }
        return nil
    }

    public func start() async {
        logger.info("group_created", metadata: ["group_id": "\(id)", "strategy": "\(strategy.rawValue)"])
        for entry in entries {
            logger.info("Added member \(entry.server.id) to group \(id) (priority=\(entry.priority))",
                        metadata: ["group_id": "\(id)", "mcp_server": "\(entry.server.id)", "priority": "\(entry.priority)", "weight": "\(entry.weight)"])
        }
    }

    /// The group's entries are started and stopped as entries of their own.
    public func shutdown() async {}
}
