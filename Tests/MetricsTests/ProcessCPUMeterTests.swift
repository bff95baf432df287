import TidepoolMetrics
import Testing

@Suite("CPU usage from successive process tree samples")
struct ProcessCPUMeterTests {
    static let member = ProcessIdentity(pid: 10, startTicks: 1000)

    /// A sample of the member's tree `seconds` after the origin, at 100 ticks per second.
    static func sample(
        at seconds: Double, root: ProcessIdentity = member, residentBytes: Int64 = 1 << 20,
        _ ticks: [ProcessIdentity: UInt64]
    ) -> ProcessTreeSample {
        ProcessTreeSample(
            root: root,
            takenAt: MonotonicInstant(nanoseconds: Int64(seconds * 1e9)),
            clockTicksPerSecond: 100,
            cpuTicksByProcess: ticks,
            residentBytes: residentBytes
        )
    }

    static func child(_ pid: Int32, started startTicks: UInt64 = 2000) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTicks: startTicks)
    }

    @Test("the first sample of a root gives memory but no CPU usage")
    func firstSample() {
        var meter = ProcessCPUMeter()
        let figures = meter.record(Self.sample(at: 1, residentBytes: 12_345, [Self.member: 500]))
        #expect(figures.cpu == nil)
        #expect(figures.milliCores == nil)
        #expect(figures.residentBytes == 12_345)
        #expect(figures.root == Self.member)
    }

    @Test("usage is CPU seconds over wall seconds, summed over the tree")
    func coresFromTwoSamples() throws {
        var meter = ProcessCPUMeter()
        _ = meter.record(Self.sample(at: 10, [Self.member: 100, Self.child(11): 50]))
        let figures = meter.record(Self.sample(at: 12, residentBytes: 999, [Self.member: 250, Self.child(11): 100]))
        let cpu = try #require(figures.cpu)
        #expect(cpu.interval == .seconds(2))
        #expect(cpu.cpuTicks == 200)
        #expect(cpu.cores == 1.0)
        #expect(cpu.milliCores == 1000)
        #expect(figures.milliCores == 1000)
        #expect(figures.residentBytes == 999)
    }

    @Test("each sample is measured against the one before it, not the first")
    func successiveIntervals() throws {
        var meter = ProcessCPUMeter()
        _ = meter.record(Self.sample(at: 0, [Self.member: 0]))
        _ = meter.record(Self.sample(at: 1, [Self.member: 200]))
        let third = try #require(meter.record(Self.sample(at: 2, [Self.member: 250])).cpu)
        #expect(third.cores == 0.5)
    }

    @Test("milli-cores round up as Kubernetes' MilliValue does, and exact values stay exact")
    func milliCoresRounding() {
        func milli(ticks: UInt64, over interval: Duration, hz: Int64 = 100) -> Int64 {
            ProcessCPUUsage(interval: interval, cpuTicks: ticks, clockTicksPerSecond: hz).milliCores
        }
        #expect(milli(ticks: 25, over: .milliseconds(500)) == 500)
        #expect(milli(ticks: 1, over: .seconds(3)) == 4)  // 3.33... rounds up
        #expect(milli(ticks: 2, over: .seconds(3)) == 7)  // 6.66... rounds up
        #expect(milli(ticks: 0, over: .seconds(1)) == 0)
        #expect(milli(ticks: 1, over: .nanoseconds(1_000_000_001)) == 10)  // a hair under 10
        #expect(milli(ticks: 300, over: .seconds(1), hz: 250) == 1200)
        #expect(milli(ticks: .max, over: .nanoseconds(1)) == .max)  // saturates
        #expect(milli(ticks: 5, over: .zero) == 0)
    }

    @Test("a child that exits does not make usage negative, nor hide the survivors' work")
    func exitedChild() throws {
        let earlier = Self.sample(at: 0, [Self.member: 100, Self.child(11): 500])
        let later = Self.sample(at: 1, [Self.member: 150])
        // The tree's summed CPU time went down...
        #expect(later.cpuSeconds < earlier.cpuSeconds)
        // ...but the member, present in both, used 50 ticks in the second: half a core.
        let cpu = try #require(ProcessCPUMeter.usage(from: earlier, to: later))
        #expect(cpu.cpuTicks == 50)
        #expect(cpu.cores == 0.5)
        #expect(cpu.milliCores == 500)
    }

    @Test("a tree whose only growth left with an exited child reports zero, not less")
    func exitedChildOnlyGrowth() throws {
        let earlier = Self.sample(at: 0, [Self.member: 100, Self.child(11): 500])
        let later = Self.sample(at: 1, [Self.member: 100])
        let cpu = try #require(ProcessCPUMeter.usage(from: earlier, to: later))
        #expect(cpu.cpuTicks == 0)
        #expect(cpu.cores == 0)
        #expect(cpu.milliCores == 0)
    }

    @Test("a process that appears between samples counts all of its CPU time")
    func newChild() throws {
        let earlier = Self.sample(at: 0, [Self.member: 100])
        let later = Self.sample(at: 2, [Self.member: 110, Self.child(12): 90])
        let cpu = try #require(ProcessCPUMeter.usage(from: earlier, to: later))
        #expect(cpu.cpuTicks == 100)
        #expect(cpu.cores == 0.5)
    }

    @Test("a pid reused by a new process is a new process, not a shrunken old one")
    func reusedChildPID() throws {
        let earlier = Self.sample(at: 0, [Self.member: 100, Self.child(11, started: 2000): 300])
        let later = Self.sample(at: 1, [Self.member: 100, Self.child(11, started: 9000): 20])
        let cpu = try #require(ProcessCPUMeter.usage(from: earlier, to: later))
        #expect(cpu.cpuTicks == 20)
    }

    @Test("a restarted member, even under the same pid, starts over")
    func restartedRoot() {
        var meter = ProcessCPUMeter()
        _ = meter.record(Self.sample(at: 0, [Self.member: 100]))
        let restarted = ProcessIdentity(pid: Self.member.pid, startTicks: 5000)
        let first = meter.record(Self.sample(at: 1, root: restarted, [restarted: 3]))
        #expect(first.cpu == nil)
        let second = meter.record(Self.sample(at: 2, root: restarted, [restarted: 53]))
        #expect(second.cpu?.cores == 0.5)
    }

    @Test("samples that are not later give no usage")
    func notLater() {
        let earlier = Self.sample(at: 5, [Self.member: 100])
        #expect(ProcessCPUMeter.usage(from: earlier, to: Self.sample(at: 5, [Self.member: 200])) == nil)
        #expect(ProcessCPUMeter.usage(from: earlier, to: Self.sample(at: 4, [Self.member: 200])) == nil)
    }

    @Test("roots are metered apart, and a forgotten root starts over")
    func separateRootsAndForget() {
        var meter = ProcessCPUMeter()
        let other = ProcessIdentity(pid: 20, startTicks: 3000)
        _ = meter.record(Self.sample(at: 0, [Self.member: 0]))
        _ = meter.record(Self.sample(at: 0, root: other, [other: 0]))
        #expect(meter.record(Self.sample(at: 1, [Self.member: 100])).milliCores == 1000)
        #expect(meter.record(Self.sample(at: 1, root: other, [other: 10])).milliCores == 100)
        meter.forget(root: Self.member.pid)
        #expect(meter.record(Self.sample(at: 2, [Self.member: 200])).cpu == nil)
        #expect(meter.record(Self.sample(at: 2, root: other, [other: 20])).milliCores == 100)
    }

    @Test("monotonic instants subtract to durations")
    func instants() {
        let start = MonotonicInstant(nanoseconds: 1_000)
        let later = start + .milliseconds(1500)
        #expect(later.nanoseconds == 1_500_001_000)
        #expect(later - start == .milliseconds(1500))
        #expect(start < later)
        let now = MonotonicInstant.now()
        #expect(MonotonicInstant.now() >= now)
    }
}
