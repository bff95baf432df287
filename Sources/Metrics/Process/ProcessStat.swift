/// A process across pid reuse: the kernel recycles pids, but never a pid together with its
/// start time.
public struct ProcessIdentity: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    /// When the process started, in clock ticks since boot.
    public var startTicks: UInt64

    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    public var description: String { "\(pid)@\(startTicks)" }
}

/// The scheduler state letter of /proc/[pid]/stat (proc(5)).
public enum ProcessState: Sendable, Hashable {
    case running
    case sleeping
    case diskSleep
    case zombie
    case stopped
    case tracingStop
    case dead
    case idle
    /// A letter this type does not name (paging, waking, parked: kernels differ).
    case other(Character)

    init(letter: UInt8) {
        switch letter {
        case UInt8(ascii: "R"): self = .running
        case UInt8(ascii: "S"): self = .sleeping
        case UInt8(ascii: "D"): self = .diskSleep
        case UInt8(ascii: "Z"): self = .zombie
        case UInt8(ascii: "T"): self = .stopped
        case UInt8(ascii: "t"): self = .tracingStop
        case UInt8(ascii: "X"), UInt8(ascii: "x"): self = .dead
        case UInt8(ascii: "I"): self = .idle
        default: self = .other(Character(Unicode.Scalar(letter)))
        }
    }
}

/// The fields of one /proc/[pid]/stat line that the process figures use.
///
/// ```swift
/// let stat = try ProcessStat(parsingStat: Array("42 (my (weird) proc) S 1 42 42 0 -1 ...".utf8))
/// stat.commandName  // "my (weird) proc"
/// ```
public struct ProcessStat: Sendable, Hashable {
    public var pid: Int32
    /// The executable's name as the kernel keeps it (at most 15 bytes, any bytes but NUL).
    public var commandName: String
    public var state: ProcessState
    public var parentPID: Int32
    /// Time scheduled in user mode, in clock ticks (`sysconf(_SC_CLK_TCK)` per second).
    public var userTicks: UInt64
    /// Time scheduled in kernel mode, in clock ticks.
    public var systemTicks: UInt64
    /// When the process started, in clock ticks since boot.
    public var startTicks: UInt64

    public init(
        pid: Int32, commandName: String, state: ProcessState, parentPID: Int32,
        userTicks: UInt64, systemTicks: UInt64, startTicks: UInt64
    ) {
        self.pid = pid
        self.commandName = commandName
        self.state = state
        self.parentPID = parentPID
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.startTicks = startTicks
    }

    public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }

    /// User plus kernel time, in clock ticks: the CPU time the process has used.
    public var cpuTicks: UInt64 { userTicks &+ systemTicks }

    /// Parses the contents of /proc/[pid]/stat; `path` only names the file in errors.
    ///
    /// The command name sits in parentheses and may itself contain spaces and parentheses,
    /// so the fields after it are found from the last ")" of the line, never by splitting the
    /// whole line on spaces.
    public init(parsingStat contents: [UInt8], path: String = "stat") throws(ProcessFiguresError) {
        func malformed(_ problem: String) -> ProcessFiguresError {
            .malformedProcFile(path: path, problem: problem)
        }
        guard let open = contents.firstIndex(of: UInt8(ascii: "(")),
            let close = contents.lastIndex(of: UInt8(ascii: ")")), open < close
        else { throw malformed("no command name in parentheses") }

        guard open >= 2, contents[open - 1] == UInt8(ascii: " "),
            let pid = ProcNumber.parse(contents[..<(open - 1)], as: Int32.self)
        else { throw malformed("the line does not start with a pid") }

        // Fields 3 onwards of proc(5), so field N is fields[N - 3].
        let fields = contents[(close + 1)...].split(
            omittingEmptySubsequences: true,
            whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }
        )
        guard fields.count >= 20 else {
            throw malformed("\(fields.count + 2) fields, expected at least 22")
        }
        func number<Number: FixedWidthInteger>(_ field: Int, _ name: String, as: Number.Type) throws(ProcessFiguresError) -> Number {
            guard let value = ProcNumber.parse(fields[field - 3], as: Number.self) else {
                throw malformed("\(name) (field \(field)) is not a number: \"\(String(decoding: fields[field - 3], as: UTF8.self))\"")
            }
            return value
        }
        guard fields[0].count == 1, let letter = fields[0].first else {
            throw malformed("state (field 3) is not one letter")
        }

        self.pid = pid
        self.commandName = String(decoding: contents[(open + 1)..<close], as: UTF8.self)
        self.state = ProcessState(letter: letter)
        self.parentPID = try number(4, "ppid", as: Int32.self)
        self.userTicks = try number(14, "utime", as: UInt64.self)
        self.systemTicks = try number(15, "stime", as: UInt64.self)
        self.startTicks = try number(22, "starttime", as: UInt64.self)
    }
}

/// The resident set of one process, from /proc/[pid]/statm.
public struct ProcessStatm: Sendable, Hashable {
    /// Pages of the process in RAM (statm's second field); multiply by the page size for bytes.
    public var residentPages: UInt64

    public init(residentPages: UInt64) {
        self.residentPages = residentPages
    }

    /// Parses the contents of /proc/[pid]/statm ("size resident shared text lib data dt", in
    /// pages); `path` only names the file in errors.
    public init(parsingStatm contents: [UInt8], path: String = "statm") throws(ProcessFiguresError) {
        let fields = contents.split(
            omittingEmptySubsequences: true,
            whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }
        )
        guard fields.count >= 2 else {
            throw .malformedProcFile(path: path, problem: "\(fields.count) fields, expected 7")
        }
        guard let resident = ProcNumber.parse(fields[1], as: UInt64.self) else {
            throw .malformedProcFile(
                path: path,
                problem: "resident (field 2) is not a number: \"\(String(decoding: fields[1], as: UTF8.self))\""
            )
        }
        self.residentPages = resident
    }
}

/// Unsigned decimal fields as the kernel prints them.
enum ProcNumber {
    /// The value of `digits` if they are all ASCII digits and fit `Number`; nil otherwise.
    static func parse<Number: FixedWidthInteger>(_ digits: ArraySlice<UInt8>, as: Number.Type) -> Number? {
        guard !digits.isEmpty else { return nil }
        var value: Number = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Number(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }
}
