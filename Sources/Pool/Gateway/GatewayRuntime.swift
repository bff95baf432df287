import AsyncHTTPClient
import Logging
import NIOCore

/// Everything the `mcp_servers:` section asks for, built and wired: the entries (pools,
/// remotes, groups), the gateway over them, and its metrics.
public final class GatewayRuntime: Sendable {
    /// In the configuration's order.
    public let entries: [any ServerEntry]
    public let gateway: Gateway
    public let metrics: GatewayMetrics
    private let httpClients: [HTTPClient]
    private let logger: Logger

    public init(servers: [ServerConfig], logger: Logger, firstMemberTimeout: Duration = .seconds(30)) {
        var entries: [String: any ServerEntry] = [:]
        var ordered: [any ServerEntry] = []
        var clients: [HTTPClient] = []
        var affinities: [String: ServerConfig.Affinity] = [:]
        let metrics = GatewayMetrics()
        // Pools and remotes first: groups refer to them.
        for server in servers {
            affinities[server.id] = server.affinity
            let health = MemberHealthSettings(
                maxConsecutiveFailures: server.health.maxConsecutiveFailures,
                failureThreshold: server.circuitBreaker?.failureThreshold ?? CircuitBreaker.defaultFailureThreshold,
                resetTimeout: server.circuitBreaker?.resetTimeout ?? CircuitBreaker.defaultResetTimeout,
                requestTimeout: server.http.read, probeMethod: server.health.check.rawValue)
            switch server.mode {
            case .pool(let pool):
                let client = Self.httpClient(connect: server.http.connect)
                clients.append(client)
                let spec = PoolSpec(
                    id: server.id, command: pool.command, environment: pool.environment,
                    transport: pool.transport == .stdio ? .stdio : .http(path: pool.path), replicas: pool.replicas,
                    strategy: server.strategy, drainTimeout: pool.drainTimeout, healthCheckInterval: server.health.interval,
                    connectTimeout: server.http.connect, health: health, overload: server.overload)
                let entry = PoolServer(spec: spec, httpClient: client, logger: logger)
                entries[server.id] = entry
                ordered.append(entry)
            case .remote(let remote):
                let client = Self.httpClient(connect: server.http.connect)
                clients.append(client)
                let entry = RemoteServer(id: server.id, endpoint: remote.endpoint, healthCheckInterval: server.health.interval,
                                         health: health, overload: server.overload, httpClient: client, logger: logger)
                entries[server.id] = entry
                ordered.append(entry)
            case .group:
                break
            }
        }
        for server in servers {
            guard case .group(let group) = server.mode else { continue }
            let members = group.members.compactMap { member -> GroupServer.Entry? in
                guard let entry = entries[member.id] else { return nil }
                return GroupServer.Entry(server: entry, weight: member.weight, priority: member.priority)
            }
            let entry = GroupServer(id: server.id, strategy: server.strategy, minHealthy: group.minHealthy, entries: members, logger: logger)
            entries[server.id] = entry
            ordered.append(entry)
        }
        self.entries = ordered
        self.httpClients = clients
        self.metrics = metrics
        self.logger = logger
        var rateLimits: [String: RateLimitSettings] = [:]
        for server in servers {
            if let limit = server.rateLimit { rateLimits[server.id] = limit }
        }
        self.gateway = Gateway(entries: ordered, affinities: affinities, firstMemberTimeout: firstMemberTimeout,
                               rateLimits: rateLimits, metrics: metrics, logger: logger)
    }

    public func start() async {
        for entry in entries { await entry.start() }
    }

    /// Stops admitting (the caller stops the HTTP server first), drains in-flight calls and
    /// stops every member.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for entry in entries { group.addTask { await entry.shutdown() } }
        }
        for client in httpClients { try? await client.shutdown() }
    }

    /// Groups whose healthy entries number at least `min_healthy`; false names the first that
    /// falls short (for /readyz).
    public var readiness: (ready: Bool, problems: [String]) {
        var problems: [String] = []
        for case let group as GroupServer in entries where group.healthyEntries < group.minHealthy {
            problems.append("\(group.id): \(group.healthyEntries) healthy of min_healthy \(group.minHealthy)")
        }
        return (problems.isEmpty, problems)
    }

    private static func httpClient(connect: Duration) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connect))
        // Idle connections go before common servers drop them (uvicorn and Node after 5 s),
        // so a request is not written into a connection the member is closing.
        configuration.connectionPool = .init(idleTimeout: .seconds(4), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
