import TidepoolMetrics
import Testing

@Suite("Process table and trees")
struct ProcessTableTests {
    /// init(1) ─┬─ member(10) ─┬─ worker(11)
    ///          │              └─ helper(12) ── grandchild(13)
    ///          └─ stranger(20) ── its child(21)
    static let table = ProcessTable(
        entries: [
            ProcFixtures.entry(pid: 1, parent: 0),
            ProcFixtures.entry(pid: 10, parent: 1, userTicks: 100, systemTicks: 20, residentBytes: 10_000),
            ProcFixtures.entry(pid: 11, parent: 10, userTicks: 7, systemTicks: 3, residentBytes: 2_000),
            ProcFixtures.entry(pid: 12, parent: 10, userTicks: 40, residentBytes: 3_000),
            ProcFixtures.entry(pid: 13, parent: 12, systemTicks: 5, residentBytes: 500),
            ProcFixtures.entry(pid: 20, parent: 1, userTicks: 999, residentBytes: 1_000_000),
            ProcFixtures.entry(pid: 21, parent: 20, userTicks: 999, residentBytes: 1_000_000),
        ],
        clockTicksPerSecond: 100
    )

    @Test("a tree is its root and every descendant, and nothing else")
    func descendants() throws {
        #expect(try Self.table.descendants(of: 10) == [10, 11, 12, 13])
        #expect(try Self.table.descendants(of: 12) == [12, 13])
        #expect(try Self.table.descendants(of: 13) == [13])
        #expect(try Self.table.descendants(of: 1) == [1, 10, 20, 11, 12, 21, 13])
    }

    @Test("a missing root is an error naming its pid")
    func missingRoot() {
        #expect(throws: ProcessFiguresError.processNotFound(pid: 99)) {
            try Self.table.descendants(of: 99)
        }
        #expect(throws: ProcessFiguresError.processNotFound(pid: 99)) {
            try Self.table.treeSample(root: 99, at: MonotonicInstant(nanoseconds: 0))
        }
        #expect(ProcessFiguresError.processNotFound(pid: 99).description == "process 99 is not running")
    }

    @Test("parent links that loop do not hang the walk")
    func loopingParents() throws {
        let table = ProcessTable(
            entries: [ProcFixtures.entry(pid: 5, parent: 6), ProcFixtures.entry(pid: 6, parent: 5)],
            clockTicksPerSecond: 100
        )
        #expect(try table.descendants(of: 5) == [5, 6])
    }

    @Test("a tree sample sums CPU ticks and resident bytes over the tree only")
    func treeSample() throws {
        let instant = MonotonicInstant(nanoseconds: 5_000_000_000)
        let sample = try Self.table.treeSample(root: 10, at: instant)
        #expect(sample.root == ProcessIdentity(pid: 10, startTicks: 1000))
        #expect(sample.takenAt == instant)
        #expect(sample.cpuTicksByProcess.count == 4)
        #expect(sample.cpuTicks == 120 + 10 + 40 + 5)
        #expect(sample.cpuSeconds == 1.75)
        #expect(sample.residentBytes == 10_000 + 2_000 + 3_000 + 500)
    }

    @Test("reading /proc: stat and statm per listed pid, resident pages times the page size")
    func reading() throws {
        let files = FakeProcFiles(
            pageSize: 16384,
            listed: [1, 300, 301],
            statFiles: [
                1: ProcFixtures.statLine(pid: 1, command: "init", parent: 0),
                300: ProcFixtures.statLine(pid: 300, command: "mcp (server)", parent: 1, userTicks: 12, systemTicks: 3, startTicks: 777),
                301: ProcFixtures.statLine(pid: 301, command: "node", parent: 300, userTicks: 8),
            ],
            statmFiles: [
                1: ProcFixtures.statmLine(residentPages: 1),
                300: ProcFixtures.statmLine(residentPages: 100),
                301: ProcFixtures.statmLine(residentPages: 50),
            ]
        )
        let table = try ProcessTable(reading: files)
        #expect(table.clockTicksPerSecond == 100)
        #expect(table.entries.count == 3)
        #expect(table.entries[300]?.stat.commandName == "mcp (server)")
        #expect(table.entries[300]?.residentBytes == Int64(100 * 16384))
        let sample = try table.treeSample(root: 300, at: MonotonicInstant(nanoseconds: 0))
        #expect(sample.root == ProcessIdentity(pid: 300, startTicks: 777))
        #expect(sample.cpuTicks == 23)
        #expect(sample.residentBytes == 150 * 16384)
    }

    @Test("processes that exit between the listing and the reads are left out")
    func vanishedProcesses() throws {
        let files = FakeProcFiles(
            listed: [1, 10, 11, 12, 13],
            statFiles: [
                1: ProcFixtures.statLine(pid: 1, command: "init", parent: 0),
                10: ProcFixtures.statLine(pid: 10, command: "member", parent: 1, userTicks: 50),
                // 11 exited before its stat was read.
                12: ProcFixtures.statLine(pid: 12, command: "child", parent: 10, userTicks: 30),
                13: ProcFixtures.statLine(pid: 13, command: "child", parent: 10, userTicks: 20),
            ],
            statmFiles: [
                1: ProcFixtures.statmLine(residentPages: 1),
                10: ProcFixtures.statmLine(residentPages: 10),
                // 12 exited between its stat and its statm.
                13: ProcFixtures.statmLine(residentPages: 2),
            ]
        )
        let table = try ProcessTable(reading: files)
        #expect(table.entries.keys.sorted() == [1, 10, 13])
        #expect(try table.descendants(of: 10) == [10, 13])
        let sample = try table.treeSample(root: 10, at: MonotonicInstant(nanoseconds: 0))
        #expect(sample.cpuTicks == 70)
        #expect(sample.residentBytes == 12 * 4096)
        #expect(throws: ProcessFiguresError.processNotFound(pid: 11)) {
            try table.treeSample(root: 11, at: MonotonicInstant(nanoseconds: 0))
        }
    }

    @Test("a malformed file fails the read, naming its path")
    func malformedFile() {
        let files = FakeProcFiles(
            listed: [42],
            statFiles: [42: "42 (broken"],
            statmFiles: [42: ProcFixtures.statmLine(residentPages: 1)]
        )
        #expect(throws: ProcessFiguresError.malformedProcFile(path: "/proc/42/stat", problem: "no command name in parentheses")) {
            try ProcessTable(reading: files)
        }
    }
}
