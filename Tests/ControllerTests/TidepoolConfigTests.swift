import Controller
import Foundation
import Pool
import Scaler
import Testing

/// The example of shared/spec/config.md, byte for byte.
private let specExample = """
    gateway:
      listen: 127.0.0.1:8000        # each server is served at /mcp/<id>
    admin:
      listen: 127.0.0.1:9090        # /metrics /healthz /readyz /status

    mcp_servers:
      math:                         # a local pool that Tidepool starts and resizes
        mode: pool
        transport: http             # http: each member serves Streamable HTTP on its own port
        command: [mcp-math, --port, "{port}"]   # {port} is filled per member; stdio: no port
        env: {LOG_LEVEL: warning}
        replicas: 2                 # the starting size; an autoscaler changes it
        strategy: least_connections # round_robin | random | least_connections | weighted_round_robin | priority
        affinity: session           # none (each request routed alone) | session (pin an MCP session to a member)
        resources: {requests: {cpu: 500m, memory: 128Mi}}   # what Utilization targets divide by
        health_check_interval_s: 5
        max_consecutive_failures: 3
        circuit_breaker: {failure_threshold: 3, reset_timeout_s: 30}
        drain_timeout_s: 30         # on scale-down: stop routing, let in-flight calls finish, then stop

      upstream:                     # a server somebody else runs
        mode: remote
        endpoint: http://127.0.0.1:8080/mcp
        health_check_interval_s: 10
        max_consecutive_failures: 3

      tools:                        # a group over other entries, as in the seeds
        mode: group
        strategy: priority          # groups take strategy and affinity as pools do
        affinity: none
        min_healthy: 1
        members:
          - {id: upstream, priority: 1}
          - {id: math, priority: 2}

    autoscalers:
      - name: math
        target: {pool: math}        # or {kubernetes: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: default}}
                                    # or {kubectl: {kind: deployment, name: web, namespace: default, context: prod}}
        hpa: hpa/math.yaml          # a HorizontalPodAutoscaler file, or the spec inline under `spec:`
        metrics:                    # where each metric named in the HPA comes from
          inflight_per_member: {gateway: inflight}          # the gateway's own figures for this pool
          http_requests_per_second: {prometheus: {url: http://127.0.0.1:9091, query: 'sum(rate(http_requests_total[2m]))'}}
          queue_depth: {scrape: {url: http://127.0.0.1:9100/metrics, metric: queue_depth, labels: {queue: main}}}
        schedules:                  # day/night bounds, evaluated in the given time zone
          - {name: night, start: "0 0 * * *", end: "0 8 * * *", timezone: Europe/Berlin, minReplicas: 1, maxReplicas: 2}
          - {name: day, start: "0 8 * * 1-5", end: "0 20 * * 1-5", timezone: Europe/Berlin, minReplicas: 3}

    controller:
      sync_period_s: 15
      state_dir: .tidepool          # durable recommendation and event history
    """

/// The HPA the spec's example names: one metric per source kind.
private let mathHPA = """
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: math}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: math}
      minReplicas: 1
      maxReplicas: 5
      metrics:
        - type: Pods
          pods: {metric: {name: inflight_per_member}, target: {type: AverageValue, averageValue: "4"}}
        - type: External
          external: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
        - type: External
          external: {metric: {name: queue_depth}, target: {type: Value, value: "30"}}
    """

/// Seed 000 (MCP Hangar recipe 05, load balancing) with the indentation the recipe text lost.
private let seed000 = """
    # config.yaml -- Recipe 05: Load Balancing
    mcp_servers:
      my-mcp:
        mode: remote
        endpoint: "http://localhost:8080"
        health_check_interval_s: 10 # from recipe 02
        max_consecutive_failures: 3 # from recipe 03
      my-mcp-backup:
        mode: remote
        endpoint: "http://localhost:8081"
        health_check_interval_s: 10
        max_consecutive_failures: 3
      my-mcp-3: # NEW: third instance
        mode: remote
        endpoint: "http://localhost:8082"
        health_check_interval_s: 10
        max_consecutive_failures: 3
      my-mcp-group:
        mode: group
        strategy: round_robin # NEW: changed from priority to round_robin
        min_healthy: 1
        members:
          - id: my-mcp
            weight: 1 # NEW: equal weight
          - id: my-mcp-backup
            weight: 1 # NEW: equal weight
          - id: my-mcp-3 # NEW: third member
            weight: 1
    """

