import Foundation

/// Lines of a JSON Lines buffer processed in contiguous runs on all cores, results in input
/// order. Shared by `tidepool evaluate --batch` and the recording reader: both handle lines
/// that are independent of each other.
public enum LineRuns {
    /// The ranges of the lines in `bytes`, newlines excluded. A trailing line without a newline
    /// is included only when `includeUnterminated` is set; `consumed` is where the next read
    /// should resume.
    public static func split(_ bytes: UnsafeBufferPointer<UInt8>, includeUnterminated: Bool) -> (lines: [Range<Int>], consumed: Int) {
        var lines: [Range<Int>] = []
        var start = 0
        // memchr: the split runs on one core while the runs wait, so it should be quick.
        if let base = bytes.baseAddress {
            while start < bytes.count, let hit = memchr(base + start, 0x0A, bytes.count - start) {
                let position = base.distance(to: UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)))
                lines.append(start..<position)
                start = position + 1
            }
        }
        if includeUnterminated && start < bytes.count {
            lines.append(start..<bytes.count)
            start = bytes.count
        }
        return (lines, start)
    }

    /// Calls `body` once per run of consecutive lines (up to `maximumRuns`, one per core by
    /// default, when there are at least `minimumLines`; else one run) and returns the results
    /// in input order. `body` gets the buffer, its run of lines, and the 0-based index of the
    /// run's first line. `alongside`, if given, runs once on one of the same threads while the
    /// runs go on (a reader fetching the next lines).
    public static func map<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, lines: [Range<Int>], minimumLines: Int,
        maximumRuns: Int = ProcessInfo.processInfo.activeProcessorCount,
        alongside: (@Sendable () -> Void)? = nil,
        _ body: @escaping @Sendable (UnsafeBufferPointer<UInt8>, ArraySlice<Range<Int>>, Int) -> Result
    ) -> [Result] {
        let runs = lines.count >= minimumLines ? max(1, min(maximumRuns, 64)) : 1
        let perRun = (lines.count + runs - 1) / runs
        var results = [Result?](repeating: nil, count: runs)
        results.withUnsafeMutableBufferPointer { slots in
            let shared = Shared(input: bytes, slots: slots)
            // The side job is iteration 0, so it starts first.
            let sideJobs = alongside == nil ? 0 : 1
            DispatchQueue.concurrentPerform(iterations: runs + sideJobs) { iteration in
                guard iteration >= sideJobs else { return alongside!() }
                let run = iteration - sideJobs
                let range = min(run * perRun, lines.count)..<min((run + 1) * perRun, lines.count)
                shared.slots[run] = body(shared.input, lines[range], range.lowerBound)
            }
        }
        return results.map { $0! }
    }

    /// The buffers the concurrent runs share. Invariant: `input` is only read, and run n writes
    /// `slots[n]` alone; both outlive the runs (`concurrentPerform` returns when all are done).
    private struct Shared<Result>: @unchecked Sendable {
        let input: UnsafeBufferPointer<UInt8>
        let slots: UnsafeMutableBufferPointer<Result?>
    }
}
