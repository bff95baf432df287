import Foundation
import Metrics
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
