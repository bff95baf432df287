import ArgumentParser
import Foundation
import TidepoolMetrics
import Scaler

struct Scrape: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a Prometheus text or OpenMetrics exposition and print its samples.",
        discussion: """
            SOURCE is an http(s) URL, a file, or - for standard input. A URL is fetched as \
            Prometheus scrapes (its Accept header, gzip, the format from the Content-Type). A file \
            is OpenMetrics when it ends with '# EOF' (or with --openmetrics), else the Prometheus \
            text format. A malformed exposition exits non-zero and names the line and column.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, table
    }

    @Argument(help: "The exposition: an http(s) URL, a file, or - for standard input.")
    var source: String

    @Option(help: "Seconds to wait for a URL.")
    var timeout: Double = 10

    @Option(help: "jsonl: one {name, labels, value, timestamp} object per sample; table: readable lines.")
    var format: Format = .table

    @Flag(help: "Read the input as OpenMetrics whatever it ends with.")
    var openmetrics = false

    func run() async throws {
        var bytes: [UInt8]
        var declaredFormat: ExpositionFormat?
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            let scraper = Scraper(timeout: .milliseconds(Int64(timeout * 1000)))
            do {
                let response = try await scraper.scrape(source)
                bytes = response.body
                declaredFormat = response.format
                try await scraper.shutdown()
            } catch {
                try? await scraper.shutdown()
                printError("\(error)")
                throw ExitCode(1)
            }
        } else if source == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else if let data = FileManager.default.contents(atPath: source) {
            bytes = Array(data)
        } else {
            printError("\(source): no such file or not readable")
            throw ExitCode(1)
        }
        let exposition = openmetrics ? .openMetrics : declaredFormat ?? Exposition.detectFormat(bytes)
        var writer = JSONWriter(reservingCapacity: 1 << 20)
        var table = ""
        let format = self.format
        do {
            try bytes.withUnsafeBufferPointer { buffer in
                try ExpositionParser.parse(buffer, format: exposition) { sample in
                    switch format {
                    case .jsonl:
                        SampleOutput.writeJSONLine(sample, to: &writer)
                        if writer.count > 1 << 20 {
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
