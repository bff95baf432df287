import Foundation
import Scaler
import Testing

/// `tidepool replay --mode recorded` must agree, step for step, with chaining `tidepool evaluate`
/// by hand: each sync's case built from the last observation at or before it, with the
/// previous outcome's history.
@Suite("Replay agrees with evaluate chained by hand")
struct ReplayChainTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: Data, error: String) {
        let binary = root.appendingPathComponent(".build/debug/tidepool")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw ServerError("\(binary.path) is missing: run swift build first") }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, error)
    }

    @Test("91 syncs of the bundled bursty day")
    func chained() throws {
        let hpa = try String(contentsOf: Self.root.appendingPathComponent("Examples/replay/hpa.yaml"), encoding: .utf8)
        let recording = try String(contentsOf: Self.root.appendingPathComponent("Examples/replay/bursty-day.jsonl"), encoding: .utf8)
        let lines = recording.split(separator: "\n").prefix(46).map(String.init)  // 90 minutes at 2-minute observations
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recordingFile = directory.appendingPathComponent("part.jsonl")
        try lines.joined(separator: "\n").write(to: recordingFile, atomically: true, encoding: .utf8)

        let replay = try Self.run(["replay", "--hpa", "Examples/replay/hpa.yaml", "--metrics", recordingFile.path,
                                   "--format", "jsonl", "--sync-period", "60"])
        #expect(replay.status == 0, "\(replay.error)")
        let steps = try String(decoding: replay.output, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(steps.count == 91)  // Syncs at 0, 60, ..., 5400 s: both ends included.

        let observations = try lines.map { try JSONParser.parse($0) }
        // The HPA as JSON for the cases: the same file, read by the same loader through evaluate.
        let hpaValue = try Self.hpaJSON(hpa)
        var history: JSONValue?
        var observationIndex = 0
        for (index, step) in steps.enumerated() {
            guard case .string(let now)? = step["timestamp"], let nowTime = Timestamp(rfc3339: now) else {
                Issue.record("step \(index) has no timestamp")
                return
            }
            while observationIndex + 1 < observations.count,
                  let next = Self.time(observations[observationIndex + 1]), next <= nowTime {
                observationIndex += 1
            }
            let reconcileCase = Self.caseJSON(observations[observationIndex], now: now, hpa: hpaValue, history: history)
            let evaluated = try Self.run(["evaluate", "-"], input: Data(reconcileCase.compact().utf8))
            #expect(evaluated.status == 0, "step \(index): \(evaluated.error)")
            let outcome = try JSONParser.parse(String(decoding: evaluated.output, as: UTF8.self))
            for field in ["currentReplicas", "desiredReplicas", "recommendation", "reason"] {
                #expect(outcome[field] == step[field], "step \(index) (\(now)): \(field) \(String(describing: outcome[field])) vs replay \(String(describing: step[field]))")
            }
            history = outcome["history"]
        }
    }

    /// The observation as a reconcile case: `now` and the HPA added, its own timestamp dropped,
    /// and every sample given the observation's time explicitly (in a recording a sample without
    /// one was taken at the observation; in a case, at `now`).
    static func caseJSON(_ observation: JSONValue, now: String, hpa: JSONValue, history: JSONValue?) -> JSONValue {
        guard case .object(let object) = observation else { return observation }
        let observedAt = object["timestamp"] ?? .null
        var result = JSONObject()
        result["now"] = .string(now)
        result["hpa"] = hpa
        for entry in object.entries where entry.key != "timestamp" {
            if entry.key == "metrics", case .array(let metrics) = entry.value {
                result["metrics"] = .array(metrics.map { withSampleTimes($0, observedAt) })
            } else {
                result[entry.key] = entry.value
            }
        }
        if let history { result["history"] = history }
        return .object(result)
    }

    static func withSampleTimes(_ metric: JSONValue, _ observedAt: JSONValue) -> JSONValue {
        guard case .object(var object) = metric, case .object(var samples)? = object["podValues"] else { return metric }
        for index in samples.entries.indices {
            if case .object(var sample) = samples.entries[index].value, sample["timestamp"] == nil {
                sample["timestamp"] = observedAt
                samples.entries[index].value = .object(sample)
            }
        }
        object["podValues"] = .object(samples)
        return .object(object)
    }

    static func time(_ observation: JSONValue) -> Timestamp? {
        guard case .number(let text)? = observation["timestamp"], let seconds = Int64(text) else { return nil }
        return Timestamp(secondsSinceEpoch: seconds)
    }

    /// The example HPA, converted from its YAML by `tidepool evaluate`'s own loader would need
    /// the Controller; the spec is small, so it is restated here as JSON and checked against the
    /// YAML's key figures.
    static func hpaJSON(_ yaml: String) throws -> JSONValue {
        #expect(yaml.contains("averageUtilization: 70") && yaml.contains("selectPolicy: Min"))
        return try JSONParser.parse("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
             "metadata":{"name":"mcp-server-langgraph","namespace":"mcp-server-langgraph"},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"mcp-server-langgraph"},
              "minReplicas":3,"maxReplicas":20,
              "metrics":[
               {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},
               {"type":"Resource","resource":{"name":"memory","target":{"type":"Utilization","averageUtilization":80}}},
               {"type":"Pods","pods":{"metric":{"name":"http_requests_per_second"},"target":{"type":"AverageValue","averageValue":"1000"}}}],
              "behavior":{
               "scaleDown":{"stabilizationWindowSeconds":300,"policies":[{"type":"Percent","value":50,"periodSeconds":60},{"type":"Pods","value":2,"periodSeconds":60}],"selectPolicy":"Min"},
               "scaleUp":{"stabilizationWindowSeconds":0,"policies":[{"type":"Percent","value":100,"periodSeconds":30},{"type":"Pods","value":4,"periodSeconds":30}],"selectPolicy":"Max"}}}}
            """)
    }
}
