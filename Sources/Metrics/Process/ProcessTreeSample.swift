#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reading of a monotonic clock, in nanoseconds from an arbitrary fixed origin: only the
/// differences between instants mean anything. Taken as a value, so callers (and tests) decide
/// the time instead of the figures reading a clock behind their back.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// `CLOCK_MONOTONIC` now: it never jumps with wall-clock changes, unlike `gettimeofday`.
    public static func now() -> MonotonicInstant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        let (seconds, attoseconds) = rhs.components
        return MonotonicInstant(nanoseconds: lhs.nanoseconds + seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds - rhs.nanoseconds)
    }

    public var description: String { "\(Duration.nanoseconds(nanoseconds)) after the origin" }
}

/// One process tree at one instant: the CPU time each of its processes has used so far, and
/// the resident memory of the whole tree.
///
/// The CPU time is kept per process (not only summed) so that `ProcessCPUMeter` can tell a
/// tree that did no work from a tree that lost a child, and never report negative usage.
public struct ProcessTreeSample: Sendable, Hashable {
    /// The tree's root process (a pool member).
    public var root: ProcessIdentity
    public var takenAt: MonotonicInstant
    /// Clock ticks per second, the unit of `cpuTicksByProcess`.
    public var clockTicksPerSecond: Int64
    /// Each process of the tree (root included), with its user plus kernel time in clock ticks.
    public var cpuTicksByProcess: [ProcessIdentity: UInt64]
    /// The resident memory of the tree's processes, summed, in bytes. Pages shared between
    /// processes (libraries, copy-on-write pages after a fork) count once per process, as `ps`
    /// counts them, so this can overstate what the tree costs the machine.
    public var residentBytes: Int64

    public init(
        root: ProcessIdentity, takenAt: MonotonicInstant, clockTicksPerSecond: Int64,
        cpuTicksByProcess: [ProcessIdentity: UInt64], residentBytes: Int64
    ) {
        self.root = root
        self.takenAt = takenAt
        self.clockTicksPerSecond = clockTicksPerSecond
        self.cpuTicksByProcess = cpuTicksByProcess
        self.residentBytes = residentBytes
    }

    /// The CPU time the tree's live processes have used, summed, in clock ticks.
    public var cpuTicks: UInt64 {
        cpuTicksByProcess.values.reduce(0, &+)
    }

    /// The CPU time the tree's live processes have used, summed, in seconds.
    public var cpuSeconds: Double {
        Double(cpuTicks) / Double(clockTicksPerSecond)
    }
}
