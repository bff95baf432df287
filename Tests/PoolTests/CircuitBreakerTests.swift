import Testing
import Pool

@Suite("CircuitBreaker")
struct CircuitBreakerTests {
    let start = ContinuousClock.Instant.now

    /// `#expect` cannot call a mutating method on a captured value, so admissions are
    /// collected first and asserted afterwards.
    private func admissions(_ breaker: inout CircuitBreaker, at instants: ContinuousClock.Instant...) -> [Bool] {
        instants.map { breaker.admit(at: $0) }
    }

    @Test func defaultsAreFiveFailuresAndThirtySeconds() {
        let breaker = CircuitBreaker()
        #expect(breaker.failureThreshold == 5)
        #expect(breaker.resetTimeout == .seconds(30))
        #expect(breaker.state == .closed)
        #expect(breaker.stateCode == 0)
    }

    @Test func opensAfterThresholdConsecutiveFailures() {
        var breaker = CircuitBreaker(failureThreshold: 3, resetTimeout: .seconds(10))
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start + .seconds(1))
        #expect(breaker.state == .closed)
        #expect(admissions(&breaker, at: start + .seconds(1)) == [true])
        breaker.recordFailure(at: start + .seconds(2))
        #expect(breaker.state == .open(since: start + .seconds(2)))
        #expect(breaker.stateCode == 1)
        #expect(admissions(&breaker, at: start + .seconds(3), start + .seconds(11)) == [false, false])
        #expect(!breaker.mayAdmit(at: start + .seconds(11)))
    }

    @Test func successWhileClosedResetsTheCount() {
        var breaker = CircuitBreaker(failureThreshold: 3, resetTimeout: .seconds(10))
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        breaker.recordSuccess()
        #expect(breaker.consecutiveFailures == 0)
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        #expect(breaker.state == .closed)
    }

    @Test func fullCycleClosedOpenHalfOpenClosed() {
        var breaker = CircuitBreaker(failureThreshold: 2, resetTimeout: .seconds(30))
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        #expect(breaker.state == .open(since: start))

        let beforeTimeout = start + .seconds(29)
        #expect(!breaker.mayAdmit(at: beforeTimeout))
        #expect(admissions(&breaker, at: beforeTimeout) == [false])
        #expect(breaker.state == .open(since: start))

        let afterTimeout = start + .seconds(30)
        // Peeking does not consume the probe.
        #expect(breaker.mayAdmit(at: afterTimeout))
        #expect(breaker.mayAdmit(at: afterTimeout))
        #expect(breaker.state == .open(since: start))

        // Exactly one probe, however many callers ask and however long they wait.
        #expect(admissions(&breaker, at: afterTimeout, afterTimeout, afterTimeout + .seconds(100)) == [true, false, false])
        #expect(breaker.state == .halfOpen)
        #expect(breaker.stateCode == 2)
        #expect(!breaker.mayAdmit(at: afterTimeout + .seconds(100)))

        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.stateCode == 0)
        #expect(admissions(&breaker, at: afterTimeout, afterTimeout) == [true, true])
    }

    @Test func failedProbeReopensWithAFreshTimestamp() {
        var breaker = CircuitBreaker(failureThreshold: 1, resetTimeout: .seconds(30))
        breaker.recordFailure(at: start)
        let probeTime = start + .seconds(45)
        #expect(admissions(&breaker, at: probeTime) == [true])
        breaker.recordFailure(at: probeTime + .seconds(2))
        #expect(breaker.state == .open(since: probeTime + .seconds(2)))
        #expect(breaker.stateCode == 1)
        // The new timeout runs from the probe failure, not from the original trip.
        #expect(admissions(&breaker, at: probeTime + .seconds(31), probeTime + .seconds(32)) == [false, true])
        #expect(breaker.state == .halfOpen)
    }

    @Test func lateReportsWhileOpenNeitherCloseNorExtend() {
        var breaker = CircuitBreaker(failureThreshold: 1, resetTimeout: .seconds(30))
        breaker.recordFailure(at: start)
        breaker.recordSuccess()
        #expect(breaker.state == .open(since: start))
        breaker.recordFailure(at: start + .seconds(20))
        #expect(breaker.state == .open(since: start))
        #expect(admissions(&breaker, at: start + .seconds(30)) == [true])
    }

    @Test func recoveredCircuitNeedsAFullThresholdToTripAgain() {
        var breaker = CircuitBreaker(failureThreshold: 3, resetTimeout: .seconds(1))
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        #expect(admissions(&breaker, at: start + .seconds(1)) == [true])
        breaker.recordSuccess()
        breaker.recordFailure(at: start + .seconds(2))
        breaker.recordFailure(at: start + .seconds(2))
        #expect(breaker.state == .closed)
        breaker.recordFailure(at: start + .seconds(3))
        #expect(breaker.state == .open(since: start + .seconds(3)))
    }

    @Test func outOfRangeConfigIsClamped() {
        var breaker = CircuitBreaker(failureThreshold: 0, resetTimeout: .seconds(-5))
        #expect(breaker.failureThreshold == 1)
        #expect(breaker.resetTimeout == .zero)
        breaker.recordFailure(at: start)
        #expect(breaker.state == .open(since: start))
        #expect(breaker.mayAdmit(at: start))
    }
}
