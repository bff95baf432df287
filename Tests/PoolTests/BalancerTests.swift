import Testing
@testable import Pool

private func candidates(_ ids: String...) -> [BalancingCandidate] {
    ids.map { BalancingCandidate(id: $0) }
}

private func pickIDs(
    _ balancer: inout Balancer,
    from candidates: [BalancingCandidate],
    count: Int
) -> [String] {
    (0..<count).map { _ in candidates[balancer.choose(candidates)!].id }
}

private func shares(_ ids: [String]) -> [String: Int] {
    ids.reduce(into: [:]) { $0[$1, default: 0] += 1 }
}

@Suite("BalancingStrategy")
struct BalancingStrategyTests {
    @Test("config names match MCP Hangar's", arguments: [
        ("round_robin", BalancingStrategy.roundRobin),
        ("random", .random),
        ("least_connections", .leastConnections),
        ("weighted_round_robin", .weightedRoundRobin),
        ("priority", .priority),
    ])
    func configNames(name: String, strategy: BalancingStrategy) {
        #expect(BalancingStrategy(rawValue: name) == strategy)
    }

    @Test func defaultIsRoundRobin() {
        #expect(BalancingStrategy.default == .roundRobin)
        #expect(Balancer().strategy == .roundRobin)
        #expect(BalancingStrategy.allCases.count == 5)
    }

    @Test("every strategy returns nil for an empty list", arguments: BalancingStrategy.allCases)
    func emptyListGivesNil(strategy: BalancingStrategy) {
        var balancer = Balancer(strategy: strategy, seed: 1)
        #expect(balancer.choose([]) == nil)
        // Still works afterwards.
        #expect(balancer.choose(candidates("a")) == 0)
        #expect(balancer.choose([]) == nil)
    }

    @Test("every strategy survives members coming and going", arguments: BalancingStrategy.allCases)
    func churnNeverReturnsInvalidIndex(strategy: BalancingStrategy) throws {
        var balancer = Balancer(strategy: strategy, seed: 7)
        let pool = (0..<6).map {
            BalancingCandidate(id: "m\($0)", weight: $0 + 1, priority: $0 % 3, inflight: $0 % 2)
        }
        var generator = SplitMix64(seed: 99)
        for _ in 0..<2_000 {
            let present = pool.filter { _ in Bool.random(using: &generator) }
            let chosen = balancer.choose(present)
            if present.isEmpty {
                #expect(chosen == nil)
            } else {
                let index = try #require(chosen)
                #expect(present.indices.contains(index))
            }
        }
    }
}

@Suite("round_robin")
struct RoundRobinTests {
    @Test func cyclesInOrderWithExactlyEqualShares() {
        var balancer = Balancer(strategy: .roundRobin)
        let pool = candidates("a", "b", "c")
        let picks = pickIDs(&balancer, from: pool, count: 300)
        #expect(Array(picks.prefix(6)) == ["a", "b", "c", "a", "b", "c"])
        #expect(shares(picks) == ["a": 100, "b": 100, "c": 100])
    }

    @Test func removingTheNextMemberSkipsItWithoutRepeating() {
        var balancer = Balancer(strategy: .roundRobin)
        #expect(pickIDs(&balancer, from: candidates("a", "b", "c", "d"), count: 2) == ["a", "b"])
        // "c" leaves: continue after "b" with "d", then wrap.
        #expect(pickIDs(&balancer, from: candidates("a", "b", "d"), count: 4) == ["d", "a", "b", "d"])
    }

    @Test func removingTheLastChosenMemberContinuesWithItsSuccessor() {
        var balancer = Balancer(strategy: .roundRobin)
        #expect(pickIDs(&balancer, from: candidates("a", "b", "c", "d"), count: 2) == ["a", "b"])
        // "b" (just chosen) leaves: "c" slid into its slot and is next in line.
        #expect(pickIDs(&balancer, from: candidates("a", "c", "d"), count: 3) == ["c", "d", "a"])
    }

    @Test func addedMemberGetsItsTurnInTheCurrentCycle() {
        var balancer = Balancer(strategy: .roundRobin)
        #expect(pickIDs(&balancer, from: candidates("a", "b", "c"), count: 2) == ["a", "b"])
        #expect(pickIDs(&balancer, from: candidates("a", "b", "c", "d"), count: 4) == ["c", "d", "a", "b"])
    }

