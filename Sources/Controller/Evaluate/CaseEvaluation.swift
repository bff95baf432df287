import Foundation
import TidepoolMetrics
import Scaler

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

    public init(includeExplanation: Bool = true, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                flush: @escaping ([UInt8]) -> Void) {
        self.includeExplanation = includeExplanation
        self.workers = max(1, min(workers, 16))
        self.flush = flush
    }

    /// Evaluates every complete line in `bytes`; returns how many bytes were consumed (a
    /// trailing partial line is left for the next call).
    public mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool) -> Int {
        let (lines, consumed) = LineRuns.split(bytes, includeUnterminated: final)
        let firstLine = lineNumber
        let includeExplanation = self.includeExplanation
        // Few lines are not worth a thread hop.
        let results = LineRuns.map(bytes, lines: lines, minimumLines: 64, maximumRuns: workers * 4) { input, run, first in
            Self.evaluate(input, lines: run, firstLineNumber: firstLine + first + 1, includeExplanation: includeExplanation)
        }
        for run in results {
            if output.isEmpty && run.output.count >= 1 << 16 {
                // Large enough to write as it is, without copying it into `output`.
                flush(run.output)
            } else {
                output.append(contentsOf: run.output)
                if output.count > 1 << 19 { drain() }
            }
            casesEvaluated += run.evaluated
            failedLines += run.failed
        }
        lineNumber += lines.count
        if final { drain() }
        return consumed
    }

    /// What one run of lines produced.
    struct Run {
        var output: [UInt8] = []
        var evaluated = 0
        var failed = 0
    }

    private static func evaluate(
        _ bytes: UnsafeBufferPointer<UInt8>, lines: ArraySlice<Range<Int>>, firstLineNumber: Int, includeExplanation: Bool
    ) -> Run {
        var run = Run()
        var writer = JSONWriter(reservingCapacity: lines.count * 3072)
        var decoder = ReconcileCaseLineDecoder()
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

    private mutating func drain() {
        if !output.isEmpty {
            flush(output)
            output.removeAll(keepingCapacity: true)
        }
    }

    /// Runs a whole batch from a file descriptor to a writer; returns the number of failed lines.
    ///
    /// `write` runs on a thread of its own, in order, while the next lines are evaluated; at
    /// most eight outputs (of at most a few megabytes together) wait for it, so memory stays
    /// bounded when the output is slow.
    public static func run(
        inputDescriptor: Int32, includeExplanation: Bool = true, write: @escaping @Sendable ([UInt8]) -> Void
    ) -> (evaluated: Int, failed: Int) {
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
        var buffer = [UInt8](repeating: 0, count: 1 << 22)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(inputDescriptor, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            let final = count == 0
            filled += count
            let consumed = buffer.withUnsafeBufferPointer { pointer in
                batch.consume(UnsafeBufferPointer(rebasing: pointer[0..<filled]), final: final)
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { pointer in
                    _ = memmove(pointer.baseAddress!, pointer.baseAddress! + consumed, filled - consumed)
                }
                filled -= consumed
            }
            if final { break }
        }
        return (batch.casesEvaluated, batch.failedLines)
    }
}
