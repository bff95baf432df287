#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the process table's /proc content comes from: the live /proc in production, a
/// dictionary of hand-written files in tests.
///
/// A process may exit at any moment between listing and reading, so the per-process reads
/// answer nil for a process that has gone rather than failing.
public protocol ProcFileSource {
    /// Clock ticks per second, the unit of the CPU times in /proc/[pid]/stat.
    var clockTicksPerSecond: Int64 { get }
    /// Bytes per page, the unit of /proc/[pid]/statm.
    var pageSize: Int64 { get }
    /// The pids /proc lists now (its numeric entries).
    func processIDs() throws(ProcessFiguresError) -> [Int32]
    /// The contents of /proc/[pid]/stat, or nil if the process has exited.
    func stat(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]?
    /// The contents of /proc/[pid]/statm, or nil if the process has exited.
    func statm(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]?
}

/// The live /proc of this machine (Linux only: elsewhere, every read reports
/// `ProcessFiguresError.unsupportedPlatform`).
public struct LinuxProcFileSystem: ProcFileSource, Sendable {
    /// Where procfs is mounted; "/proc" unless a test or a container points elsewhere.
    public var root: String
    public let clockTicksPerSecond: Int64
    public let pageSize: Int64

    public init(root: String = "/proc") {
        self.root = root
        #if os(Linux)
        self.clockTicksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        self.pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        #else
        // Placeholders: no read on this platform gets far enough to use them.
        self.clockTicksPerSecond = 100
        self.pageSize = 4096
        #endif
    }

    public func processIDs() throws(ProcessFiguresError) -> [Int32] {
        #if os(Linux)
        guard let directory = opendir(root) else {
            throw .unreadableProcFile(path: root, errno: errno)
        }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { name -> Int32? in
                let length = name.firstIndex(of: 0) ?? name.count
                return ProcNumber.parse(ArraySlice(name[..<length]), as: Int32.self)
            }
            if let pid { pids.append(pid) }
        }
        return pids
        #else
        throw .unsupportedPlatform(Self.platformName)
        #endif
    }

    public func stat(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]? {
        try contents(of: "\(root)/\(pid)/stat")
    }

    public func statm(of pid: Int32) throws(ProcessFiguresError) -> [UInt8]? {
        try contents(of: "\(root)/\(pid)/statm")
    }

    /// The whole file, or nil if it is gone because its process exited.
    private func contents(of path: String) throws(ProcessFiguresError) -> [UInt8]? {
        #if os(Linux)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            // ENOENT: the /proc/[pid] directory went away with its process.
            if errno == ENOENT || errno == ESRCH { return nil }
            throw .unreadableProcFile(path: path, errno: errno)
        }
        defer { close(descriptor) }
        // A stat line is a few hundred bytes; procfs hands the whole of it to one read.
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                // ESRCH: the process exited between open and read.
                if errno == ESRCH || errno == ENOENT { return nil }
                throw .unreadableProcFile(path: path, errno: errno)
            }
            contents.append(contentsOf: chunk[..<count])
        }
        #else
        throw .unsupportedPlatform(Self.platformName)
        #endif
    }

    #if !os(Linux)
    private static var platformName: String {
        #if os(macOS)
        return "macOS"
        #elseif os(Windows)
        return "Windows"
        #else
        return "this platform"
        #endif
    }
    #endif
}
