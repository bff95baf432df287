import AsyncHTTPClient
import Foundation
import Logging
import Pool
import Testing

/// Each strategy's distribution, failover and failback, session affinity and drain, with the
/// Python SDK fixture as the members.
@Suite("Gateway strategies, failover, affinity and drain", .serialized, .enabled(if: Fixtures.pythonFixturesInstalled, "run scripts/test-deps first"))
struct GatewayStrategyTests {
    private func remotes(_ servers: [StandaloneServer], client: HTTPClient, logger: Logger, interval: Duration = .seconds(1)) -> [RemoteServer] {
        servers.map {
            RemoteServer(id: $0.name, endpoint: $0.endpoint, healthCheckInterval: interval,
                         health: MemberHealthSettings(maxConsecutiveFailures: 2, failureThreshold: 3, resetTimeout: .seconds(2), requestTimeout: .seconds(5)), httpClient: client, logger: logger)
        }
    }

    private func group(_ id: String, _ strategy: BalancingStrategy, over servers: [any ServerEntry], weights: [Int]? = nil,
                       priorities: [Int]? = nil, logger: Logger) -> GroupServer {
        GroupServer(id: id, strategy: strategy, minHealthy: 1, entries: servers.enumerated().map { index, server in
            GroupServer.Entry(server: server, weight: weights?[index] ?? 1, priority: priorities?[index] ?? 1)
        }, logger: logger)
    }

    @Test("weighted_round_robin over a group shares calls 3:1; random reaches every member")
    func weightedAndRandom() async throws {
        let servers = try [StandaloneServer(name: "a"), StandaloneServer(name: "b"), StandaloneServer(name: "c")]
        for server in servers { try await server.waitUntilListening() }
        let harness = try await GatewayHarness { client, logger in
            // No probes during the calls: on a loaded machine a probe slower than its 1 s
            // timeout took a member out of rotation for a while and skewed the shares.
            let members = self.remotes(servers, client: client, logger: logger, interval: .seconds(60))
            return members + [
                self.group("weighted", .weightedRoundRobin, over: Array(members.prefix(2)), weights: [3, 1], logger: logger),
                self.group("random", .random, over: members, logger: logger),
            ]
        }
        try await harness.waitUntil { harness.entries.prefix(3).allSatisfy { $0.hasRoutableMember } }
        let weighted = try await harness.whoServed("weighted", session: try await harness.openSession("weighted"), count: 20)
        #expect(weighted == ["a": 15, "b": 5])
        let random = try await harness.whoServed("random", session: try await harness.openSession("random"), count: 60)
        #expect(random.count == 3, "\(random)")
        #expect(random.values.allSatisfy { $0 >= 8 }, "\(random)")
        await harness.shutdown()
    }

