import Foundation
import Scaler

/// What an autoscaler keeps across restarts: the recommendations and scale events its
/// stabilization windows and policies look back on, and the size it last set. Upstream's HPA
/// holds these in memory only, so a restarted controller may scale down at once; Tidepool
/// reads them back.
public struct PersistedAutoscaler: Sendable, Equatable {
    public var desiredReplicas: Int32
    public var lastScaleTime: Timestamp?
    public var history: ScaleHistory

    public init(desiredReplicas: Int32, lastScaleTime: Timestamp?, history: ScaleHistory) {
        self.desiredReplicas = desiredReplicas
        self.lastScaleTime = lastScaleTime
        self.history = history
    }
}

/// `state_dir/<autoscaler>.json` (replaced atomically: written beside, synced, renamed over)
/// and `state_dir/decisions.jsonl` (one line appended per sync that changed something).
public struct AutoscalerStateStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func path(for autoscaler: String) -> String {
        (directory as NSString).appendingPathComponent("\(autoscaler.replacingOccurrences(of: "/", with: "_")).json")
    }

    public var decisionLogPath: String { (directory as NSString).appendingPathComponent("decisions.jsonl") }

    /// The saved state, nil when there is none. A file that cannot be read throws, naming it.
    public func load(_ autoscaler: String) throws(InputError) -> PersistedAutoscaler? {
        let path = path(for: autoscaler)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let document = try DocumentLoader.load(path)
        do throws(CaseError) {
            let fields = try FieldReader(document, allowing: ["version", "autoscaler", "savedAt", "desiredReplicas", "lastScaleTime", "history"])
            let version = try fields.optional("version", Read.int32) ?? 1
            guard version == 1 else { throw CaseError("version \(version) is newer than this tidepool understands (1)", at: ["version"]) }
            return PersistedAutoscaler(
                desiredReplicas: try fields.required("desiredReplicas", Read.nonNegativeInt32),
                lastScaleTime: try fields.optional("lastScaleTime", Read.timestamp),
                history: try fields.optional("history", ScaleHistory.init(jsonValue:)) ?? ScaleHistory())
        } catch {
            throw InputError(source: path, message: error.description)
        }
    }

    public func save(_ state: PersistedAutoscaler, for autoscaler: String, at now: Timestamp) throws {
        var writer = JSONWriter(reservingCapacity: 1024)
        writer.beginObject()
        writer.key("version"); writer.value(Int32(1))
        writer.key("autoscaler"); writer.value(autoscaler)
        writer.key("savedAt"); writer.value(now)
        writer.key("desiredReplicas"); writer.value(state.desiredReplicas)
        writer.key("lastScaleTime")
        if let lastScaleTime = state.lastScaleTime { writer.value(lastScaleTime) } else { writer.valueNull() }
        writer.key("history"); state.history.write(to: &writer)
        writer.endObject()
        try createDirectory()
        try Self.replaceAtomically(path(for: autoscaler), with: writer.bytes + [0x0A])
    }

    /// Appends one JSON line to the decision log.
    public func appendDecision(_ line: [UInt8]) throws {
        try createDirectory()
        let descriptor = open(decisionLogPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StateStoreError(path: decisionLogPath, operation: "open", code: errno) }
        defer { close(descriptor) }
        // One write call: concurrent appenders' lines do not interleave.
        try Self.writeAll(line + [0x0A], to: descriptor, path: decisionLogPath)
    }

    private func createDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`:
    /// a crash leaves the old file or the new one, never half of either.
    static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StateStoreError(path: temporary, operation: "open", code: errno) }
        do {
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else { throw StateStoreError(path: temporary, operation: "fsync", code: errno) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StateStoreError(path: path, operation: "rename", code: code)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StateStoreError(path: path, operation: "write", code: errno)
                }
                offset += written
            }
        }
    }
}

public struct StateStoreError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(code)))" }
}
