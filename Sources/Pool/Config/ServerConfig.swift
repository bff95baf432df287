import Scaler

/// One entry of the configuration's `mcp_servers:` map: a pool Tidepool runs, a remote server
/// somebody else runs, or a group over other entries.
///
/// Keys are MCP Hangar's where Hangar has one (`health_check_interval_s`,
/// `max_consecutive_failures`, `circuit_breaker`, `http`, `members`, `min_healthy`), so Hangar
/// configs load unchanged.
public struct ServerConfig: Sendable, Equatable {
    /// The key under `mcp_servers:`; the gateway serves the entry at `/mcp/<id>`.
    public var id: String
    public var description: String?
    public var mode: Mode
    /// Active health checks of each member (pool) or of the endpoint (remote). A group has no
    /// checks of its own: its members' health decides, so it keeps the defaults.
    public var health: HealthSettings
    /// Per member (pool, group) or for the endpoint (remote); nil means no breaker.
    public var circuitBreaker: CircuitBreakerSettings?
    public var http: HTTPTimeouts
    /// How a pool or group picks a member; a remote server has one endpoint and keeps the default.
    public var strategy: BalancingStrategy
    public var affinity: Affinity
    /// `max_concurrency` per member, `max_queue`, `queue_timeout_ms` (pool, remote); nil: no limit.
    public var overload: OverloadSettings?
    /// `rate_limit:` (any mode): a token bucket per client, token, session or server; nil: none.
    public var rateLimit: RateLimitSettings?

    public init(
        id: String, description: String? = nil, mode: Mode, health: HealthSettings = HealthSettings(),
        circuitBreaker: CircuitBreakerSettings? = nil, http: HTTPTimeouts = HTTPTimeouts(),
        strategy: BalancingStrategy = .default, affinity: Affinity = .none, overload: OverloadSettings? = nil,
        rateLimit: RateLimitSettings? = nil
    ) {
        self.overload = overload
        self.rateLimit = rateLimit
        self.id = id
        self.description = description
        self.mode = mode
        self.health = health
        self.circuitBreaker = circuitBreaker
        self.http = http
        self.strategy = strategy
        self.affinity = affinity
    }

    public enum Mode: Sendable, Equatable {
        case pool(PoolSettings)
        case remote(RemoteSettings)
        case group(GroupSettings)

        /// The config's `mode:` value.
        public var name: String {
            switch self {
            case .pool: "pool"
            case .remote: "remote"
            case .group: "group"
            }
        }
    }

    /// Whether an MCP session stays on the member that started it.
    public enum Affinity: String, Sendable, CaseIterable {
        /// Each request is routed on its own.
        case none
        /// Requests carrying an MCP session id go to the member that issued it.
        case session
    }
}

/// `health_check_interval_s`, `max_consecutive_failures` and `health_check`.
public struct HealthSettings: Sendable, Equatable {
    /// What a health check sends to a member.
    public enum Check: String, Sendable, CaseIterable {
        case ping
        /// Also proves the server can answer a real request, at the cost of a bigger reply.
        case toolsList = "tools/list"
    }

    public static let defaultInterval: Duration = .seconds(10)

    public var interval: Duration
    /// Failed checks in a row that take a member out of rotation (at least 1).
    public var maxConsecutiveFailures: Int
    public var check: Check

    public init(
        interval: Duration = HealthSettings.defaultInterval,
        maxConsecutiveFailures: Int = HealthTracker.defaultMaxConsecutiveFailures,
        check: Check = .ping
    ) {
        self.interval = interval
        self.maxConsecutiveFailures = maxConsecutiveFailures
        self.check = check
    }
}

/// `circuit_breaker: {failure_threshold, reset_timeout_s}`; a key left out takes
/// `CircuitBreaker`'s default.
public struct CircuitBreakerSettings: Sendable, Equatable {
    public var failureThreshold: Int
    public var resetTimeout: Duration

