import Foundation
import Scaler
import Testing

/// `tidepool evaluate` end to end: the built binary, run as a process with real pipes.
@Suite("tidepool evaluate (the binary)")
struct EvaluateCommandTests {
    // MARK: Running the binary

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        var summary: String { "exit \(status)\nstdout: \(stdout.prefix(2_000))\nstderr: \(stderr.prefix(2_000))" }
    }

    /// The package root: the first directory above this file that holds Package.swift.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    static let binary = packageRoot.appendingPathComponent(".build/debug/tidepool")
    static let example = "Examples/cases/mcp-burst.json"

    /// Runs `tidepool arguments` from the package root, feeding `stdin`, killing it after
    /// `timeout` seconds. Records an issue and returns nil when the binary is missing or hangs.
    func tidepool(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 60,
                              sourceLocation: SourceLocation = #_sourceLocation) -> Run? {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            Issue.record("\(Self.binary.path) is missing: run swift build first", sourceLocation: sourceLocation)
            return nil
        }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.packageRoot
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            Issue.record("cannot start \(Self.binary.path): \(error)", sourceLocation: sourceLocation)
            return nil
        }
        // Drain both pipes while the process runs, so a large output cannot block it.
        let collected = Collected()
        let group = DispatchGroup()
        for (index, pipe) in [output, errors].enumerated() {
            let handle = pipe.fileHandleForReading
            group.enter()
            DispatchQueue.global().async {
                collected.set(index, handle.readDataToEndOfFile())
                group.leave()
            }
        }
        let writer = input.fileHandleForWriting
        let stdinData = Data((stdin ?? "").utf8)
        DispatchQueue.global().async {
            if !stdinData.isEmpty { try? writer.write(contentsOf: stdinData) }
            try? writer.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("tidepool \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s", sourceLocation: sourceLocation)
            return nil
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 10)
        let run = Run(status: process.terminationStatus, stdout: collected.text(0), stderr: collected.text(1))
        if run.stderr.contains("Can't read a value from a parsable argument definition") {
            Issue.record("""
                the binary crashed inside ArgumentParser: its objects are stale against the Scaler/Controller modules \
                (an incremental-build problem; rm -rf .build/*/debug/tidepool.build and rebuild)
                """, sourceLocation: sourceLocation)
        }
        return run
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data: [Data] = [Data(), Data()]

        func set(_ index: Int, _ value: Data) {
            lock.lock()
            data[index] = value
            lock.unlock()
        }

        func text(_ index: Int) -> String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data[index], as: UTF8.self)
        }
    }

    // MARK: Documents

    static func exampleCase() throws -> JSONValue {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(example), encoding: .utf8)
        return try JSONParser.parse(text)
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func write(_ text: String, to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The example with one pod's http_requests_per_second sample made unreadable.
    static func malformedExample() throws -> JSONValue {
        try exampleCase().replacing(["metrics", 2, "podValues", "mcp-server-langgraph-1", "value"], with: .string("12x"))
    }

    static let malformedField = #"metrics[2].podValues.mcp-server-langgraph-1.value: "12x" is not a quantity"#

    func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
        do {
            return try JSONParser.parse(text)
        } catch {
            Issue.record("not one JSON document (\(error)): \(text.prefix(500))", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: One case

    @Test("the example exits 0 with desiredReplicas 7")
    func example() throws {
        guard let run = tidepool(["evaluate", Self.example]) else { return }
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stderr.isEmpty, "\(run.summary)")
        guard let outcome = parse(run.stdout) else { return }
        #expect(outcome["desiredReplicas"] == .number("7"))
        #expect(outcome["currentReplicas"] == .number("4"))
        #expect(outcome["recommendation"] == .number("8"))
        #expect(outcome["rescale"] == .bool(true))
        #expect(outcome["reason"] == .string("pods metric http_requests_per_second above target"))
        guard case .array(let conditions)? = outcome["conditions"] else {
            Issue.record("no conditions: \(run.stdout)")
            return
        }
        #expect(conditions.compactMap { $0["type"] } == [.string("AbleToScale"), .string("ScalingActive"), .string("ScalingLimited")])
        #expect(conditions.last?["reason"] == .string("ScaleUpLimit"))

        // The same as the library computes.
        let decision = HorizontalController.reconcile(try ReconcileCase(jsonValue: try Self.exampleCase()))
        #expect(outcome == (try JSONParser.parse(decision.jsonString())))
    }

    @Test("--format text prints the decision and its explanation")
    func text() throws {
        guard let run = tidepool(["evaluate", Self.example, "--format", "text"]) else { return }
        #expect(run.status == 0, "\(run.summary)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "desired replicas: 7 (scale to 7 from 4)")
        #expect(lines.contains("reason: pods metric http_requests_per_second above target"))
        let decision = HorizontalController.reconcile(try ReconcileCase(jsonValue: try Self.exampleCase()))
        #expect(decision.explanation.count >= 4)
        for line in decision.explanation {
            #expect(lines.contains("  " + line), "missing explanation line \(line.debugDescription)\n\(run.stdout)")
        }
        #expect(run.stdout.contains("The scale-up policies"), "\(run.stdout)")
        #expect(!run.stdout.hasPrefix("{"), "text output is not JSON")
    }

    @Test("a YAML case gives the same decision as its JSON")
    func yaml() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let yamlPath = try Self.write(YAML.render(try Self.exampleCase()), to: "mcp-burst.yaml", in: directory)
        guard let fromJSON = tidepool(["evaluate", Self.example]), let fromYAML = tidepool(["evaluate", yamlPath]) else { return }
        #expect(fromYAML.status == 0, "\(fromYAML.summary)")
        #expect(fromYAML.stdout == fromJSON.stdout)
        #expect(parse(fromYAML.stdout)?["desiredReplicas"] == .number("7"))

        // Hand-written YAML with plain scalars: numbers, quantities and timestamps unquoted.
        let handYAML = """
            # one pod at 10x its qps target
            now: 2026-11-20T12:00:00Z
            hpa:
              apiVersion: autoscaling/v2
              kind: HorizontalPodAutoscaler
              metadata: {name: web, namespace: default}
              spec:
                minReplicas: 1
                maxReplicas: 20
                metrics:
                  - type: Pods
                    pods:
                      metric: {name: qps}
                      target: {type: AverageValue, averageValue: 0.5}
                behavior: {}
            scale: {specReplicas: 1}
            pods:
              - name: web-0
                ready: true
                startTime: 2026-11-20T11:00:00Z
            metrics:
              - podValues:
                  web-0: {value: 5, timestamp: 2026-11-20T11:59:50Z, window: 30s}
            history:
              recommendations: []
            """
        let handJSON = """
            {"now": "2026-11-20T12:00:00Z",
             "hpa": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "default"},
                     "spec": {"minReplicas": 1, "maxReplicas": 20,
                              "metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "500m"}}}],
                              "behavior": {}}},
             "scale": {"specReplicas": 1},
             "pods": [{"name": "web-0", "ready": true, "startTime": "2026-11-20T11:00:00Z"}],
             "metrics": [{"podValues": {"web-0": {"value": "5", "timestamp": "2026-11-20T11:59:50Z", "window": "30s"}}}],
             "history": {"recommendations": []}}
            """
        let handYAMLPath = try Self.write(handYAML, to: "hand.yml", in: directory)
        let handJSONPath = try Self.write(handJSON, to: "hand.json", in: directory)
        guard let yamlRun = tidepool(["evaluate", handYAMLPath]), let jsonRun = tidepool(["evaluate", handJSONPath]) else { return }
        #expect(yamlRun.status == 0, "\(yamlRun.summary)")
        #expect(jsonRun.status == 0, "\(jsonRun.summary)")
        #expect(yamlRun.stdout == jsonRun.stdout)
        // 10x wants 10; the behavior defaults allow max(1 + 4, 2 * 1) = 5 now.
        #expect(parse(yamlRun.stdout)?["desiredReplicas"] == .number("5"))

        // YAML on standard input too.
        guard let stdinRun = tidepool(["evaluate", "-"], stdin: handYAML) else { return }
        #expect(stdinRun.status == 0, "\(stdinRun.summary)")
        #expect(stdinRun.stdout == jsonRun.stdout)
    }

    @Test("a JSON case on standard input")
    func jsonOnStdin() throws {
        let text = try String(contentsOf: Self.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        guard let run = tidepool(["evaluate", "-"], stdin: text), let file = tidepool(["evaluate", Self.example]) else { return }
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdout == file.stdout)
        guard let bad = tidepool(["evaluate", "-"], stdin: try Self.malformedExample().compact()) else { return }
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("<stdin>: \(Self.malformedField)"), "\(bad.summary)")
    }

    // MARK: Errors

    @Test("a malformed case exits non-zero; standard error names the file and the field")
    func malformedCase() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.write(try Self.malformedExample().prettyPrinted(), to: "bad.json", in: directory)
        guard let run = tidepool(["evaluate", path]) else { return }
        #expect(run.status == 1, "\(run.summary)")
        #expect(run.stdout.isEmpty, "\(run.summary)")
        #expect(run.stderr == "tidepool: \(path): \(Self.malformedField)\n")

        // Broken JSON: the line and column.
        let broken = try Self.write("{\n  \"now\": \"2026-11-20T12:00:00Z\",\n  \"hpa\" {}\n}\n", to: "broken.json", in: directory)
        guard let syntax = tidepool(["evaluate", broken]) else { return }
        #expect(syntax.status != 0)
        #expect(syntax.stderr.contains("\(broken): malformed JSON at line 3, column 9"), "\(syntax.summary)")

        // Broken YAML names the file.
        let brokenYAML = try Self.write("now: [unclosed\nhpa: {\n", to: "broken.yaml", in: directory)
        guard let yaml = tidepool(["evaluate", brokenYAML]) else { return }
        #expect(yaml.status != 0)
        #expect(yaml.stderr.contains("\(brokenYAML): malformed YAML"), "\(yaml.summary)")

        // A YAML case with a missing field names the field.
        let missing = try Self.write("now: 2026-11-20T12:00:00Z\nscale: {specReplicas: 1}\n", to: "missing.yaml", in: directory)
        guard let field = tidepool(["evaluate", missing]) else { return }
        #expect(field.status != 0)
        #expect(field.stderr == "tidepool: \(missing): hpa: is required\n", "\(field.summary)")
    }

    @Test("a missing file exits non-zero and names it")
    func missingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/case.json"
        guard let run = tidepool(["evaluate", path]) else { return }
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(path), "\(run.summary)")
        #expect(run.stderr.contains("no such file"), "\(run.summary)")

        guard let batch = tidepool(["evaluate", "--batch", path]) else { return }
        #expect(batch.status != 0)
        #expect(batch.stderr.contains(path), "\(batch.summary)")

        // A directory opens but cannot be read.
        let directory = FileManager.default.temporaryDirectory.path
        guard let unreadable = tidepool(["evaluate", "--batch", directory]) else { return }
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.contains("\(directory): cannot be read (Is a directory)"), "\(unreadable.summary)")
    }

    @Test("usage errors exit non-zero")
    func usageErrors() {
        guard let none = tidepool(["evaluate"]) else { return }
        #expect(none.status != 0)
        #expect(none.stderr.contains("Give either a case file or --batch FILE"), "\(none.summary)")
        guard let both = tidepool(["evaluate", Self.example, "--batch", Self.example]) else { return }
        #expect(both.status != 0, "\(both.summary)")
        guard let textBatch = tidepool(["evaluate", "--batch", Self.example, "--format", "text"]) else { return }
        #expect(textBatch.status != 0, "\(textBatch.summary)")
        guard let badFormat = tidepool(["evaluate", Self.example, "--format", "xml"]) else { return }
        #expect(badFormat.status != 0, "\(badFormat.summary)")
    }

    @Test("--help exits 0")
    func help() {
        guard let root = tidepool(["--help"]), let evaluate = tidepool(["evaluate", "--help"]) else { return }
        #expect(root.status == 0, "\(root.summary)")
        #expect(root.stdout.contains("evaluate"), "\(root.summary)")
        #expect(evaluate.status == 0, "\(evaluate.summary)")
        #expect(evaluate.stdout.contains("--batch"), "\(evaluate.summary)")
        #expect(evaluate.stdout.contains("--format"), "\(evaluate.summary)")
        guard let helpCommand = tidepool(["help", "evaluate"]) else { return }
        #expect(helpCommand.status == 0, "\(helpCommand.summary)")
    }

    // MARK: Batches

    /// good, malformed quantity, good.
    static func batchLines() throws -> [String] {
        let good = try exampleCase().compact()
        return [good, try malformedExample().compact(), good]
    }

    func checkBatch(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(run.status == 1, "\(run.summary)", sourceLocation: sourceLocation)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4 && lines.last == "", "three lines, each ending in a newline:\n\(run.stdout)", sourceLocation: sourceLocation)
        guard lines.count >= 3 else { return }
        let single = HorizontalController.reconcile(try ReconcileCase(jsonValue: try Self.exampleCase()))
        let expected = try JSONParser.parse(single.jsonString())
        #expect(parse(lines[0], sourceLocation: sourceLocation) == expected, sourceLocation: sourceLocation)
        #expect(parse(lines[2], sourceLocation: sourceLocation) == expected, sourceLocation: sourceLocation)
        let error = parse(lines[1], sourceLocation: sourceLocation)
        #expect(error?["line"] == .number("2"), "\(lines[1])", sourceLocation: sourceLocation)
        #expect(error?["error"] == .string(Self.malformedField), "\(lines[1])", sourceLocation: sourceLocation)
        if case .object(let object)? = error {
            #expect(object.keys == ["line", "error"], sourceLocation: sourceLocation)
        }
        #expect(run.stderr.contains("1 of 3 lines failed"), "\(run.summary)", sourceLocation: sourceLocation)
    }

    @Test("--batch: one line out per line in, in order; a malformed line is reported and the batch goes on")
    func batch() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.write(try Self.batchLines().joined(separator: "\n") + "\n", to: "cases.jsonl", in: directory)
        guard let run = tidepool(["evaluate", "--batch", path]) else { return }
        try checkBatch(run)
    }

    @Test("--batch - reads standard input")
    func batchFromStdin() throws {
        guard let run = tidepool(["evaluate", "--batch", "-"], stdin: try Self.batchLines().joined(separator: "\n") + "\n") else { return }
        try checkBatch(run)
    }

    @Test("--batch: all good lines exit 0")
    func batchAllGood() throws {
        let good = try Self.exampleCase().compact()
        guard let run = tidepool(["evaluate", "--batch", "-"], stdin: Array(repeating: good, count: 25).joined(separator: "\n")) else { return }
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stderr.isEmpty, "\(run.summary)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 25, "the last line has no newline and still counts")
        #expect(Set(lines).count == 1)
        #expect(parse(lines.first ?? "")?["desiredReplicas"] == .number("7"))
    }

    @Test("--batch skips blank lines; line numbers count every line of the file")
    func batchBlankLines() throws {
        let lines = try Self.batchLines()
        let input = "\n" + lines[0] + "\r\n" + "   \n\t\n" + lines[1] + "\n\n" + lines[2]
        guard let run = tidepool(["evaluate", "--batch", "-"], stdin: input) else { return }
        #expect(run.status == 1, "\(run.summary)")
        let output = run.stdout.split(separator: "\n").map(String.init)
        #expect(output.count == 3, "\(run.stdout)")
        guard output.count == 3 else { return }
        #expect(parse(output[0])?["desiredReplicas"] == .number("7"))
        #expect(parse(output[1])?["line"] == .number("5"), "\(output[1])")
        #expect(parse(output[2])?["desiredReplicas"] == .number("7"))

        guard let empty = tidepool(["evaluate", "--batch", "-"], stdin: "\n\n  \n") else { return }
        #expect(empty.status == 0, "\(empty.summary)")
        #expect(empty.stdout.isEmpty, "\(empty.summary)")
    }

    @Test("--batch: a line of broken JSON reports its column")
    func batchBrokenJSON() throws {
        let good = try Self.exampleCase().compact()
        guard let run = tidepool(["evaluate", "--batch", "-"], stdin: good + "\n{\"now\": }\n") else { return }
        #expect(run.status == 1)
        let output = run.stdout.split(separator: "\n").map(String.init)
        #expect(output.count == 2, "\(run.stdout)")
        guard output.count == 2, let error = parse(output[1]) else { return }
        #expect(error["line"] == .number("2"))
        #expect(error["error"] == .string("malformed JSON at line 1, column 9: expected a value"), "\(output[1])")
    }
}

