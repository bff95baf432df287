/// The CPU a process tree used between two samples.
public struct ProcessCPUUsage: Sendable, Hashable {
    /// Wall time between the two samples.
    public var interval: Duration
    /// CPU time the tree used in the interval, in clock ticks (see `ProcessCPUMeter` for what counts).
    public var cpuTicks: UInt64
    /// Clock ticks per second, the unit of `cpuTicks`.
    public var clockTicksPerSecond: Int64

    public init(interval: Duration, cpuTicks: UInt64, clockTicksPerSecond: Int64) {
        self.interval = interval
        self.cpuTicks = cpuTicks
        self.clockTicksPerSecond = clockTicksPerSecond
    }

    /// CPU seconds per wall second: 1.0 is one core kept busy for the whole interval.
    public var cores: Double {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return Double(cpuTicks) / Double(clockTicksPerSecond) / seconds
    }

    /// `cores` in milli-cores, rounded up as Kubernetes' `Quantity.MilliValue()` rounds
    /// (`ceil(cores * 1000)`), saturating at `Int64.max`. Computed from the exact ratio of
    /// ticks to nanoseconds, so 25 ticks at 100 per second over 500 ms is 500, never 501 from a
    /// floating-point hair above 0.5.
    public var milliCores: Int64 {
        let intervalNanoseconds = interval.components.seconds * 1_000_000_000
            + interval.components.attoseconds / 1_000_000_000
        guard intervalNanoseconds > 0, clockTicksPerSecond > 0 else { return 0 }
        // milli = ticks / ticksPerSecond / (nanoseconds / 1e9) * 1000; 128 bits cannot overflow.
        let numerator = UInt128(cpuTicks) * 1_000_000_000_000
        let denominator = UInt128(clockTicksPerSecond) * UInt128(intervalNanoseconds)
        let milli = (numerator + denominator - 1) / denominator
        return milli > UInt128(Int64.max) ? .max : Int64(milli)
    }
}

/// A pool member's figures in the units the autoscaler works in: CPU in milli-cores (nil until
/// the member has two samples) and resident memory in bytes.
public struct ProcessFigures: Sendable, Hashable {
    public var root: ProcessIdentity
    public var cpu: ProcessCPUUsage?
    public var residentBytes: Int64

    public init(root: ProcessIdentity, cpu: ProcessCPUUsage?, residentBytes: Int64) {
        self.root = root
        self.cpu = cpu
        self.residentBytes = residentBytes
    }

    public var milliCores: Int64? { cpu?.milliCores }
}

/// Turns successive samples of process trees into CPU usage, keeping the previous sample of
/// each root.
///
/// CPU time is cumulative, so usage is the growth of the tree's CPU time over the wall time
/// between two samples. A tree's summed CPU time can shrink, though: a child that exits takes
/// its counted time out of the tree. The rule here is to count, process by process:
///
/// - a process in both samples (same pid and start time): the growth of its CPU time;
/// - a process only in the later sample: all of its CPU time, since it started (or joined the
///   tree) within the interval;
/// - a process only in the earlier sample: nothing, since it exited and its last moments
///   cannot be read any more.
///
/// So usage is never negative, a surviving process's work is not cancelled out by a sibling's
/// exit (as clamping the summed difference at zero would do), and a pid reused by a new
/// process counts as new. The cost: work done by a process that exits between two samples,
/// since the earlier one, is not counted.
///
/// A new root (the member restarted, even under the same pid) starts over: its first sample
/// yields no usage.
public struct ProcessCPUMeter: Sendable {
    private var previousByRoot: [Int32: ProcessTreeSample] = [:]

    public init() {}

    /// Records `sample` as its root's latest, and gives its figures: resident memory always,
    /// CPU usage since the root's previous sample when there is one.
    public mutating func record(_ sample: ProcessTreeSample) -> ProcessFigures {
        let previous = previousByRoot[sample.root.pid]
        previousByRoot[sample.root.pid] = sample
        let cpu = previous.flatMap { Self.usage(from: $0, to: sample) }
        return ProcessFigures(root: sample.root, cpu: cpu, residentBytes: sample.residentBytes)
    }

    /// Drops the previous sample of `pid`'s tree (a member that left the pool).
    public mutating func forget(root pid: Int32) {
        previousByRoot[pid] = nil
    }

    /// The CPU usage between two samples of the same tree, by the rule above; nil if they are of
    /// different roots, were taken with different clock tick rates, or `later` is not later.
    public static func usage(from earlier: ProcessTreeSample, to later: ProcessTreeSample) -> ProcessCPUUsage? {
        guard earlier.root == later.root, earlier.clockTicksPerSecond == later.clockTicksPerSecond,
            earlier.takenAt < later.takenAt
        else { return nil }
        var ticks: UInt64 = 0
        for (process, laterTicks) in later.cpuTicksByProcess {
            let earlierTicks = earlier.cpuTicksByProcess[process] ?? 0
            // A process's own CPU time only grows; the guard keeps a kernel surprise from
            // turning into a huge unsigned difference.
            if laterTicks > earlierTicks { ticks &+= laterTicks - earlierTicks }
        }
        return ProcessCPUUsage(
            interval: later.takenAt - earlier.takenAt,
            cpuTicks: ticks,
            clockTicksPerSecond: later.clockTicksPerSecond
        )
    }
}
