import Pool
import Scaler
import Testing

@Suite("ServerConfig decoding")
struct ServerConfigTests {
    private func entry(_ id: String, _ json: String) throws -> ServerConfig {
        try ServerConfig.decode(id: id, JSONParser.parse(json))
    }

    private func servers(_ json: String) throws -> [ServerConfig] {
        try ServerConfig.decodeServers(JSONParser.parse(json))
    }

    /// The error a bad entry raises, as `tidepool validate` would print it below `mcp_servers`.
    private func failure(_ json: String) throws -> String? {
        let value = try JSONParser.parse(json)
        do {
            _ = try ServerConfig.decodeServers(value)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a pool entry keeps every key as written")
    func poolKeys() throws {
        let server = try entry("math", """
            {"mode": "pool", "description": "adds numbers", "transport": "http",
             "command": ["mcp-math", "--port", "{port}", "--workers", 4], "env": {"LOG_LEVEL": "warning", "THREADS": 2},
             "replicas": 2, "strategy": "least_connections", "affinity": "session",
             "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}},
             "health_check_interval_s": 5, "max_consecutive_failures": 4, "health_check": "tools/list",
             "circuit_breaker": {"failure_threshold": 3, "reset_timeout_s": 45},
             "http": {"connect_timeout": 2.5, "read_timeout": 60},
             "drain_timeout_s": 20, "path": "/rpc"}
            """)
        #expect(server.id == "math")
        #expect(server.description == "adds numbers")
        #expect(server.strategy == .leastConnections)
        #expect(server.affinity == .session)
        #expect(server.health == HealthSettings(interval: .seconds(5), maxConsecutiveFailures: 4, check: .toolsList))
        #expect(server.circuitBreaker == CircuitBreakerSettings(failureThreshold: 3, resetTimeout: .seconds(45)))
        #expect(server.http == HTTPTimeouts(connect: .milliseconds(2500), read: .seconds(60)))
        guard case .pool(let pool) = server.mode else {
            Issue.record("decoded as \(server.mode.name)")
            return
        }
        #expect(pool.transport == .http)
        // Numbers in a command or env are taken as the text written, as a shell would pass them.
        #expect(pool.command == ["mcp-math", "--port", "{port}", "--workers", "4"])
        #expect(pool.environment == ["LOG_LEVEL": "warning", "THREADS": "2"])
        #expect(pool.replicas == 2)
        #expect(pool.requests.cpu?.milliValue == 500)
        #expect(pool.requests.memory == Quantity(milli: 128 * 1024 * 1024 * 1000))
        #expect(pool.drainTimeout == .seconds(20))
        #expect(pool.path == "/rpc")
    }

    @Test("keys left out take the documented defaults")
    func poolDefaults() throws {
        let server = try entry("echo", #"{"mode": "pool", "command": ["mcp-echo"]}"#)
        #expect(server.description == nil)
        #expect(server.strategy == .roundRobin)
        #expect(server.affinity == .none)
        #expect(server.health.interval == .seconds(10))
        #expect(server.health.maxConsecutiveFailures == 3)
        #expect(server.health.check == .ping)
        #expect(server.circuitBreaker == nil)
        #expect(server.http.connect == .seconds(10))
        #expect(server.http.read == .seconds(30))
        #expect(server.mode == .pool(PoolSettings(transport: .stdio, command: ["mcp-echo"], environment: [:], replicas: 1,
                                                  requests: ResourceRequests(), drainTimeout: .seconds(30), path: "/mcp")))
    }

