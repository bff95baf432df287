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
    /// Blank lines are skipped (they still count for numbering). Lines are decoded on all cores
    /// in contiguous runs, joined in order.
    public static func read(_ bytes: [UInt8]) throws(RecordingError) -> [Observation] {
        var observations: [Observation] = []
        let results = bytes.withUnsafeBufferPointer { buffer in
            let lines = LineRuns.split(buffer, includeUnterminated: true).lines
            observations.reserveCapacity(lines.count)
            return LineRuns.map(buffer, lines: lines, minimumLines: 256) { input, run, first in
                decode(input, lines: run, firstLine: first + 1)
            }
        }
        for result in results {
            switch result {
            case .success(let part): observations.append(contentsOf: part)
            case .failure(let error): throw error  // The earliest run's error is the first line's.
            }
        }
        return observations
    }

    private static func decode(
        _ buffer: UnsafeBufferPointer<UInt8>, lines: ArraySlice<Range<Int>>, firstLine: Int
    ) -> Result<[Observation], RecordingError> {
        var observations: [Observation] = []
        observations.reserveCapacity(lines.count)
        var decoder = ObservationLineDecoder()
        for (offset, range) in lines.enumerated() {
            let text = UnsafeBufferPointer(rebasing: buffer[range])
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                observations.append(try decoder.decode(text))
            } catch let error as CaseError {
                return .failure(RecordingError(line: firstLine + offset, message: error.description))
            } catch {
                return .failure(RecordingError(line: firstLine + offset, message: "malformed JSON at \(error)"))
            }
        }
        return .success(observations)
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
