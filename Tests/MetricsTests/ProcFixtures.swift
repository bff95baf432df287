import TidepoolMetrics

/// Hand-written /proc content for the process figures' tests.
enum ProcFixtures {
    /// A /proc/[pid]/stat line with the given fields and plausible values elsewhere (the layout
    /// of a real line from `cat /proc/self/stat`).
    static func statLine(
        pid: Int32, command: String, state: String = "S", parent: Int32,
        userTicks: UInt64 = 0, systemTicks: UInt64 = 0, startTicks: UInt64 = 1000
    ) -> String {
        "\(pid) (\(command)) \(state) \(parent) \(pid) \(pid) 0 -1 4194304 98 0 0 0 "
            + "\(userTicks) \(systemTicks) 7 9 20 0 1 0 \(startTicks) 3133440 386 18446744073709551615 "
            + "94878240288768 94878240308649 140729461570112 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
    }

    static func statmLine(residentPages: UInt64) -> String {
        "765 \(residentPages) 372 5 0 123 0\n"
    }

    /// `text` with the first `target` replaced: the tests' way to break one field of a line.
    static func replacingFirst(in text: String, _ target: String, with replacement: String) -> String {
        guard let range = text.firstRange(of: target) else { return text }
        var changed = text
        changed.replaceSubrange(range, with: replacement)
        return changed
    }

    static func entry(
        pid: Int32, parent: Int32, userTicks: UInt64 = 0, systemTicks: UInt64 = 0,
        startTicks: UInt64 = 1000, residentBytes: Int64 = 4096
    ) -> ProcessTable.Entry {
        ProcessTable.Entry(
            stat: ProcessStat(
                pid: pid, commandName: "p\(pid)", state: .sleeping, parentPID: parent,
                userTicks: userTicks, systemTicks: systemTicks, startTicks: startTicks
            ),
            residentBytes: residentBytes
        )
    }
}

/// A /proc made of strings. A pid that is listed but has no file stands for a process that
/// exited between the listing and the read.
struct FakeProcFiles: ProcFileSource {
    var clockTicksPerSecond: Int64 = 100
    var pageSize: Int64 = 4096
    var listed: [Int32]
    var statFiles: [Int32: String]
    var statmFiles: [Int32: String]

    func processIDs() throws(ProcessFiguresError) -> [Int32] { listed }

    func stat(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]? {
        statFiles[pid].map { Array($0.utf8) }
    }

    func statm(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]? {
        statmFiles[pid].map { Array($0.utf8) }
    }
}
