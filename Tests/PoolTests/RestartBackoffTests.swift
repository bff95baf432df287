import Testing
import Pool

@Suite("RestartBackoff")
struct RestartBackoffTests {
    let start = ContinuousClock.Instant.now

    @Test func firstRestartIsImmediateThenDoublesUpToTheCap() {
        var backoff = RestartBackoff()
        var startedAt = start
        var delays: [Duration] = []
        for _ in 0..<9 {
            // Crash five seconds after each start: never stable.
            let crashAt = startedAt + .seconds(5)
            let delay = backoff.delayBeforeRestart(crashAt: crashAt, startedAt: startedAt)
            delays.append(delay)
            startedAt = crashAt + delay
        }
        #expect(delays == [0, 1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        #expect(backoff.consecutiveCrashes == 9)
    }

    @Test func stableRunResetsTheSequence() {
        var backoff = RestartBackoff()
        _ = backoff.delayBeforeRestart(crashAt: start + .seconds(1), startedAt: start)
        _ = backoff.delayBeforeRestart(crashAt: start + .seconds(2), startedAt: start + .seconds(1))
        #expect(backoff.delayBeforeRestart(crashAt: start + .seconds(4), startedAt: start + .seconds(3)) == .seconds(2))

        // Up for exactly the stable period: counts as healthy, restart at once.
        let stableStart = start + .seconds(10)
        #expect(backoff.delayBeforeRestart(crashAt: stableStart + .seconds(60), startedAt: stableStart) == .zero)
        #expect(backoff.delayBeforeRestart(crashAt: stableStart + .seconds(61), startedAt: stableStart + .seconds(60)) == .seconds(1))

        // Just short of stable: keeps backing off.
        #expect(backoff.delayBeforeRestart(crashAt: start + .seconds(200), startedAt: start + .seconds(141)) == .seconds(2))
    }

    @Test func manualResetStartsOver() {
        var backoff = RestartBackoff()
        for index in 0..<4 {
            _ = backoff.delayBeforeRestart(crashAt: start + .seconds(index + 1), startedAt: start + .seconds(index))
        }
        backoff.reset()
        #expect(backoff.consecutiveCrashes == 0)
        #expect(backoff.delayBeforeRestart(crashAt: start + .seconds(10), startedAt: start + .seconds(9)) == .zero)
    }

    @Test func customPolicyAndManyCrashesStayCapped() {
        var backoff = RestartBackoff(
            initialDelay: .milliseconds(250),
            maximumDelay: .seconds(5),
            stablePeriod: .seconds(10)
        )
        let delays = (0..<200).map { index in
            backoff.delayBeforeRestart(crashAt: start + .seconds(index + 1), startedAt: start + .seconds(index))
        }
        #expect(Array(delays.prefix(7)) == [
            .zero, .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5),
        ])
        #expect(delays.dropFirst(6).allSatisfy { $0 == .seconds(5) })
    }

    @Test func inconsistentConfigIsClamped() {
        let backoff = RestartBackoff(initialDelay: .seconds(10), maximumDelay: .seconds(2), stablePeriod: .seconds(-1))
        #expect(backoff.maximumDelay == .seconds(10))
        #expect(backoff.stablePeriod == .zero)
    }
}
