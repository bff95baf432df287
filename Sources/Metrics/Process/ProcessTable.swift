/// Every process on the machine at one moment: its stat fields and resident memory, and the
/// parent links that make process trees.
///
/// Read the table once per sampling round and take every pool member's tree from it, so one
/// walk of /proc serves the whole pool:
///
/// ```swift
/// let table = try ProcessTable(reading: LinuxProcFileSystem())
/// let sample = try table.treeSample(root: memberPID, at: .now())
/// ```
public struct ProcessTable: Sendable {
    /// One process in the table.
    public struct Entry: Sendable, Hashable {
        public var stat: ProcessStat
        /// Resident memory in bytes (resident pages times the page size).
        public var residentBytes: Int64

        public init(stat: ProcessStat, residentBytes: Int64) {
            self.stat = stat
            self.residentBytes = residentBytes
        }
    }

    public let entries: [Int32: Entry]
    /// Clock ticks per second, the unit of the entries' CPU times.
    public let clockTicksPerSecond: Int64
    private let childrenByParent: [Int32: [Int32]]

    public init(entries: [Entry], clockTicksPerSecond: Int64) {
        var byPID: [Int32: Entry] = [:]
        var childrenByParent: [Int32: [Int32]] = [:]
        for entry in entries {
            byPID[entry.stat.pid] = entry
            childrenByParent[entry.stat.parentPID, default: []].append(entry.stat.pid)
        }
        self.entries = byPID
        self.childrenByParent = childrenByParent
        self.clockTicksPerSecond = clockTicksPerSecond
    }

    /// Reads /proc/[pid]/stat and /proc/[pid]/statm for every process `source` lists.
    ///
    /// A process that exits after the listing (either of its files gone) is left out, as if it
    /// had exited just before: keeping it without its statm would give CPU time with no memory.
    /// A malformed file fails the whole read, naming the file.
    public init(reading source: some ProcFileSource) throws(ProcessFiguresError) {
        var entries: [Entry] = []
        for pid in try source.processIDs() {
            guard let statContents = try source.stat(of: pid),
                let statmContents = try source.statm(of: pid)
            else { continue }
            let stat = try ProcessStat(parsingStat: statContents, path: "/proc/\(pid)/stat")
            let statm = try ProcessStatm(parsingStatm: statmContents, path: "/proc/\(pid)/statm")
            let (residentBytes, overflow) = Int64(clamping: statm.residentPages).multipliedReportingOverflow(by: source.pageSize)
            entries.append(Entry(stat: stat, residentBytes: overflow ? .max : residentBytes))
        }
        self.init(entries: entries, clockTicksPerSecond: source.clockTicksPerSecond)
    }

    /// The pids of `root`'s tree: `root` first, then its descendants breadth first, following
    /// parent links. A process whose parent exited was reparented away (to init or a
    /// subreaper) and is no longer in the tree.
    public func descendants(of root: Int32) throws(ProcessFiguresError) -> [Int32] {
        guard entries[root] != nil else { throw .processNotFound(pid: root) }
        var tree = [root]
        var seen: Set<Int32> = [root]
        var next = 0
        while next < tree.count {
            // The kernel's parent links never loop, but a hand-built table could.
            for child in childrenByParent[tree[next], default: []].sorted() where seen.insert(child).inserted {
                tree.append(child)
            }
            next += 1
        }
        return tree
    }

    /// The CPU time and resident memory of `root`'s tree, stamped with `instant` (when the
    /// table was read, on the caller's monotonic clock).
    public func treeSample(root: Int32, at instant: MonotonicInstant) throws(ProcessFiguresError) -> ProcessTreeSample {
        let tree = try descendants(of: root).compactMap { entries[$0] }
        var cpuTicks: [ProcessIdentity: UInt64] = [:]
        var residentBytes: Int64 = 0
        for entry in tree {
            cpuTicks[entry.stat.identity] = entry.stat.cpuTicks
            let (sum, overflow) = residentBytes.addingReportingOverflow(entry.residentBytes)
            residentBytes = overflow ? .max : sum
        }
        return ProcessTreeSample(
            root: tree[0].stat.identity,
            takenAt: instant,
            clockTicksPerSecond: clockTicksPerSecond,
            cpuTicksByProcess: cpuTicks,
            residentBytes: residentBytes
        )
    }
}

extension ProcessTable {
    /// This machine's processes now (Linux; elsewhere `ProcessFiguresError.unsupportedPlatform`).
    public static func current() throws(ProcessFiguresError) -> ProcessTable {
        try ProcessTable(reading: LinuxProcFileSystem())
    }
}