    public init(
        failureThreshold: Int = CircuitBreaker.defaultFailureThreshold,
        resetTimeout: Duration = CircuitBreaker.defaultResetTimeout
    ) {
        self.failureThreshold = failureThreshold
        self.resetTimeout = resetTimeout
    }

    /// A closed breaker with these settings, one per member.
    public func makeBreaker() -> CircuitBreaker {
        CircuitBreaker(failureThreshold: failureThreshold, resetTimeout: resetTimeout)
    }
}

/// `http: {connect_timeout, read_timeout}`, in seconds as Hangar writes them.
public struct HTTPTimeouts: Sendable, Equatable {
    public static let defaultConnect: Duration = .seconds(10)
    public static let defaultRead: Duration = .seconds(30)

    public var connect: Duration
    public var read: Duration

    public init(connect: Duration = HTTPTimeouts.defaultConnect, read: Duration = HTTPTimeouts.defaultRead) {
        self.connect = connect
        self.read = read
    }
}

/// `mode: pool`: member processes Tidepool starts, health-checks and resizes.
public struct PoolSettings: Sendable, Equatable {
    public enum Transport: String, Sendable, CaseIterable {
        /// The member speaks MCP on its standard input and output.
        case stdio
        /// The member serves Streamable HTTP on a port Tidepool picks and fills into the command.
        case http
    }

    /// Replaced in `command` (and `env` values) by each member's port, for transport http.
    public static let portPlaceholder = "{port}"
    public static let defaultPath = "/mcp"
    public static let defaultDrainTimeout: Duration = .seconds(30)

    public var transport: Transport
    /// The program and its arguments, never split on spaces.
    public var command: [String]
    public var environment: [String: String]
    /// The starting size; an autoscaler changes it.
    public var replicas: Int
    /// What Utilization targets divide by.
    public var requests: ResourceRequests
    /// On scale-down: how long a member may finish its in-flight calls before it is stopped.
    public var drainTimeout: Duration
    /// Where a member serves MCP, for transport http: `http://127.0.0.1:<port><path>`.
    public var path: String

    public init(
        transport: Transport = .stdio, command: [String], environment: [String: String] = [:], replicas: Int = 1,
        requests: ResourceRequests = ResourceRequests(), drainTimeout: Duration = PoolSettings.defaultDrainTimeout,
        path: String = PoolSettings.defaultPath
    ) {
        self.transport = transport
        self.command = command
        self.environment = environment
        self.replicas = replicas
        self.requests = requests
        self.drainTimeout = drainTimeout
        self.path = path
    }
}

/// `resources: {requests: {cpu, memory}}` of one member.
public struct ResourceRequests: Sendable, Equatable {
    public var cpu: Quantity?
    public var memory: Quantity?

    public init(cpu: Quantity? = nil, memory: Quantity? = nil) {
        self.cpu = cpu
        self.memory = memory
    }
}

/// `mode: remote`: one MCP server somebody else runs.
public struct RemoteSettings: Sendable, Equatable {
    /// An http or https URL.
    public var endpoint: String

    public init(endpoint: String) {
        self.endpoint = endpoint
    }
}

/// `mode: group`: routes over other `mcp_servers` entries.
public struct GroupSettings: Sendable, Equatable {
    public var members: [GroupMember]
    /// Healthy members the group needs to count as ready.
    public var minHealthy: Int

    public init(members: [GroupMember], minHealthy: Int = 1) {
        self.members = members
        self.minHealthy = minHealthy
    }
}

public struct GroupMember: Sendable, Equatable {
    /// The `mcp_servers` entry this member routes to.
    public var id: String
    /// Share of traffic under weighted_round_robin (at least 1).
    public var weight: Int
    /// Under the priority strategy the lowest number that is healthy takes all traffic.
    public var priority: Int

    public init(id: String, weight: Int = 1, priority: Int = 1) {
        self.id = id
        self.weight = weight
        self.priority = priority
    }
}