    @Test func sharesStayEqualAcrossRepeatedResizing() {
        var balancer = Balancer(strategy: .roundRobin)
        let big = candidates("a", "b", "c", "d")
        let small = candidates("a", "c")
        var counts: [String: Int] = [:]
        var previous: String?
        for round in 0..<200 {
            let pool = round.isMultiple(of: 2) ? big : small
            let picks = pickIDs(&balancer, from: pool, count: pool.count)
            // Each phase covers the whole current list exactly once: no member repeated or skipped.
            #expect(Set(picks) == Set(pool.map(\.id)))
            for id in picks {
                #expect(id != previous, "the same member twice in a row")
                previous = id
                counts[id, default: 0] += 1
            }
        }
        #expect(counts == ["a": 200, "b": 100, "c": 200, "d": 100])
    }

    @Test func singleMemberIsAlwaysChosen() {
        var balancer = Balancer(strategy: .roundRobin)
        #expect(pickIDs(&balancer, from: candidates("only"), count: 5) == Array(repeating: "only", count: 5))
    }
}

@Suite("random")
struct RandomTests {
    @Test func splitMix64MatchesReferenceVectors() {
        var generator = SplitMix64(seed: 1234567)
        #expect(generator.next() == 6457827717110365317)
        #expect(generator.next() == 3203168211198807973)
        #expect(generator.next() == 9817491932198370423)
        var zeroSeeded = SplitMix64(seed: 0)
        #expect(zeroSeeded.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func sameSeedGivesSameSequence() {
        var first = Balancer(strategy: .random, seed: 42)
        var second = Balancer(strategy: .random, seed: 42)
        var other = Balancer(strategy: .random, seed: 43)
        let pool = candidates("a", "b", "c", "d", "e")
        let firstPicks = pickIDs(&first, from: pool, count: 100)
        #expect(firstPicks == pickIDs(&second, from: pool, count: 100))
        #expect(firstPicks != pickIDs(&other, from: pool, count: 100))
    }

    @Test func distributionIsUniformWithinStatisticalBound() {
        var balancer = Balancer(strategy: .random, seed: 42)
        let pool = candidates("a", "b", "c")
        let picks = 60_000
        let counts = shares(pickIDs(&balancer, from: pool, count: picks))
        // Expected 20_000 each, standard deviation sqrt(60_000 * 1/3 * 2/3) ≈ 115; allow ~6 sigma.
        for id in ["a", "b", "c"] {
            let count = counts[id, default: 0]
            #expect(abs(count - 20_000) < 700, "\(id) picked \(count) times")
        }
        // Chi-square with 2 degrees of freedom; 13.8 is the 0.1% critical value.
        let chiSquare = counts.values.reduce(0.0) { sum, observed in
            let deviation = Double(observed) - 20_000
            return sum + deviation * deviation / 20_000
        }
        #expect(chiSquare < 13.8)
    }
}

@Suite("least_connections")
struct LeastConnectionsTests {
    @Test func alwaysPicksAMemberWithFewestInflight() {
        var balancer = Balancer(strategy: .leastConnections)
        var pool = [
            BalancingCandidate(id: "a", inflight: 4),
            BalancingCandidate(id: "b", inflight: 1),
            BalancingCandidate(id: "c", inflight: 3),
            BalancingCandidate(id: "d", inflight: 2),
        ]
        // Simulate requests that stay in flight: each pick raises the chosen member's load.
        for _ in 0..<200 {
            let minimum = pool.map(\.inflight).min()!
            let index = balancer.choose(pool)!
            #expect(pool[index].inflight == minimum)
            pool[index].inflight += 1
        }
        // Load levels out: everyone ends within one request of each other.
        let loads = pool.map(\.inflight)
        #expect(loads.max()! - loads.min()! <= 1)
    }

    @Test func tiesAreSpreadRoundRobin() {
        var balancer = Balancer(strategy: .leastConnections)
        let pool = [
            BalancingCandidate(id: "a", inflight: 0),
            BalancingCandidate(id: "b", inflight: 5),
            BalancingCandidate(id: "c", inflight: 0),
            BalancingCandidate(id: "d", inflight: 0),
        ]
        let picks = pickIDs(&balancer, from: pool, count: 300)
        #expect(Array(picks.prefix(4)) == ["a", "c", "d", "a"])
        #expect(shares(picks) == ["a": 100, "c": 100, "d": 100])
    }

    @Test func idleMembersShareLoadWhenRequestsCompleteInstantly() {
        var balancer = Balancer(strategy: .leastConnections)
        let pool = candidates("a", "b", "c")
        #expect(shares(pickIDs(&balancer, from: pool, count: 90)) == ["a": 30, "b": 30, "c": 30])
    }
}

