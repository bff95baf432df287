import Foundation
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
public struct BatchEvaluation {
    public private(set) var casesEvaluated = 0
    public private(set) var failedLines = 0
    private var lineNumber = 0
    private var output = JSONWriter(reservingCapacity: 1 << 20)
    private let flush: ([UInt8]) -> Void
    private let includeExplanation: Bool

    public init(includeExplanation: Bool = true, flush: @escaping ([UInt8]) -> Void) {
        self.includeExplanation = includeExplanation
        self.flush = flush
    }

    /// Evaluates every complete line in `bytes`; returns how many bytes were consumed (a
    /// trailing partial line is left for the next call).
    public mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool) -> Int {
        var lineStart = 0
        var position = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "\n") {
                evaluateLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<position]))
                lineStart = position + 1
            }
            position += 1
        }
        if final && lineStart < bytes.count {
            evaluateLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<bytes.count]))
            lineStart = bytes.count
        }
        if output.bytes.count > 1 << 19 || final { drain() }
        return lineStart
    }

    private mutating func evaluateLine(_ line: UnsafeBufferPointer<UInt8>) {
        lineNumber += 1
        var end = line.count
        while end > 0, [0x20, 0x09, 0x0D].contains(line[end - 1]) { end -= 1 }
        var start = 0
        while start < end, [0x20, 0x09].contains(line[start]) { start += 1 }
        if start == end { return }  // Blank lines carry no case.
        let trimmed = UnsafeBufferPointer(rebasing: line[start..<end])
        do {
            let reconcileCase = try ReconcileCase(jsonBytes: trimmed)
            HorizontalController.reconcile(reconcileCase).write(to: &output, includeExplanation: includeExplanation)
            casesEvaluated += 1
        } catch {
            output.beginObject()
            output.key("line"); output.value(lineNumber)
            output.key("error"); output.value(error.description)
            output.endObject()
            failedLines += 1
        }
        output.newline()
    }

    private mutating func drain() {
        if !output.bytes.isEmpty {
            flush(output.bytes)
            output = JSONWriter(reservingCapacity: 1 << 20)
        }
    }

    /// Runs a whole batch from a file descriptor to a writer; returns the number of failed lines.
    public static func run(inputDescriptor: Int32, includeExplanation: Bool = true, write: @escaping ([UInt8]) -> Void) -> (evaluated: Int, failed: Int) {
        var batch = BatchEvaluation(includeExplanation: includeExplanation, flush: write)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
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
