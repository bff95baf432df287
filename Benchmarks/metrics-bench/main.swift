// Measures the exposition parser on purpose (run through scripts/bench-metrics).
//
//   metrics-bench FILE [rounds]   parses FILE (text format, or OpenMetrics if it ends in # EOF)
//                                 and prints MiB/s, best of the rounds, streaming every sample.
import Foundation
import TidepoolMetrics

let arguments = CommandLine.arguments
guard arguments.count > 1, let data = FileManager.default.contents(atPath: arguments[1]) else {
    print("usage: metrics-bench FILE [rounds]")
    exit(2)
}
let bytes = Array(data)
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let format = Exposition.detectFormat(bytes)
var best = Double.infinity
var samples = 0
var checksum = 0.0
for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    samples = 0
    try bytes.withUnsafeBufferPointer { buffer in
        try ExpositionParser.parse(buffer, format: format) { sample in
            samples += 1
            if sample.value.isFinite { checksum += sample.value }
        }
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let mebibytes = Double(bytes.count) / 1_048_576
print("tidepool_mib_per_second=\(Int(mebibytes / best)) samples=\(samples) bytes=\(bytes.count) seconds=\(best) checksum=\(checksum)")
