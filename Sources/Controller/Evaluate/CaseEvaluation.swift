import Foundation
import Scaler
import Synchronization
import TidepoolMetrics

/// `tidepool evaluate`: one case from a file, or one per line in a batch.
public enum CaseEvaluation {
    /// Loads and evaluates one case. A malformed case throws an error naming the file and field.
    public static func evaluate(path: String) throws(InputError) -> Decision {
        let source = path == "-" ? "<stdin>" : path
        let document = try DocumentLoader.load(path)
        do {
            return HorizontalController.reconcile(try ReconcileCase(jsonValue: document))
        } catch {
            throw InputError(source: source, message: error.description)
        }
    }

    /// A person's summary of a decision: the result, the explanation and the conditions.
    public static func text(_ decision: Decision) -> String {
        var lines: [String] = []
        let verb = decision.rescale ? "scale to" : "stay at"
        lines.append("desired replicas: \(decision.desiredReplicas) (\(verb) \(decision.desiredReplicas) from \(decision.currentReplicas))")
        if !decision.reason.isEmpty { lines.append("reason: \(decision.reason)") }
        lines.append("")
        for line in decision.explanation { lines.append("  " + line) }
        lines.append("")
        for condition in decision.conditions {
            lines.append("  \(condition.type.rawValue)=\(condition.statusText) \(condition.reason): \(condition.message)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Evaluates a JSON Lines stream: one outcome line per case line, in order. A malformed line
/// yields `{"line": N, "error": "..."}` and the batch goes on.
///
/// Cases are independent, so the complete lines of each read are split into contiguous runs
/// evaluated on all cores; their outputs are joined in input order.
public struct BatchEvaluation {
    public private(set) var casesEvaluated = 0
    public private(set) var failedLines = 0
    /// Lines seen so far (blank ones included), for error line numbers.
    private var lineNumber = 0
    private var output: [UInt8] = []
    private let flush: ([UInt8]) -> Void
    private let includeExplanation: Bool
    private let workers: Int
    /// Line decoders kept between runs: each remembers the hpa and pods it read last, so a run
    /// that goes on where another ended does not decode them again.
    private let decoders = DecoderPool()

    public init(includeExplanation: Bool = true, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                flush: @escaping ([UInt8]) -> Void) {
        self.includeExplanation = includeExplanation
        self.workers = max(1, min(workers, 16))
        self.flush = flush
    }

    /// Evaluates every complete line in `bytes`; returns how many bytes were consumed (a
    /// trailing partial line is left for the next call). `alongside` runs on one of the
    /// evaluating threads meanwhile (the next read).
    public mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool, alongside: (@Sendable () -> Void)? = nil) -> Int {
        let (lines, consumed) = LineRuns.split(bytes, includeUnterminated: final)
        let firstLine = lineNumber
        let includeExplanation = self.includeExplanation
        let decoders = self.decoders
        // Few lines are not worth a thread hop. Eight runs per core keep the cores busy to the
        // end of the lines; the decoders carry what they remember from run to run.
        let results = LineRuns.map(bytes, lines: lines, minimumLines: 64, maximumRuns: workers * 8, alongside: alongside) {
            input, run, first in
            var decoder = decoders.take()
            let result = Self.evaluate(input, lines: run, firstLineNumber: firstLine + first + 1,
                                       includeExplanation: includeExplanation, decoder: &decoder)
            decoders.give(decoder)
            return result
        }
        for run in results {
            if output.isEmpty && run.output.count >= 1 << 16 {
                // Large enough to write as it is, without copying it into `output`.
                flush(run.output)
            } else {
                output.append(contentsOf: run.output)
                if output.count > 1 << 19 { writePending() }
            }
            casesEvaluated += run.evaluated
            failedLines += run.failed
        }
        lineNumber += lines.count
        if final { writePending() }
        return consumed
    }

    /// What one run of lines produced.
    struct Run {
        var output: [UInt8] = []
        var evaluated = 0
        var failed = 0
    }

    private static func evaluate(
        _ bytes: UnsafeBufferPointer<UInt8>, lines: ArraySlice<Range<Int>>, firstLineNumber: Int, includeExplanation: Bool,
        decoder: inout ReconcileCaseLineDecoder
    ) -> Run {
        var run = Run()
        var writer = JSONWriter(reservingCapacity: lines.count * 3072)
        for (offset, range) in lines.enumerated() {
            var start = range.lowerBound
            var end = range.upperBound
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            if start == end { continue }  // Blank lines carry no case.
            do {
                let reconcileCase = try decoder.decode(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                HorizontalController.reconcile(reconcileCase).write(to: &writer, includeExplanation: includeExplanation)
                run.evaluated += 1
            } catch {
                writer.beginObject()
                writer.key("line"); writer.value(firstLineNumber + offset)
                writer.key("error"); writer.value(error.description)
                writer.endObject()
                run.failed += 1
            }
            writer.newline()
        }
        run.output = writer.takeBytes()
        return run
    }

    /// Hands what is held back to `flush` now (at the end, when enough has piled up, and
    /// before waiting for more input).
    public mutating func writePending() {
        if !output.isEmpty {
            flush(output)
            output.removeAll(keepingCapacity: true)
        }
    }

    /// Runs a whole batch from a file descriptor to a writer; returns how many lines were
    /// evaluated and how many failed, and the error that ended the input early, if one did
    /// (the lines read before it are evaluated).
    ///
    /// The next read runs alongside the evaluation of the lines already read, into a second
    /// buffer; the partial line a read leaves at its end is carried to the front of the next.
    /// `write` runs on a thread of its own, in order, while the next lines are evaluated; at
    /// most eight outputs (of at most a few megabytes together) wait for it, so memory stays
    /// bounded when the output is slow.
    public static func run(
        inputDescriptor: Int32, includeExplanation: Bool = true, write: @escaping @Sendable ([UInt8]) -> Void
    ) -> (evaluated: Int, failed: Int, readError: String?) {
        let output = DispatchQueue(label: "tidepool.batch.output")
        let waiting = DispatchSemaphore(value: 8)
        defer { output.sync {} }
        var batch = BatchEvaluation(includeExplanation: includeExplanation) { bytes in
            waiting.wait()
            output.async {
                write(bytes)
                waiting.signal()
            }
        }
        // A file's next read runs alongside; a pipe's waits until the outcomes of the lines
        // already read are out, so a stream's outcomes are not held back by its next line.
        var status = stat()
        let readAhead = fstat(inputDescriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        var current = ReadBuffer()
        var spare = ReadBuffer()
        current.fill(from: inputDescriptor)
        while true {
            let final = current.reachedEnd
            var nextRead: (@Sendable () -> Void)?
            if readAhead && !final {
                let next = spare
                nextRead = { next.fill(from: inputDescriptor) }
            }
            let consumed = current.unconsumed { bytes in batch.consume(bytes, final: final, alongside: nextRead) }
            if final { break }
            if !readAhead {
                batch.writePending()
                spare.fill(from: inputDescriptor)
            }
            current.start += consumed
            spare.takeLeftover(of: current)
            swap(&current, &spare)
        }
        let readError = current.readError.map { String(cString: strerror($0)) }
        return (batch.casesEvaluated, batch.failedLines, readError)
    }
}

/// The line decoders of a batch's runs, each taken by one run at a time.
private final class DecoderPool: Sendable {
    private let idle = Mutex<[ReconcileCaseLineDecoder]>([])

    func take() -> ReconcileCaseLineDecoder {
        idle.withLock { $0.popLast() } ?? ReconcileCaseLineDecoder()
    }

    func give(_ decoder: ReconcileCaseLineDecoder) {
        idle.withLock { $0.append(decoder) }
    }
}

/// One of the batch's two read buffers: `start..<end` is input not yet evaluated. A read
/// lands at `room`, leaving the space before it for the partial line the previous buffer
/// ends with.
///
/// `@unchecked Sendable`: a read into this buffer runs on another thread only while the
/// thread that owns it waits for the evaluation it runs alongside.
private final class ReadBuffer: @unchecked Sendable {
    static let room = 1 << 20
    static let chunk = 1 << 22

    private var storage: UnsafeMutableRawBufferPointer
    var start = ReadBuffer.room
    var end = ReadBuffer.room
    /// The last read found the end of the input (or failed).
    private(set) var reachedEnd = false
    /// Why the last read failed (an errno), if it did.
    private(set) var readError: Int32?

    init() {
        storage = .allocate(byteCount: Self.room + Self.chunk, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Reads at `room` what the input has, up to a chunk: waits for the first bytes, then takes
    /// more only while more are ready at once (a pipe hands over 64 KB a read; its lines are
    /// worth gathering for the cores, but not worth waiting for).
    func fill(from descriptor: Int32) {
        start = Self.room
        end = Self.room
        reachedEnd = false
        while end < Self.room + Self.chunk {
            let count = read(descriptor, storage.baseAddress! + end, Self.room + Self.chunk - end)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count < 0 { readError = errno }
                reachedEnd = true
                return
            }
            end += count
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 0) > 0 else { return }
        }
    }

    /// Puts `previous`'s unconsumed bytes (a partial line) in front of this buffer's data.
    func takeLeftover(of previous: ReadBuffer) {
        let leftover = previous.end - previous.start
        guard leftover > 0 else { return }
        if leftover > start {
            // A line longer than the room: a larger buffer holds it and this read's data.
            let data = end - start
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.room + leftover + data + Self.chunk, alignment: 16)
            (larger.baseAddress! + Self.room + leftover).copyMemory(from: storage.baseAddress! + start, byteCount: data)
            storage.deallocate()
            storage = larger
            start = Self.room + leftover
            end = start + data
        }
        start -= leftover
        (storage.baseAddress! + start).copyMemory(from: previous.storage.baseAddress! + previous.start, byteCount: leftover)
    }

    func unconsumed<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        body(UnsafeBufferPointer(start: (storage.baseAddress! + start).assumingMemoryBound(to: UInt8.self), count: end - start))
    }
}