/// Seed 001 (MCP Hangar recipe 04, failover) with the indentation the recipe text lost.
private let seed001 = """
    # config.yaml — Recipe 04: Failover
    mcp_servers:
      my-mcp:
        mode: remote
        endpoint: http://localhost:8080/mcp
        description: "Primary MCP server"
        health_check_interval_s: 30
        max_consecutive_failures: 3
        http:
          connect_timeout: 10.0
          read_timeout: 30.0
      my-mcp-backup: # NEW: added in this recipe
        mode: remote # NEW: added in this recipe
        endpoint: http://localhost:8081/mcp # NEW: added in this recipe
        description: "Backup MCP server" # NEW: added in this recipe
        health_check_interval_s: 30 # NEW: added in this recipe
        max_consecutive_failures: 3 # NEW: added in this recipe
        http: # NEW: added in this recipe
          connect_timeout: 10.0 # NEW: added in this recipe
          read_timeout: 30.0 # NEW: added in this recipe
      my-mcp-group:
        mode: group
        description: "Primary/backup MCP failover"
        strategy: priority # NEW: changed from round_robin
        min_healthy: 1
        circuit_breaker:
          failure_threshold: 3
          reset_timeout_s: 30
        members:
          - id: my-mcp # NEW: added priority
            priority: 1 # NEW: added priority (primary)
          - id: my-mcp-backup # NEW: added backup member
            priority: 2 # NEW: backup has lower priority
    """

@Suite("Tidepool configuration")
struct TidepoolConfigTests {
    private func load(_ text: String, in directory: ScratchDirectory, name: String = "tidepool.yaml") throws -> TidepoolConfig {
        try TidepoolConfig.load(path: try directory.write(name, text))
    }

    private func group(_ server: ServerConfig?) -> GroupSettings? {
        if case .group(let group) = server?.mode { return group }
        return nil
    }