    @Test("a circuit_breaker block with a key left out takes CircuitBreaker's default for it")
    func breakerDefaults() throws {
        let server = try entry("echo", #"{"mode": "remote", "endpoint": "https://mcp.example.com/mcp", "circuit_breaker": {"reset_timeout_s": 7.5}}"#)
        #expect(server.circuitBreaker == CircuitBreakerSettings(failureThreshold: 5, resetTimeout: .milliseconds(7500)))
        let breaker = try #require(server.circuitBreaker).makeBreaker()
        #expect(breaker.failureThreshold == 5)
        #expect(breaker.resetTimeout == .milliseconds(7500))
    }

    @Test("a plain string is a one-element command; a string with spaces is refused, never split")
    func commandShapes() throws {
        let server = try entry("echo", #"{"mode": "pool", "command": "mcp-echo"}"#)
        guard case .pool(let pool) = server.mode else {
            Issue.record("decoded as \(server.mode.name)")
            return
        }
        #expect(pool.command == ["mcp-echo"])
        #expect(try failure(#"{"echo": {"mode": "pool", "command": "mcp-echo --verbose"}}"#)
            == #"echo.command: give the program and its arguments as a list, like [mcp-math, --port, "{port}"]: a string is one program name and is never split"#)
    }

    @Test("transport http may take {port} from an env value instead of the command")
    func portInEnvironment() throws {
        let server = try entry("math", #"{"mode": "pool", "transport": "http", "command": ["mcp-math"], "env": {"MCP_PORT": "{port}"}}"#)
        guard case .pool(let pool) = server.mode else {
            Issue.record("decoded as \(server.mode.name)")
            return
        }
        #expect(pool.environment["MCP_PORT"] == "{port}")
        #expect(pool.path == "/mcp")
    }

    @Test("a group keeps its members in order with weight and priority defaulting to 1")
    func groupMembers() throws {
        let list = try servers("""
            {"a": {"mode": "remote", "endpoint": "http://127.0.0.1:8080/mcp"},
             "b": {"mode": "pool", "command": ["mcp-b"]},
             "g": {"mode": "group", "strategy": "weighted_round_robin", "min_healthy": 2,
                   "members": [{"id": "b", "weight": 3}, {"id": "a", "priority": 2}]}}
            """)
        #expect(list.map(\.id) == ["a", "b", "g"])
        #expect(list.map(\.mode.name) == ["remote", "pool", "group"])
        #expect(list[0].mode == .remote(RemoteSettings(endpoint: "http://127.0.0.1:8080/mcp")))
        #expect(list[2].strategy == .weightedRoundRobin)
        #expect(list[2].mode == .group(GroupSettings(members: [GroupMember(id: "b", weight: 3, priority: 1),
                                                               GroupMember(id: "a", weight: 1, priority: 2)],
                                                     minHealthy: 2)))
    }

    @Test("bad entries name the key path and say what is wrong", arguments: [
        // Unknown keys, with the nearest key of the entry's mode.
        (#"{"m": {"mode": "pool", "command": ["x"], "replica": 2}}"#, #"m.replica: unknown field (did you mean "replicas"?)"#),
        (#"{"m": {"mode": "remote", "endpoint": "http://h:1", "http": {"connect_timeot": 1}}}"#,
         #"m.http.connect_timeot: unknown field (did you mean "connect_timeout"?)"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "resources": {"requests": {"gpu": 1}}}}"#,
         #"m.resources.requests.gpu: unknown field (did you mean "cpu"?)"#),
        // A key of another mode says whose it is.
        (#"{"m": {"mode": "remote", "endpoint": "http://h:1", "replicas": 2}}"#,
         "m.replicas: applies to mode pool, and this server is mode remote"),
        (#"{"m": {"mode": "remote", "endpoint": "http://h:1", "strategy": "random"}}"#,
         "m.strategy: applies to mode pool or group, and this server is mode remote"),
        // Closed sets suggest the value meant.
        (#"{"m": {"mode": "pool", "command": ["x"], "strategy": "least_conn"}}"#,
         #"m.strategy: "least_conn" is not a strategy (did you mean "least_connections"?)"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "strategy": "fastest"}}"#,
         #"m.strategy: "fastest" is not a strategy (one of: round_robin, random, least_connections, weighted_round_robin, priority)"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "affinity": "sticky"}}"#, #"m.affinity: "sticky" is not an affinity (one of: none, session)"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "transport": "sse"}}"#, #"m.transport: "sse" is not a transport (one of: stdio, http)"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "health_check": "tools_list"}}"#,
         #"m.health_check: "tools_list" is not a health check (did you mean "tools/list"?)"#),
        (#"{"m": {"mode": "remot", "endpoint": "http://h:1"}}"#, #"m.mode: "remot" is not a mode (did you mean "remote"?)"#),
        (#"{"m": {"mode": "subprocess", "command": ["x"]}}"#,
         #"m.mode: "subprocess" is not a mode: a server Tidepool starts is mode pool (with transport stdio or http)"#),
        (#"{"m": {"endpoint": "http://h:1"}}"#, "m.mode: is required: pool (Tidepool runs it), remote (somebody else does) or group (over other entries)"),
        // Types and ranges.
        (#"{"m": {"mode": "pool", "command": ["x"], "replicas": "two"}}"#, "m.replicas: expected an integer, found a string"),
        (#"{"m": {"mode": "pool", "command": ["x"], "replicas": -1}}"#, "m.replicas: must not be negative, found -1"),
        (#"{"m": {"mode": "pool", "command": ["x"], "health_check_interval_s": 0}}"#, "m.health_check_interval_s: must be more than 0 seconds"),
        (#"{"m": {"mode": "pool", "command": ["x"], "max_consecutive_failures": 0}}"#, "m.max_consecutive_failures: must be at least 1, found 0"),
        (#"{"m": {"mode": "pool", "command": ["x"], "circuit_breaker": {"failure_threshold": 0}}}"#,
         "m.circuit_breaker.failure_threshold: must be at least 1, found 0"),
        (#"{"m": {"mode": "pool", "command": []}}"#, #"m.command: must name a program to run, like [mcp-math, --port, "{port}"]"#),
        (#"{"m": {"mode": "pool", "command": ["x", ["y"]]}}"#, "m.command[1]: expected a string, found an array"),
        (#"{"m": {"mode": "pool"}}"#, "m.command: is required"),
        (#"{"m": {"mode": "pool", "command": ["x"], "resources": {"requests": {"cpu": "half"}}}}"#,
         #"m.resources.requests.cpu: "half" is not a quantity"#),
        // The port placeholder belongs to transport http, and http needs it.
        (#"{"m": {"mode": "pool", "transport": "http", "command": ["mcp-math", "--port", "8080"]}}"#,
         #"m.command: transport http needs "{port}" in the command (or an env value), where each member's port is filled in, like [mcp-math, --port, "{port}"]"#),
        (#"{"m": {"mode": "pool", "command": ["mcp-math", "--port", "{port}"]}}"#,
         #"m.command: "{port}" is filled in for transport http only, and this pool is transport stdio"#),
        (#"{"m": {"mode": "pool", "command": ["x"], "path": "/mcp"}}"#, "m.path: applies to transport http only; a stdio member has no URL"),
        // Remote endpoints.
        (#"{"m": {"mode": "remote", "endpoint": "localhost:8080"}}"#,
         #"m.endpoint: "localhost:8080" is not an http or https URL (like http://127.0.0.1:8080/mcp)"#),
        (#"{"m": {"mode": "remote", "endpoint": "http://localhost:99999/mcp"}}"#,
         #"m.endpoint: "http://localhost:99999/mcp" is not an http or https URL (like http://127.0.0.1:8080/mcp)"#),
        (#"{"m": {"mode": "remote"}}"#, "m.endpoint: is required"),
        // Groups.
        (#"{"m": {"mode": "group", "members": []}}"#, "m.members: a group needs at least one member"),
        (#"{"a": {"mode": "remote", "endpoint": "http://h:1"}, "m": {"mode": "group", "members": [{"id": "a", "weight": 0}]}}"#,
         "m.members[0].weight: must be at least 1, found 0"),
        (#"{"a": {"mode": "remote", "endpoint": "http://h:1"}, "m": {"mode": "group", "members": [{"id": "a"}, {"id": "a"}]}}"#,
         #"m.members[1].id: "a" is listed twice (also members[0])"#),
        (#"{"m": {"mode": "group", "members": [{"id": "m"}]}}"#, "m.members[0].id: a group cannot be its own member"),
        (#"{"a": {"mode": "remote", "endpoint": "http://h:1"}, "m": {"mode": "group", "min_healthy": 2, "members": [{"id": "a"}]}}"#,
         "m.min_healthy: 2 is more than the number of members (1), so the group could never be ready"),
        (#"{"math": {"mode": "pool", "command": ["x"]}, "g": {"mode": "group", "members": [{"id": "mth"}]}}"#,
         #"g.members[0].id: "mth" is not an mcp_servers entry (did you mean "math"?)"#),
        (#"{"a": {"mode": "remote", "endpoint": "http://h:1"}, "inner": {"mode": "group", "members": [{"id": "a"}]}, "outer": {"mode": "group", "members": [{"id": "inner"}]}}"#,
         #"outer.members[0].id: "inner" is a group; a group's members must be pool or remote servers"#),
        (#"{"a": {"mode": "group", "members": [{"id": "b"}]}, "b": {"mode": "group", "members": [{"id": "a"}]}}"#,
         #"a.members[0].id: "b" is a group; a group's members must be pool or remote servers"#),
        // Ids end up in URLs.
        (#"{"my server": {"mode": "pool", "command": ["x"]}}"#,
         #"my server: "my server" cannot be a server id: the gateway serves it at /mcp/<id>, so use letters, digits, '-', '_' and '.'"#),
    ])
    func badEntries(json: String, expected: String) throws {
        #expect(try failure(json) == expected)
    }
}
