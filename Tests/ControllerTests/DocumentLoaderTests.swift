import Controller
import Foundation
import Scaler
import Synchronization
import Testing

@Suite("Document loading")
struct DocumentLoaderTests {
    @Test("YAML plain numbers keep their text, quoted ones stay strings")
    func yamlScalars() throws {
        let yaml = """
            tolerance: 0.1
            quoted: "0.1"
            count: 3
            flag: true
            nothing: null
            list: [1, two]
            """
        let value = try DocumentLoader.parse(Array(yaml.utf8), source: "inline.yaml")
        #expect(value["tolerance"] == .number("0.1"))
        #expect(value["quoted"] == .string("0.1"))
        #expect(value["count"] == .number("3"))
        #expect(value["flag"] == .bool(true))
        #expect(value["nothing"] == .null)
        #expect(value["list"] == .array([.number("1"), .string("two")]))
    }

    @Test("JSON and YAML of the same case decide the same")
    func yamlAndJSONAgree() throws {
        let json = """
            {"now": "2026-11-20T12:00:00Z",
             "hpa": {"maxReplicas": 10, "metrics": [{"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": "5"}}}]},
             "scale": {"specReplicas": 2},
             "metrics": [{"values": ["40"]}]}
            """
        let yaml = """
            now: "2026-11-20T12:00:00Z"
            hpa:
              maxReplicas: 10
              metrics:
                - type: External
                  external:
                    metric: {name: queue}
                    target: {type: AverageValue, averageValue: "5"}
            scale: {specReplicas: 2}
            metrics:
              - values: ["40"]
            """
        let fromJSON = try ReconcileCase(jsonValue: DocumentLoader.parse(Array(json.utf8), source: "case.json"))
        let fromYAML = try ReconcileCase(jsonValue: DocumentLoader.parse(Array(yaml.utf8), source: "case.yaml"))
        let jsonDecision = HorizontalController.reconcile(fromJSON)
        let yamlDecision = HorizontalController.reconcile(fromYAML)
        // 40 queued over a per-pod target of 5 wants 8; the legacy path caps at max(2*2, 4) = 4.
        #expect(jsonDecision.recommendation == 8)
        #expect(jsonDecision.desiredReplicas == 4)
        #expect(jsonDecision.jsonString() == yamlDecision.jsonString())
    }

