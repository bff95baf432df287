import Foundation
import Scaler

/// A recording line that is not an observation: which line, and why.
public struct RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Reads a recording (JSON Lines of observations), line by line, naming the line of any error.
///
/// ```swift
/// for observation in try RecordingReader.read(contentsOf: "day.jsonl") { ... }
/// ```
public enum RecordingReader {
    /// Every observation, in order; the first malformed line stops the read with its number.
    /// Blank lines are skipped (they still count for numbering).
    public static func read(_ bytes: [UInt8]) throws(RecordingError) -> [Observation] {
        var observations: [Observation] = []
        var line = 0
        var start = 0
        var failure: RecordingError?
        bytes.withUnsafeBufferPointer { buffer in
            var position = 0
            while position <= buffer.count, failure == nil {
                if position == buffer.count || buffer[position] == UInt8(ascii: "\n") {
                    line += 1
                    let text = UnsafeBufferPointer(rebasing: buffer[start..<position])
                    if !text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                        do {
                            observations.append(try Observation(jsonValue: try JSONParser.parse(text)))
                        } catch let error as CaseError {
                            failure = RecordingError(line: line, message: error.description)
                        } catch {
                            failure = RecordingError(line: line, message: "malformed JSON at \(error)")
                        }
                    }
                    start = position + 1
                }
                position += 1
            }
        }
        if let failure { throw failure }
        return observations
    }

    public static func read(contentsOf path: String) throws -> [Observation] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordingError(line: 0, message: "\(path): no such file or not readable")
        }
        return try read(Array(data))
    }
}

/// Appends observations to a recording, one JSON line each, flushed per observation so a crash
/// loses at most the line being written.
public final class RecordingWriter {
    private let handle: FileHandle

    /// Opens `path` for appending, creating it if needed.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw RecordingError(line: 0, message: "\(path): cannot be created")
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    public func append(_ observation: Observation) throws {
        var writer = JSONWriter(reservingCapacity: 4096)
        observation.write(to: &writer)
        writer.newline()
        try handle.write(contentsOf: Data(writer.bytes))
    }

    public func close() throws {
        try handle.close()
    }

    /// The whole recording as bytes (for tests and small recordings).
    public static func encode(_ observations: [Observation]) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: observations.count * 2048)
        for observation in observations {
            observation.write(to: &writer)
            writer.newline()
        }
        return writer.bytes
    }
}