    @Test("the spec's example loads with every field as written")
    func specExampleLoads() throws {
        let directory = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/hpa", withIntermediateDirectories: true)
        try directory.write("hpa/math.yaml", mathHPA)
        let config = try load(specExample, in: directory)

        #expect(config.gateway == GatewaySettings(listen: ListenAddress(host: "127.0.0.1", port: 8000), auth: nil))
        #expect(config.admin == AdminSettings(listen: ListenAddress(host: "127.0.0.1", port: 9090), token: nil))
        #expect(config.servers.map(\.id) == ["math", "upstream", "tools"])

        let math = try #require(config.server("math"))
        #expect(math.strategy == .leastConnections)
        #expect(math.affinity == .session)
        #expect(math.health == HealthSettings(interval: .seconds(5), maxConsecutiveFailures: 3, check: .ping))
        #expect(math.circuitBreaker == CircuitBreakerSettings(failureThreshold: 3, resetTimeout: .seconds(30)))
        #expect(math.mode == .pool(PoolSettings(
            transport: .http, command: ["mcp-math", "--port", "{port}"], environment: ["LOG_LEVEL": "warning"], replicas: 2,
            requests: ResourceRequests(cpu: Quantity(milli: 500), memory: Quantity(milli: 128 * 1024 * 1024 * 1000)),
            drainTimeout: .seconds(30), path: "/mcp")))

        let upstream = try #require(config.server("upstream"))
        #expect(upstream.mode == .remote(RemoteSettings(endpoint: "http://127.0.0.1:8080/mcp")))
        #expect(upstream.health.interval == .seconds(10))
        #expect(upstream.health.maxConsecutiveFailures == 3)
        #expect(upstream.circuitBreaker == nil)

        let tools = try #require(config.server("tools"))
        #expect(tools.strategy == .priority)
        #expect(tools.affinity == .none)
        #expect(group(tools) == GroupSettings(members: [GroupMember(id: "upstream", weight: 1, priority: 1),
                                                        GroupMember(id: "math", weight: 1, priority: 2)], minHealthy: 1))

        #expect(config.autoscalers.count == 1)
        let autoscaler = try #require(config.autoscalers.first)
        #expect(autoscaler.name == "math")
        #expect(autoscaler.target == .pool("math"))
        #expect(autoscaler.spec.maxReplicas == 5)
        #expect(autoscaler.spec.metrics.count == 3)
        #expect(autoscaler.metricSources == [
            "inflight_per_member": .gateway("inflight"),
            "http_requests_per_second": .prometheus(url: "http://127.0.0.1:9091", query: "sum(rate(http_requests_total[2m]))"),
            "queue_depth": .scrape(url: "http://127.0.0.1:9100/metrics", metric: "queue_depth", labels: ["queue": "main"]),
        ])
        #expect(autoscaler.schedules?.schedules.map(\.name) == ["night", "day"])

        #expect(config.controller.syncPeriod == .seconds(15))
        #expect(config.controller.stateDirectory == directory.path + "/.tidepool")
    }

    @Test("seed 000 loads unchanged: a round-robin group over three remotes of equal weight")
    func seed000LoadsUnchanged() throws {
        let config = try load(seed000, in: try ScratchDirectory())
        #expect(config.servers.map(\.id) == ["my-mcp", "my-mcp-backup", "my-mcp-3", "my-mcp-group"])
        let endpoints = config.servers.compactMap { server -> String? in
            if case .remote(let remote) = server.mode { return remote.endpoint }
            return nil
        }
        #expect(endpoints == ["http://localhost:8080", "http://localhost:8081", "http://localhost:8082"])
        for remote in config.servers.prefix(3) {
            #expect(remote.health.interval == .seconds(10))
            #expect(remote.health.maxConsecutiveFailures == 3)
        }
        let groupEntry = try #require(config.server("my-mcp-group"))
        #expect(groupEntry.strategy == .roundRobin)
        #expect(groupEntry.circuitBreaker == nil)
        #expect(group(groupEntry) == GroupSettings(members: [GroupMember(id: "my-mcp", weight: 1, priority: 1),
                                                             GroupMember(id: "my-mcp-backup", weight: 1, priority: 1),
                                                             GroupMember(id: "my-mcp-3", weight: 1, priority: 1)], minHealthy: 1))
        // The recipe runs no pools, so nothing to autoscale and the defaults elsewhere.
        #expect(config.autoscalers.isEmpty)
        #expect(config.gateway.listen.description == "127.0.0.1:8000")
        #expect(config.admin.listen.description == "127.0.0.1:9090")
    }

    @Test("seed 001 loads unchanged: priority failover with a group circuit breaker and HTTP timeouts")
    func seed001LoadsUnchanged() throws {
        let config = try load(seed001, in: try ScratchDirectory())
        #expect(config.servers.map(\.id) == ["my-mcp", "my-mcp-backup", "my-mcp-group"])
        let primary = try #require(config.server("my-mcp"))
        #expect(primary.description == "Primary MCP server")
        #expect(primary.mode == .remote(RemoteSettings(endpoint: "http://localhost:8080/mcp")))
        #expect(primary.health.interval == .seconds(30))
        #expect(primary.health.maxConsecutiveFailures == 3)
        #expect(primary.http == HTTPTimeouts(connect: .seconds(10), read: .seconds(30)))
        let backup = try #require(config.server("my-mcp-backup"))
        #expect(backup.description == "Backup MCP server")
        #expect(backup.mode == .remote(RemoteSettings(endpoint: "http://localhost:8081/mcp")))
        #expect(backup.http == HTTPTimeouts(connect: .seconds(10), read: .seconds(30)))

        let failover = try #require(config.server("my-mcp-group"))
        #expect(failover.description == "Primary/backup MCP failover")
        #expect(failover.strategy == .priority)
        #expect(failover.circuitBreaker == CircuitBreakerSettings(failureThreshold: 3, resetTimeout: .seconds(30)))
        let members = try #require(group(failover))
        #expect(members.minHealthy == 1)
        // Priority 1 is the primary: the lowest number that is healthy takes the traffic.
        #expect(members.members.map(\.id) == ["my-mcp", "my-mcp-backup"])
        #expect(members.members.map(\.priority) == [1, 2])
        #expect(members.members.map(\.weight) == [1, 1])
    }

    @Test("gateway auth takes a token list or a token file beside the config")
    func gatewayAuth() throws {
        let directory = try ScratchDirectory()
        let listed = try load("gateway: {listen: '0.0.0.0:8000', auth: {tokens: [alpha, beta]}}", in: directory)
        #expect(listed.gateway.listen == ListenAddress(host: "0.0.0.0", port: 8000))
        #expect(listed.gateway.auth == .tokens(["alpha", "beta"]))
        try directory.write("tokens.txt", "alpha\n")
        let filed = try load("gateway: {auth: {token_file: tokens.txt}}", in: directory)
        #expect(filed.gateway.auth == .tokenFile(directory.path + "/tokens.txt"))
        #expect(filed.gateway.listen == GatewaySettings.defaultListen)
    }

    @Test("an admin endpoint off loopback loads once it has a token")
    func exposedAdminWithToken() throws {
        let config = try load("admin: {listen: '[::]:9090', token: s3cret}\ncontroller: {sync_period_s: 2.5, state_dir: /var/lib/tidepool}",
                              in: try ScratchDirectory())
        #expect(config.admin.listen == ListenAddress(host: "::", port: 9090))
        #expect(config.admin.token == "s3cret")
        #expect(config.controller.syncPeriod == .milliseconds(2500))
        #expect(config.controller.stateDirectory == "/var/lib/tidepool")
    }

    @Test("listen addresses parse as host:port and know whether they are loopback")
    func listenAddresses() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8000") == ListenAddress(host: "127.0.0.1", port: 8000))
        #expect(try ListenAddress(parsing: "[::1]:9090").description == "[::1]:9090")
        #expect(try ListenAddress(parsing: "127.0.0.1:0").port == 0)
        #expect(try ListenAddress(parsing: "localhost:9090").isLoopback)
        #expect(try ListenAddress(parsing: "127.1.2.3:9090").isLoopback)
        #expect(try ListenAddress(parsing: "[::1]:9090").isLoopback)
        #expect(try !ListenAddress(parsing: "0.0.0.0:9090").isLoopback)
        #expect(try !ListenAddress(parsing: "[::]:9090").isLoopback)
        #expect(try !ListenAddress(parsing: "10.0.0.5:9090").isLoopback)
        #expect(try !ListenAddress(parsing: "127.0.0.1.example.com:9090").isLoopback)
        #expect(throws: CaseError("\"8000\" is not host:port (like 127.0.0.1:8000 or [::1]:8000)")) { try ListenAddress(parsing: "8000") }
        #expect(throws: CaseError("\"[::1]\" is not host:port (like 127.0.0.1:8000 or [::1]:8000)")) { try ListenAddress(parsing: "[::1]") }
        #expect(throws: CaseError("\":8000\" names no host: write 127.0.0.1 for this machine only, or 0.0.0.0 for every interface")) {
            try ListenAddress(parsing: ":8000")
        }
        #expect(throws: CaseError("\"127.0.0.1:http\" has no valid port after the colon (0 to 65535; like 127.0.0.1:8000 or [::1]:8000)")) {
            try ListenAddress(parsing: "127.0.0.1:http")
        }
    }

    @Test("the validate summary names each server's mode and strategy and each autoscaler's target")
    func summary() throws {
        let directory = try ScratchDirectory()
        let config = try load(seed001 + """

            autoscalers:
              - name: web
                target: {kubernetes: {kind: Deployment, name: web, namespace: shop}}
                spec: {maxReplicas: 4, metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]}
            """, in: directory)
        #expect(config.summary == """
            gateway  127.0.0.1:8000 (no auth)
            admin    127.0.0.1:9090
            servers:
              my-mcp         remote  http://localhost:8080/mcp
              my-mcp-backup  remote  http://localhost:8081/mcp
              my-mcp-group   group   priority, 2 members (min_healthy 1), affinity none
            autoscalers:
              web -> Deployment/shop/web: replicas 1-4, 1 metric
            """)
    }

    /// Each mistake, the file it is in, and the exact line `tidepool validate` prints for it.
    static let badConfigs: [(String, String)] = [
        // Unknown keys name the path and suggest the key meant.
        ("mcp_server: {}", #"mcp_server: unknown field (did you mean "mcp_servers"?)"#),
        ("gateway: {listn: '127.0.0.1:8000'}", #"gateway.listn: unknown field (did you mean "listen"?)"#),
        ("mcp_servers:\n  a:\n    mode: remote\n    endpoint: http://h:1\n    max_consecutive_failure: 3",
         #"mcp_servers.a.max_consecutive_failure: unknown field (did you mean "max_consecutive_failures"?)"#),
        ("controller: {sync_period: 15}", #"controller.sync_period: unknown field (did you mean "sync_period_s"?)"#),
        // Wrong types.
        ("mcp_servers: [a, b]", "mcp_servers: expected a map of server id to its settings, found an array"),
        ("mcp_servers:\n  a: {mode: pool, command: [x], replicas: [2]}", "mcp_servers.a.replicas: expected an integer, found an array"),
        ("mcp_servers:\n  a: {mode: remote, endpoint: http://h:1, http: {read_timeout: soon}}",
         #"mcp_servers.a.http.read_timeout: "soon" is not a duration (like "60s" or "1m30s")"#),
        // Values from a closed set.
        ("mcp_servers:\n  math: {mode: pool, command: [x], strategy: least_conn}",
         #"mcp_servers.math.strategy: "least_conn" is not a strategy (did you mean "least_connections"?)"#),
        // References between entries.
        ("mcp_servers:\n  math: {mode: pool, command: [x]}\n  tools: {mode: group, members: [{id: maths}]}",
         #"mcp_servers.tools.members[0].id: "maths" is not an mcp_servers entry (did you mean "math"?)"#),
        ("mcp_servers:\n  up: {mode: remote, endpoint: http://h:1}\n  tools: {mode: group, members: [{id: up}]}\n"
            + "autoscalers:\n  - {name: t, target: {pool: tools}, spec: {maxReplicas: 3}}",
         #"autoscalers[0].target.pool: "tools" is mode group, not pool: an autoscaler resizes a pool of members Tidepool runs"#),
        ("mcp_servers:\n  math: {mode: pool, command: [x]}\nautoscalers:\n  - {name: m, target: {pool: mth}, spec: {maxReplicas: 3}}",
         #"autoscalers[0].target.pool: "mth" is not an mcp_servers entry (did you mean "math"?)"#),
        ("mcp_servers:\n  math: {mode: pool, command: [x]}\nautoscalers:\n  - {name: m, target: {pool: math}, spec: {maxReplicas: 3}}\n"
            + "  - {name: m, target: {pool: math}, spec: {maxReplicas: 4}}",
         #"autoscalers[1].name: "m" is already the name of autoscalers[0]"#),
        ("mcp_servers:\n  math: {mode: pool, command: [x]}\nautoscalers:\n  - {name: m, target: {pool: math}, spec: {maxReplicas: 3}}\n"
            + "  - {name: n, target: {pool: math}, spec: {maxReplicas: 4}}",
         #"autoscalers[1].target.pool: pool "math" is already resized by autoscalers[0] ("m"); two autoscalers on one pool would undo each other"#),
        ("autoscalers:\n  - name: w\n    target: {kubernetes: {kind: Deployment, name: w}}\n"
            + "    spec: {maxReplicas: 3, metrics: [{type: External, external: {metric: {name: queue_depth}, target: {type: Value, value: '3'}}}]}\n"
            + "    metrics: {queue_dept: {scrape: {url: 'http://h:1/metrics', metric: q}}}",
         #"autoscalers[0].metrics.queue_dept: "queue_dept" is not a metric of this autoscaler's HPA (did you mean "queue_depth"?)"#),
        ("autoscalers:\n  - name: w\n    target: {kubernetes: {kind: Deployment, name: w}}\n"
            + "    spec: {maxReplicas: 3, metrics: [{type: External, external: {metric: {name: q}, target: {type: Value, value: '3'}}}]}\n"
            + "    metrics: {q: {gateway: inflight}}",
         "autoscalers[0].metrics.q.gateway: the gateway's figures exist only for a pool target (target: {pool: NAME})"),
        // Pools.
        ("mcp_servers:\n  math: {mode: pool, transport: http, command: [mcp-math, --port, '8080']}",
         #"mcp_servers.math.command: transport http needs "{port}" in the command (or an env value), where each member's port is filled in, like [mcp-math, --port, "{port}"]"#),
        ("mcp_servers:\n  math: {mode: pool, command: [x], replicas: -1}", "mcp_servers.math.replicas: must not be negative, found -1"),
        // Addresses and the admin token.
        ("admin: {listen: '0.0.0.0:9090'}",
         "admin.listen: 0.0.0.0:9090 is reachable from other machines, so admin.token is required: /status and /metrics describe every server, and without a token anyone on the network could read them"),
        ("gateway: {listen: 'localhost'}", #"gateway.listen: "localhost" is not host:port (like 127.0.0.1:8000 or [::1]:8000)"#),
        ("gateway: {listen: 8000}", "gateway.listen: expected a string, found a number"),
        ("gateway: {auth: {tokens: []}}", "gateway.auth.tokens: needs at least one token; leave out auth to serve without one"),
        ("controller: {sync_period_s: 0.5}", "controller.sync_period_s: must be at least 1 second, found 0.5"),
    ]

    @Test("bad configs name the file, the key path and what is wrong", arguments: badConfigs)
    func badConfig(text: String, expected: String) throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("tidepool.yaml", text)
        do {
            let config = try TidepoolConfig.load(path: file)
            Issue.record("accepted, with \(config.servers.count) servers: \(text)")
        } catch {
            #expect(error.description == "\(file): \(expected)")
        }
    }

    @Test("a missing HPA file is named with the autoscaler that needs it")
    func missingHPAFile() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("tidepool.yaml", "autoscalers:\n  - {name: m, target: {kubectl: {kind: deployment, name: m}}, hpa: nowhere.yaml}")
        #expect(throws: InputError.self) { try TidepoolConfig.load(path: file) }
        do {
            _ = try TidepoolConfig.load(path: file)
        } catch {
            #expect(error.description == "\(file): autoscalers[0].hpa: \(directory.path)/nowhere.yaml: no such file")
        }
    }
}
