@testable import Scaler
import Testing

/// The explanation's sentences are written as bytes, numbers included; these hold them to the
/// text Swift's own formatting gives, and to the words people read.
@Suite("Explanation")
struct ExplanationTests {
    static func text(_ sentence: Sentence) -> String { sentence.description }

    @Test("a ratio reads as Swift prints it rounded to hundredths")
    func ratioText() {
        var values: [Double] = [0, 0.004, 0.005, 0.0149, 0.995, 1, 1.005, 1.1, 1.11, 1.111, 2.5, 9.999, 123.456,
                                1e9, 9_999_999_999.99, 1e10, 1e11, 5e15, 1e300]
        // A fixed pseudo-random walk over seven decades, so the test is the same every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            values.append(unit * [1, 10, 1000, 1e5, 1e7][Int(state % 5)])
        }
        for value in values {
            let expected = "\((value * 100).rounded() / 100)"
            #expect(Self.text("\(hundredths: value)") == expected, "ratio \(value)")
        }
    }

    @Test("a sentence longer than the bytes it holds in place keeps every piece in order")
    func longSentence() {
        for length in [0, 1, 100, 200, 240, 250, 255, 256, 257, 300, 1000] {
            let name = String(repeating: "n", count: length)
            let sentence: Sentence = "\(name): \(Int32(12)) of \(milli: 1_792_500) (\(replicas: 3)), \(name)."
            #expect(sentence.description == "\(name): 12 of 1792.5 (3 replicas), \(name).", "name of \(length) bytes")
        }
    }

    @Test("a tolerance reads as a percentage, whole when it is one")
    func toleranceText() {
        #expect(Tolerances(scaleDown: 0.1, scaleUp: 0.1).description == "±10%")
        #expect(Tolerances(scaleDown: 0.05, scaleUp: 0.2).description == "-5%/+20%")
        #expect(Tolerances(scaleDown: 0.025, scaleUp: 0.025).description == "±2.5%")
        #expect(Tolerances(scaleDown: 0, scaleUp: 0).description == "±0%")
        // Too large for a whole number of percent in an Int: Swift's own text (this trapped).
        #expect(Tolerances(scaleDown: 1e30, scaleUp: 1e30).description == "±1e+32%")
        #expect(Tolerances(scaleDown: .infinity, scaleUp: 0.1).description == "-inf%/+10%")
    }

    static func decide(controller: String = "") throws -> Decision {
        let text = """
        {"now": "2026-11-20T12:00:00Z",
         "hpa": {"spec": {"minReplicas": 2, "maxReplicas": 30, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
            {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}]}},
         "scale": {"specReplicas": 4},
         "pods": [
            {"name": "a", "phase": "Running", "ready": true, "startTime": "2026-11-20T10:00:00Z", "readyTransitionTime": "2026-11-20T10:00:20Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]},
            {"name": "b", "phase": "Running", "ready": true, "startTime": "2026-11-20T10:00:00Z", "readyTransitionTime": "2026-11-20T10:00:20Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]},
            {"name": "c", "phase": "Running", "ready": true, "startTime": "2026-11-20T10:00:00Z", "readyTransitionTime": "2026-11-20T10:00:20Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]},
            {"name": "d", "phase": "Running", "ready": true, "startTime": "2026-11-20T10:00:00Z", "readyTransitionTime": "2026-11-20T10:00:20Z", "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}],
         "metrics": [
            {"podValues": {"a": {"value": "400m"}, "b": {"value": "400m"}, "c": {"value": "400m"}, "d": {"value": "450m"}}},
            {"podValues": {"a": {"value": "1000"}, "b": {"value": "1050"}, "c": {"value": "1000"}, "d": {"value": "1000"}}}]
         \(controller)}
        """
        return HorizontalController.reconcile(try ReconcileCase(json: text))
    }

    @Test("each metric's proposal, the winner and the result, in words")
    func sentences() throws {
        let decision = try Self.decide()
        #expect(decision.explanation == [
            "cpu: 82% of request (target 70%), ratio 1.17 over 4 ready pods: proposes 5.",
            "rps: 1012.5 per pod (target 1000), ratio 1.01, within the tolerance (±10%): proposes keeping 4.",
            "The highest proposal wins: 5 replicas.",
            "Scaling from 4 to 5 replicas.",
        ])
    }

    @Test("the JSON's explanation is the sentences, word for word")
    func writtenAsRead() throws {
        let decision = try Self.decide()
        guard case .object(let object) = try JSONParser.parse(decision.jsonString(includeExplanation: true)),
              case .array(let written)? = object["explanation"] else {
            Issue.record("no explanation array in the decision's JSON")
            return
        }
        #expect(written.map { if case .string(let text) = $0 { text } else { "" } } == decision.explanation)
    }

    @Test("a tolerance too large for whole percents is explained, not a crash")
    func hugeTolerance() throws {
        let decision = try Self.decide(controller: #", "controller": {"tolerance": 1e30}"#)
        #expect(decision.explanation.first == "cpu: 82% of request (target 70%), ratio 1.17, within the tolerance (±1e+32%): proposes keeping 4.")
        #expect(decision.desiredReplicas == 4)
    }
}