@Suite("weighted_round_robin")
struct WeightedRoundRobinTests {
    @Test func matchesNginxSmoothSequenceFor511() {
        var balancer = Balancer(strategy: .weightedRoundRobin)
        let pool = [
            BalancingCandidate(id: "a", weight: 5),
            BalancingCandidate(id: "b", weight: 1),
            BalancingCandidate(id: "c", weight: 1),
        ]
        let expectedCycle = ["a", "a", "b", "a", "c", "a", "a"]
        let picks = pickIDs(&balancer, from: pool, count: 70)
        // The sequence repeats exactly every total-weight picks.
        for cycle in 0..<10 {
            #expect(Array(picks[(cycle * 7)..<(cycle * 7 + 7)]) == expectedCycle)
        }
    }

    @Test func exactProportionsFor321() {
        var balancer = Balancer(strategy: .weightedRoundRobin)
        let pool = [
            BalancingCandidate(id: "a", weight: 3),
            BalancingCandidate(id: "b", weight: 2),
            BalancingCandidate(id: "c", weight: 1),
        ]
        let picks = pickIDs(&balancer, from: pool, count: 600)
        // Exact within every window of one total weight, not just on average.
        for window in stride(from: 0, to: 600, by: 6) {
            #expect(shares(Array(picks[window..<(window + 6)])) == ["a": 3, "b": 2, "c": 1])
        }
        #expect(shares(picks) == ["a": 300, "b": 200, "c": 100])
    }

    @Test func weightsBelowOneCountAsOne() {
        var balancer = Balancer(strategy: .weightedRoundRobin)
        let pool = [
            BalancingCandidate(id: "a", weight: 0),
            BalancingCandidate(id: "b", weight: -3),
        ]
        #expect(shares(pickIDs(&balancer, from: pool, count: 100)) == ["a": 50, "b": 50])
    }

    @Test func remainingMembersKeepProportionsWhenOneLeavesAndRejoins() {
        var balancer = Balancer(strategy: .weightedRoundRobin)
        let a = BalancingCandidate(id: "a", weight: 3)
        let b = BalancingCandidate(id: "b", weight: 1)
        let c = BalancingCandidate(id: "c", weight: 2)
        _ = pickIDs(&balancer, from: [a, b, c], count: 4)
        // "c" leaves: the rest settle into 3:1 immediately.
        let withoutC = pickIDs(&balancer, from: [a, b], count: 400)
        #expect(shares(withoutC) == ["a": 300, "b": 100])
        // "c" rejoins with fresh state and gets its exact share again.
        let rejoined = pickIDs(&balancer, from: [a, b, c], count: 600)
        #expect(shares(rejoined) == ["a": 300, "b": 100, "c": 200])
    }
}

@Suite("priority")
struct PriorityTests {
    @Test func picksLowestPriorityNumber() {
        var balancer = Balancer(strategy: .priority)
        let pool = [
            BalancingCandidate(id: "backup", priority: 2),
            BalancingCandidate(id: "primary", priority: 1),
            BalancingCandidate(id: "last-resort", priority: 9),
        ]
        #expect(Set(pickIDs(&balancer, from: pool, count: 50)) == ["primary"])
    }

    @Test func roundRobinsAmongEqualPriority() {
        var balancer = Balancer(strategy: .priority)
        let pool = [
            BalancingCandidate(id: "p1", priority: 1),
            BalancingCandidate(id: "backup", priority: 2),
            BalancingCandidate(id: "p2", priority: 1),
        ]
        let picks = pickIDs(&balancer, from: pool, count: 100)
        #expect(Array(picks.prefix(4)) == ["p1", "p2", "p1", "p2"])
        #expect(shares(picks) == ["p1": 50, "p2": 50])
    }

    @Test func failsOverAndBackAsThePreferredMemberLeavesAndReturns() {
        var balancer = Balancer(strategy: .priority)
        let primary = BalancingCandidate(id: "primary", priority: 1)
        let backupA = BalancingCandidate(id: "backup-a", priority: 2)
        let backupB = BalancingCandidate(id: "backup-b", priority: 2)
        #expect(pickIDs(&balancer, from: [primary, backupA, backupB], count: 3) == ["primary", "primary", "primary"])
        // Primary out of rotation: backups share the load.
        #expect(pickIDs(&balancer, from: [backupA, backupB], count: 4) == ["backup-a", "backup-b", "backup-a", "backup-b"])
        // Primary healthy again: immediate failback.
        #expect(pickIDs(&balancer, from: [primary, backupA, backupB], count: 3) == ["primary", "primary", "primary"])
    }
}