    @Test("least_connections sends new calls past a member busy with a long one")
    func leastConnections() async throws {
        let harness = try await GatewayHarness { client, logger in
            [PoolServer(spec: PoolSpec(id: "math", command: Fixtures.httpMember(), transport: .http(path: "/mcp"), replicas: 2,
                                       strategy: .leastConnections), httpClient: client, logger: logger)]
        }
        let pool = try #require(harness.gateway.entries["math"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 2 }
        let session = try await harness.openSession("math")
        async let long = harness.callTool("math", session: session, "work", #"{"ms":2000}"#, id: 50)
        try await harness.waitUntil(.seconds(5)) { pool.members.contains { $0.inflight == 1 } }
        let busy = try #require(pool.members.first { $0.inflight == 1 })
        let idle = try #require(pool.members.first { $0 !== busy })
        let idleServedBefore = idle.served
        for index in 0..<6 {
            _ = try await harness.callTool("math", session: session, "add", #"{"a":1,"b":\#(index)}"#, id: 60 + index)
        }
        #expect(idle.served - idleServedBefore == 6, "every quick call goes to the idle member")
        #expect(try await long.hasPrefix("worked"))
        await harness.shutdown()
    }

    @Test("priority: kill -9 the primary, calls keep succeeding on the backup; it comes back and reclaims traffic")
    func failoverAndFailback() async throws {
        let primary = try StandaloneServer(name: "primary")
        let backup = try StandaloneServer(name: "backup")
        try await primary.waitUntilListening()
        try await backup.waitUntilListening()
        let harness = try await GatewayHarness { client, logger in
            let members = self.remotes([primary, backup], client: client, logger: logger)
            return members + [self.group("failover", .priority, over: members, priorities: [1, 2], logger: logger)]
        }
        let primaryEntry = try #require(harness.gateway.entries["primary"])
        try await harness.waitUntil { harness.entries.prefix(2).allSatisfy { $0.hasRoutableMember } }
        let session = try await harness.openSession("failover")
        #expect(try await harness.whoServed("failover", session: session, count: 4) == ["primary": 4])

        primary.kill()
        // Every call succeeds: refused connections go to the backup at once.
        let during = try await harness.whoServed("failover", session: session, count: 10)
        #expect(during == ["backup": 10])
        try await harness.waitUntil(.seconds(15)) { !primaryEntry.hasRoutableMember }
        #expect(harness.logs.captured.contains { $0.contains("health_check_failed") && $0.contains("mcp_server=primary") })
        #expect(harness.logs.captured.contains { $0.contains("removed_from_rotation") && $0.contains("primary") })

        try primary.start()
        try await primary.waitUntilListening()
        try await harness.waitUntil(.seconds(20)) { primaryEntry.hasRoutableMember }
        #expect(harness.logs.captured.contains { $0.contains("back_in_rotation") && $0.contains("primary") })
        #expect(try await harness.whoServed("failover", session: session, count: 4) == ["primary": 4])
        await harness.shutdown()
    }

    @Test("affinity: session pins each client to one member with a session of its own; a stateful counter counts per client")
    func sessionAffinity() async throws {
        let harness = try await GatewayHarness(entries: { client, logger in
            [PoolServer(spec: PoolSpec(id: "stateful", command: [Fixtures.python, Fixtures.fixtureServer, "--port", "{port}"],
                                       transport: .http(path: "/mcp"), replicas: 2), httpClient: client, logger: logger)]
        }, affinities: ["stateful": .session])
        let pool = try #require(harness.gateway.entries["stateful"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 2 }
        var members: Set<String> = []
        for client in 0..<4 {
            let session = try await harness.openSession("stateful")
            var counts: [String] = []
            for call in 0..<3 {
                counts.append(try await harness.callTool("stateful", session: session, "counter_increment", id: 10 * client + call))
            }
            #expect(counts == ["1", "2", "3"], "client \(client)")
            let who = try await harness.whoServed("stateful", session: session, count: 4)
            #expect(who.count == 1, "one member serves a pinned session: \(who)")
            members.formUnion(who.keys)
        }
        #expect(members.count == 2, "pinned sessions are spread over the members: \(members)")
        await harness.shutdown()
    }

    @Test("drain: 4 -> 1 members under continuous calls, zero failed calls; a killed member is replaced")
    func drainAndReplace() async throws {
        let harness = try await GatewayHarness { client, logger in
            [PoolServer(spec: PoolSpec(id: "math", command: Fixtures.httpMember(), transport: .http(path: "/mcp"), replicas: 4,
                                       strategy: .leastConnections, drainTimeout: .seconds(10)), httpClient: client, logger: logger)]
        }
        let pool = try #require(harness.gateway.entries["math"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 4 }
        let session = try await harness.openSession("math")
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var failed = 0
                    for call in 0..<40 {
                        do {
                            _ = try await harness.callTool("math", session: session, "work", #"{"ms":50}"#, id: 1000 * worker + call)
                        } catch {
                            failed += 1
                        }
                    }
                    return failed
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            pool.resize(to: 1)
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
        try await harness.waitUntil { pool.members.count == 1 && pool.readyReplicas == 1 }
        #expect(harness.logs.captured.filter { $0.contains("member_draining") }.count == 3)

        // A crash: the member is replaced, and the crash is logged with its exit status.
        let victim = try #require(pool.members.first?.processID)
        kill(victim, SIGKILL)
        try await harness.waitUntil { pool.readyReplicas == 1 && pool.members.first?.processID != victim }
        #expect(harness.logs.captured.contains { $0.contains("member_crashed") && $0.contains("signal 9") })
        _ = try await harness.callTool("math", session: session, "add", #"{"a":1,"b":1}"#)
        await harness.shutdown()
    }
}
