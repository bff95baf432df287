/// Why process figures (CPU, resident memory) could not be taken.
public enum ProcessFiguresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The process a tree was asked for is not in the process table (it exited, or never was).
    case processNotFound(pid: Int32)
    /// A /proc file does not have the layout the kernel documents (proc(5)).
    case malformedProcFile(path: String, problem: String)
    /// A /proc file or directory could not be read for a reason other than the process exiting.
    case unreadableProcFile(path: String, errno: Int32)
    /// Process figures come from Linux's /proc; this platform has none.
    case unsupportedPlatform(String)

    public var description: String {
        switch self {
        case .processNotFound(let pid): return "process \(pid) is not running"
        case .malformedProcFile(let path, let problem): return "\(path): \(problem)"
        case .unreadableProcFile(let path, let errno): return "\(path): cannot be read (errno \(errno))"
        case .unsupportedPlatform(let platform): return "process figures need Linux's /proc, which \(platform) does not have"
        }
    }
}
