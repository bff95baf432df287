import Foundation
import TidepoolMetrics
import Scaler
import Testing

@Suite("Recordings")
struct RecordingTests {
    static let lines = [
        #"{"timestamp": "2026-11-20T12:00:00Z", "scale": {"specReplicas": 2, "statusReplicas": 2}, "pods": [{"name": "a", "phase": "Running", "startTime": "2026-11-20T11:00:00Z", "ready": true, "readyTransitionTime": "2026-11-20T11:00:10Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}, {"name": "b", "startTime": "2026-11-20T11:00:00Z", "ready": true, "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}], "metrics": [{"podValues": {"a": {"value": "450m"}, "b": {"value": "0.5", "timestamp": "2026-11-20T11:59:50Z", "window": "30s"}}}, {"values": [12, "7.5"]}]}"#,
        "",
        #"{"timestamp": 1795176015, "scale": {"specReplicas": 3}, "metrics": [{"error": "timeout"}, {"values": ["1"]}]}"#,
    ]

    @Test("read, write and read again gives the same observations")
    func roundTrip() throws {
        let observations = try RecordingReader.read(Array(Self.lines.joined(separator: "\n").utf8))
        #expect(observations.count == 2)
        #expect(observations[0].pods.map(\.name) == ["a", "b"])
        #expect(observations[1].scale == Scale(specReplicas: 3, statusReplicas: 3))
        // A sample without a timestamp was taken at the observation's time.
        guard case .podValues(let samples) = observations[0].metrics[0] else {
            Issue.record("expected pod values")
            return
        }
        #expect(samples[0].sample.timestamp == observations[0].timestamp)
        #expect(samples[1].sample.window == .seconds(30))
        let again = try RecordingReader.read(RecordingWriter.encode(observations))
        #expect(again == observations)
    }

    @Test("a malformed line stops the read and is named, blank lines counted")
    func errors() {
        var lines = Self.lines
        lines.append(#"{"timestamp": "2026-11-20T12:00:30Z", "scale": {"specReplicas": "two"}}"#)
        #expect(throws: RecordingError(line: 4, message: "scale.specReplicas: expected an integer, found a string")) {
            _ = try RecordingReader.read(Array(lines.joined(separator: "\n").utf8))
        }
        #expect(throws: RecordingError(line: 1, message: "malformed JSON at line 1, column 2: expected a string key")) {
            _ = try RecordingReader.read(Array("{oops}".utf8))
        }
    }

    @Test("lines that repeat their pods decode exactly as lines read alone, errors included")
    func repeatedPods() throws {
        let first = Self.lines[0]
        let samePods = first.replacingOccurrences(of: "12:00:00Z\", \"scale", with: "12:00:15Z\", \"scale")
            .replacingOccurrences(of: "450m", with: "700m")
        let otherPods = samePods.replacingOccurrences(of: "\"name\": \"b\"", with: "\"name\": \"c\"")
            .replacingOccurrences(of: "\"b\": {", with: "\"c\": {")
        let spaced = "  " + samePods.replacingOccurrences(of: "\"pods\": [", with: "\"pods\" :\t [") + "  "
        let lines = [first, samePods, otherPods, samePods, spaced, Self.lines[2]]
        var decoder = ObservationLineDecoder()
        for line in lines {
            let alone = try Observation(jsonValue: try JSONParser.parse(line))
            let decoded = try Array(line.utf8).withUnsafeBufferPointer { try decoder.decode($0) }
            #expect(decoded == alone, "\(line)")
        }
        let observations = try RecordingReader.read(Array(lines.joined(separator: "\n").utf8))
        #expect(observations.map { $0.pods.map(\.name) } == [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b"], ["a", "b"], []])

        // A bad pod after a good line with the same metrics is still named precisely.
        let badPod = samePods.replacingOccurrences(of: "\"startTime\": \"2026-11-20T11:00:00Z\", \"ready\": true, \"containers",
                                                   with: "\"startTime\": \"yesterday\", \"ready\": true, \"containers")
        #expect(throws: RecordingError(line: 2, message: "pods[1].startTime: \"yesterday\" is not an RFC 3339 timestamp (like 2026-11-20T12:00:00Z)")) {
            _ = try RecordingReader.read(Array([first, badPod].joined(separator: "\n").utf8))
        }
        let brokenPods = samePods.replacingOccurrences(of: "\"pods\": [", with: "\"pods\": [,")
        #expect(throws: RecordingError.self) {
            _ = try RecordingReader.read(Array([first, brokenPods].joined(separator: "\n").utf8))
        }
    }

    @Test("an observation evaluates as the reconcile case it stands for")
    func reconcileCase() throws {
        let observation = try #require(try RecordingReader.read(Array(Self.lines[0].utf8)).first)
        let spec = HorizontalPodAutoscalerSpec(maxReplicas: 10, metrics: [
            .resource(name: "cpu", target: .utilization(50)),
            .external(metric: MetricIdentifier(name: "queue"), target: .value(try Quantity(parsing: "5"))),
        ])
        let decision = HorizontalController.reconcile(observation.reconcileCase(spec: spec, history: ScaleHistory()))
        // cpu: 950m of 1000m is 95 % against 50 %: ceil(1.9 * 2) = 4; queue: 19.5 / 5 over 2 ready pods: 8.
        #expect(decision.recommendation == 8)
        #expect(decision.desiredReplicas == 4)  // The legacy path caps a step at max(2 * 2, 4).
    }

    @Test("the writer appends one flushed line per observation")
    func writer() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let observations = try RecordingReader.read(Array(Self.lines.joined(separator: "\n").utf8))
        let writer = try RecordingWriter(path: path)
        try writer.append(observations[0])
        try writer.close()
        let reopened = try RecordingWriter(path: path)
        try reopened.append(observations[1])
        try reopened.close()
        #expect(try RecordingReader.read(contentsOf: path) == observations)
    }
}
