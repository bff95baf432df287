import Testing
import Pool

@Suite("HealthTracker")
struct HealthTrackerTests {
    @Test func defaultsToThreeFailuresAndStartsInRotation() {
        let tracker = HealthTracker()
        #expect(tracker.maxConsecutiveFailures == 3)
        #expect(tracker.consecutiveFailures == 0)
        #expect(tracker.inRotation)
    }

    @Test func leavesRotationOnlyOnTheCrossing() {
        var tracker = HealthTracker(maxConsecutiveFailures: 3)
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.inRotation)
        #expect(tracker.recordFailure() == .removedFromRotation)
        #expect(!tracker.inRotation)
        // Further failures change nothing about rotation.
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.consecutiveFailures == 5)
        #expect(!tracker.inRotation)
    }

    @Test func oneSuccessBringsItBackOnce() {
        var tracker = HealthTracker(maxConsecutiveFailures: 2)
        _ = tracker.recordFailure()
        #expect(tracker.recordFailure() == .removedFromRotation)
        #expect(tracker.recordSuccess() == .backInRotation)
        #expect(tracker.inRotation)
        #expect(tracker.consecutiveFailures == 0)
        #expect(tracker.recordSuccess() == .none)
    }

    @Test func successResetsTheFailureStreak() {
        var tracker = HealthTracker(maxConsecutiveFailures: 3)
        _ = tracker.recordFailure()
        _ = tracker.recordFailure()
        #expect(tracker.recordSuccess() == .none)
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.recordFailure() == .none)
        #expect(tracker.inRotation)
        #expect(tracker.recordFailure() == .removedFromRotation)
    }

    @Test func thresholdBelowOneIsTreatedAsOne() {
        var tracker = HealthTracker(maxConsecutiveFailures: 0)
        #expect(tracker.inRotation)
        #expect(tracker.recordFailure() == .removedFromRotation)
    }
}