    @Test("malformed documents name the source and the place")
    func malformedDocuments() {
        #expect {
            _ = try DocumentLoader.parse(Array("{\"now\": }".utf8), source: "bad.json")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("bad.json: malformed JSON at line 1, column 9")
        }
        #expect {
            _ = try DocumentLoader.parse(Array("a: [1, 2\nb: {".utf8), source: "bad.yaml")
        } throws: { error in
            "\(error)".hasPrefix("bad.yaml: malformed YAML")
        }
        #expect {
            _ = try DocumentLoader.load("/nonexistent/case.json")
        } throws: { error in
            "\(error)" == "/nonexistent/case.json: no such file"
        }
    }

    /// Nine levels of anchors, each a list of nine aliases of the one before: a few hundred
    /// bytes that expand to 9^9 nodes, as values (`a1: &a1 [*a0, ...]`) or as keys (`? &a1 [...]`).
    static func aliasBomb(levels: Int, asKeys: Bool) -> String {
        (0..<levels).map { level in
            let items = level == 0 ? Array(repeating: "x", count: 9) : Array(repeating: "*a\(level - 1)", count: 9)
            let list = "&a\(level) [\(items.joined(separator: ", "))]"
            return asKeys ? "? \(list)\n: \(level)" : "a\(level): \(list)"
        }.joined(separator: "\n")
    }

    @Test("YAML aliases that multiply past a budget are refused, not expanded (found with fuzz-config)",
          arguments: [false, true])
    func aliasBomb(asKeys: Bool) throws {
        // Converting 9^9 nodes hung (a timeout in fuzz-config); now the loader stops counting at
        // 100 000 nodes, at once.
        let clock = ContinuousClock()
        let start = clock.now
        #expect {
            _ = try DocumentLoader.parse(Array(Self.aliasBomb(levels: 9, asKeys: asKeys).utf8), source: "laughs.yaml")
        } throws: { error in
            "\(error)" == "laughs.yaml: malformed YAML: its aliases expand to more than 100000 nodes"
        }
        #expect(clock.now - start < .seconds(30), "9^9 nodes expanded would take minutes")
        // Aliases as templates, reused a few levels deep, load as before.
        let modest = try DocumentLoader.parse(Array(Self.aliasBomb(levels: 3, asKeys: false).utf8), source: "modest.yaml")
        guard case .array(let items)? = modest["a2"], case .array(let inner)? = items.first else {
            Issue.record("a2 is not a list of lists: \(modest)")
            return
        }
        #expect(items.count == 9 && inner.count == 9)
    }

    @Test("a batch keeps going past a malformed line and numbers it")
    func batchErrorsAreLines() throws {
        let good = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
            .split(separator: "\n").joined()
        let bad = good.replacingOccurrences(of: "\"460m\"", with: "\"460x\"")
        let input = Array((good + "\n" + bad + "\n\n" + good).utf8)
        var output: [UInt8] = []
        var batch = BatchEvaluation { output.append(contentsOf: $0) }
        let consumed = input.withUnsafeBufferPointer { batch.consume($0, final: true) }
        #expect(consumed == input.count)
        #expect(batch.casesEvaluated == 2)
        #expect(batch.failedLines == 1)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        let failure = try JSONParser.parse(String(lines[1]))
        #expect(failure["line"] == .number("2"))
        #expect(failure["error"] == .string("metrics[0].podValues.mcp-server-langgraph-0.value: \"460x\" is not a quantity"))
        #expect(try JSONParser.parse(String(lines[2]))["desiredReplicas"] == .number("7"))
    }

    @Test("a batch split across reads evaluates each line once")
    func batchAcrossReads() throws {
        let good = try String(contentsOfFile: Self.examplePath, encoding: .utf8).split(separator: "\n").joined()
        let input = Array((good + "\n" + good + "\n").utf8)
        var output: [UInt8] = []
        var batch = BatchEvaluation { output.append(contentsOf: $0) }
        let split = input.count / 2 + 17
        var consumed = input.withUnsafeBufferPointer { batch.consume(UnsafeBufferPointer(rebasing: $0[0..<split]), final: false) }
        #expect(consumed < split)
        let rest = Array(input[consumed...])
        consumed = rest.withUnsafeBufferPointer { batch.consume($0, final: true) }
        #expect(consumed == rest.count)
        #expect(batch.casesEvaluated == 2)
        #expect(String(decoding: output, as: UTF8.self).split(separator: "\n").count == 2)
    }

    /// Collects what a batch run writes, from its writer thread.
    final class Collected: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func append(_ more: [UInt8]) { bytes.withLock { $0.append(contentsOf: more) } }
        var lines: [Substring] { bytes.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    /// 2,000 copies of the example case with a 6 MB malformed line as line 701: about 10 MB,
    /// so lines straddle the 4 MB reads, and one line is longer than a read.
    static func largeBatch() throws -> (text: [UInt8], goodOutput: Substring) {
        let good = try String(contentsOfFile: Self.examplePath, encoding: .utf8).split(separator: "\n").joined()
        var lines = Array(repeating: good, count: 2_000)
        lines.insert("{\"now\": \"" + String(repeating: "x", count: 6 << 20) + "\"}", at: 700)
        var output: [UInt8] = []
        var single = BatchEvaluation { output.append(contentsOf: $0) }
        var goodLine = Array((good + "\n").utf8)
        _ = goodLine.withUnsafeMutableBufferPointer { single.consume(UnsafeBufferPointer($0), final: true) }
        return (Array((lines.joined(separator: "\n") + "\n").utf8), String(decoding: output, as: UTF8.self).split(separator: "\n")[0])
    }

    static func expectLargeBatchOutput(_ collected: Collected, _ result: (evaluated: Int, failed: Int, readError: String?), goodOutput: Substring) {
        #expect(result.evaluated == 2_000 && result.failed == 1 && result.readError == nil)
        let lines = collected.lines
        #expect(lines.count == 2_001)
        guard lines.count == 2_001 else { return }
        #expect(lines[700].hasPrefix("{\"line\":701,\"error\":"), "\(lines[700].prefix(100))")
        #expect(lines.enumerated().allSatisfy { $0.offset == 700 || $0.element == goodOutput })
    }

    @Test("a batch file read in 4 MB reads: lines straddling reads, and one longer than a read")
    func batchFileInReads() throws {
        let (text, goodOutput) = try Self.largeBatch()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-batch-\(UUID().uuidString).jsonl").path
        try Data(text).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let collected = Collected()
        let result = BatchEvaluation.run(inputDescriptor: descriptor) { collected.append($0) }
        Self.expectLargeBatchOutput(collected, result, goodOutput: goodOutput)
    }

    @Test("a batch from a pipe written in small pieces answers the same")
    func batchFromPipe() throws {
        let (text, goodOutput) = try Self.largeBatch()
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let pieces = stride(from: 0, to: text.count, by: 10_000).map { Data(text[$0..<min($0 + 10_000, text.count)]) }
        Thread.detachNewThread {
            for piece in pieces { try? writer.write(contentsOf: piece) }
            try? writer.close()
        }
        let collected = Collected()
        let result = BatchEvaluation.run(inputDescriptor: pipe.fileHandleForReading.fileDescriptor) { collected.append($0) }
        Self.expectLargeBatchOutput(collected, result, goodOutput: goodOutput)
    }

    @Test("a stream's outcomes are written before its next line arrives")
    func batchStreamAnswersEachLine() throws {
        let good = try String(contentsOfFile: Self.examplePath, encoding: .utf8).split(separator: "\n").joined()
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let collected = Collected()
        let finished = DispatchSemaphore(value: 0)
        let reader = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread {
            _ = BatchEvaluation.run(inputDescriptor: reader) { collected.append($0) }
            finished.signal()
        }
        try writer.write(contentsOf: Data((good + "\n").utf8))
        // The first outcome arrives while the stream stays open (bounded wait: 30 s).
        var waited = 0
        while collected.lines.isEmpty && waited < 3_000 {
            Thread.sleep(forTimeInterval: 0.01)
            waited += 1
        }
        #expect(collected.lines.count == 1, "no outcome before the next line")
        try writer.write(contentsOf: Data((good + "\n").utf8))
        try writer.close()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(collected.lines.count == 2)
    }

    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/cases/mcp-burst.json").path
    }
}