// MARK: - Helpers

private enum Step: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

extension JSONValue {
    /// A copy with the value at `path` replaced.
    fileprivate func replacing(_ path: [Step], with newValue: JSONValue) -> JSONValue {
        guard let first = path.first else { return newValue }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var object), .key(let key)):
            object[key] = (object[key] ?? .null).replacing(rest, with: newValue)
            return .object(object)
        case (.array(var elements), .index(let index)):
            elements[index] = elements[index].replacing(rest, with: newValue)
            return .array(elements)
        default:
            preconditionFailure("cannot follow the path into \(typeName)")
        }
    }
}

/// Block-style YAML for a JSON tree: strings double-quoted (JSON escapes are YAML escapes),
/// numbers plain, so the YAML document means exactly the JSON one.
private enum YAML {
    static func render(_ value: JSONValue) -> String {
        lines(value, indent: 0).joined(separator: "\n") + "\n"
    }

    static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text):
            var writer = JSONWriter()
            writer.value(text)
            return writer.string
        case .array(let elements): return elements.isEmpty ? "[]" : nil
        case .object(let object): return object.entries.isEmpty ? "{}" : nil
        }
    }

    static func lines(_ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var result: [String] = []
        switch value {
        case .object(let object):
            for entry in object.entries {
                let key = scalar(.string(entry.key))!
                if let text = scalar(entry.value) {
                    result.append("\(pad)\(key): \(text)")
                } else {
                    result.append("\(pad)\(key):")
                    result.append(contentsOf: lines(entry.value, indent: indent + 2))
                }
            }
        case .array(let elements):
            for element in elements {
                if let text = scalar(element) {
                    result.append("\(pad)- \(text)")
                } else {
                    var nested = lines(element, indent: indent + 2)
                    nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                    result.append(contentsOf: nested)
                }
            }
        default:
            result.append(pad + (scalar(value) ?? ""))
        }
        return result
    }
}
