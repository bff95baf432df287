import Foundation
import Logging
import Synchronization

/// Log lines as the MCP Hangar recipes show them: `WARNING health_check_failed
/// mcp_server=my-mcp consecutive_failures=1`. The message is an event name; what varies goes
/// in metadata, printed as key=value (values quoted when they hold spaces), sorted by key so
/// lines of one event line up.
public struct KeyValueLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let output: KeyValueLogOutput

    public init(label: String, level: Logger.Level, output: KeyValueLogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.levelName(event.level) + " " + event.message.description
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " " + key + "=" + Self.quoted("\(value)")
        }
        output.write(line + "\n")
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .notice: return "NOTICE"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// Where log lines go: standard error, or a buffer a test reads.
public final class KeyValueLogOutput: Sendable {
    private let lines = Mutex<[String]?>(nil)

    public static let standardError = KeyValueLogOutput(capturing: false)

    public init(capturing: Bool) {
        if capturing { lines.withLock { $0 = [] } }
    }

    func write(_ line: String) {
        let captured = lines.withLock { lines -> Bool in
            guard lines != nil else { return false }
            lines!.append(line)
            return true
        }
        if !captured { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The lines written so far (capturing outputs only).
    public var captured: [String] { lines.withLock { $0 ?? [] } }
}
