import ArgumentParser
import Foundation
import Metrics
import Scaler

struct Scrape: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a Prometheus text or OpenMetrics exposition and print its samples.",
        discussion: """
            SOURCE is a file or - for standard input. The format is OpenMetrics when the input \
            ends with '# EOF' (or with --openmetrics), else the Prometheus text format. A malformed \
            exposition exits non-zero and names the line and column.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, table
    }

    @Argument(help: "The exposition: a file, or - for standard input.")
    var source: String

    @Option(help: "jsonl: one {name, labels, value, timestamp} object per sample; table: readable lines.")
    var format: Format = .table

    @Flag(help: "Read the input as OpenMetrics whatever it ends with.")
    var openmetrics = false

    func run() throws {
        let bytes: [UInt8]
        if source == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else if let data = FileManager.default.contents(atPath: source) {
            bytes = Array(data)
        } else {
            printError("\(source): no such file or not readable")
            throw ExitCode(1)
        }
        let exposition = openmetrics ? .openMetrics : Exposition.detectFormat(bytes)
        var writer = JSONWriter(reservingCapacity: 1 << 20)
        var table = ""
        let format = self.format
        do {
            try bytes.withUnsafeBufferPointer { buffer in
                try ExpositionParser.parse(buffer, format: exposition) { sample in
                    switch format {
                    case .jsonl:
                        SampleOutput.writeJSONLine(sample, to: &writer)
                        if writer.bytes.count > 1 << 20 {
                            FileHandle.standardOutput.write(Data(writer.bytes))
                            writer = JSONWriter(reservingCapacity: 1 << 20)
                        }
                    case .table:
                        table += SampleOutput.tableLine(sample) + "\n"
                    }
                }
            }
        } catch let error as ExpositionError {
            printError("\(source == "-" ? "<stdin>" : source): \(error)")
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data(format == .jsonl ? writer.bytes : Array(table.utf8)))
    }
}
