import TidepoolMetrics
import Testing

@Suite("/proc stat and statm parsing")
struct ProcessStatTests {
    static func stat(_ line: String) throws(ProcessFiguresError) -> ProcessStat {
        try ProcessStat(parsingStat: Array(line.utf8))
    }

    static func failure(_ line: String) -> ProcessFiguresError? {
        do {
            _ = try stat(line)
            return nil
        } catch {
            return error
        }
    }

    @Test("a real line: the CPU fields are utime and stime, not their neighbours")
    func realLine() throws {
        // /proc/1/stat of a container; cutime (121879) and cstime (6986) follow stime.
        let line = "1 (init) S 0 0 0 0 -1 4194560 34255 14749705 0 4131 83 115 121879 6986 10 -10 11 0 14 "
            + "35848192 2255 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        let stat = try Self.stat(line)
        #expect(stat == ProcessStat(
            pid: 1, commandName: "init", state: .sleeping, parentPID: 0,
            userTicks: 83, systemTicks: 115, startTicks: 14
        ))
        #expect(stat.cpuTicks == 198)
        #expect(stat.identity == ProcessIdentity(pid: 1, startTicks: 14))
    }

    @Test(
        "command names with spaces and parentheses are read up to the last parenthesis",
        arguments: ["my (weird) proc", "a) R 1 (b", "x)", "(", ") ) )", "two  spaces", ""]
    )
    func weirdCommandNames(command: String) throws {
        let line = ProcFixtures.statLine(pid: 4242, command: command, state: "R", parent: 17, userTicks: 30, systemTicks: 12, startTicks: 99)
        let stat = try Self.stat(line)
        #expect(stat.commandName == command)
        #expect(stat.pid == 4242)
        #expect(stat.state == .running)
        #expect(stat.parentPID == 17)
        #expect(stat.userTicks == 30)
        #expect(stat.systemTicks == 12)
        #expect(stat.startTicks == 99)
    }

    @Test("a command name that is not UTF-8 does not stop the parse")
    func nonUTF8CommandName() throws {
        var bytes = Array("77 (".utf8) + [0xFF, 0xFE, 0x29] + Array(" Z 5 ".utf8)
        bytes += Array("77 77 0 -1 0 0 0 0 0 4 6 0 0 20 0 1 0 500 0 0\n".utf8)
        let stat = try ProcessStat(parsingStat: bytes)
        #expect(stat.pid == 77)
        #expect(stat.state == .zombie)
        #expect(stat.parentPID == 5)
        #expect(stat.cpuTicks == 10)
        #expect(stat.startTicks == 500)
    }

    @Test("state letters", arguments: [
        ("R", ProcessState.running), ("S", .sleeping), ("D", .diskSleep), ("Z", .zombie),
        ("T", .stopped), ("t", .tracingStop), ("X", .dead), ("I", .idle), ("P", .other("P")),
    ])
    func stateLetters(letter: String, state: ProcessState) throws {
        let stat = try Self.stat(ProcFixtures.statLine(pid: 3, command: "k", state: letter, parent: 2))
        #expect(stat.state == state)
    }

    @Test("malformed lines name the file and the field")
    func malformedLines() {
        let good = ProcFixtures.statLine(pid: 9, command: "ok", parent: 1, userTicks: 5)
        #expect(Self.failure("9 ok S 1 2 3") == .malformedProcFile(path: "stat", problem: "no command name in parentheses"))
        #expect(Self.failure("(ok) S 1 2 3") == .malformedProcFile(path: "stat", problem: "the line does not start with a pid"))
        #expect(Self.failure("x9 (ok) S 1") == .malformedProcFile(path: "stat", problem: "the line does not start with a pid"))
        #expect(Self.failure("9 (ok) S 1 9 9 0\n") == .malformedProcFile(path: "stat", problem: "7 fields, expected at least 22"))
        let badUtime = ProcFixtures.replacingFirst(in: good, " 5 0 7 9 ", with: " 5x 0 7 9 ")
        #expect(Self.failure(badUtime) == .malformedProcFile(path: "stat", problem: "utime (field 14) is not a number: \"5x\""))
        #expect(Self.failure(ProcFixtures.replacingFirst(in: good, " S ", with: " SS ")) == .malformedProcFile(path: "stat", problem: "state (field 3) is not one letter"))
        #expect(Self.failure(ProcFixtures.replacingFirst(in: good, "(ok) S 1 ", with: "(ok) S -1 ")) == .malformedProcFile(path: "stat", problem: "ppid (field 4) is not a number: \"-1\""))

        do {
            _ = try ProcessStat(parsingStat: Array("9 (ok) S".utf8), path: "/proc/9/stat")
            Issue.record("a truncated line parsed")
        } catch {
            #expect(error.description.hasPrefix("/proc/9/stat: "))
        }
    }

    @Test("statm: the resident field, in pages")
    func statm() throws {
        #expect(try ProcessStatm(parsingStatm: Array("765 400 372 5 0 123 0\n".utf8)).residentPages == 400)
        #expect(try ProcessStatm(parsingStatm: Array("0 0 0 0 0 0 0\n".utf8)).residentPages == 0)
        #expect(throws: ProcessFiguresError.malformedProcFile(path: "/proc/5/statm", problem: "1 fields, expected 7")) {
            try ProcessStatm(parsingStatm: Array("765\n".utf8), path: "/proc/5/statm")
        }
        #expect(throws: ProcessFiguresError.malformedProcFile(path: "statm", problem: "resident (field 2) is not a number: \"4.5\"")) {
            try ProcessStatm(parsingStatm: Array("765 4.5 372 5 0 123 0\n".utf8))
        }
    }
}
