import Foundation
@testable import Scaler
import Testing

/// The batch's byte decoder must answer exactly what the tree path answers, or step aside.
@Suite("Case byte decoder")
struct CaseByteDecoderTests {
    /// The fields of two cases, compared one by one (a case holds derived tables too).
    static func difference(_ a: ReconcileCase, _ b: ReconcileCase) -> String? {
        if a.now != b.now { return "now: \(a.now) vs \(b.now)" }
        if a.metadata != b.metadata { return "metadata" }
        if a.spec != b.spec { return "spec" }
        if a.previousConditions != b.previousConditions { return "previousConditions" }
        if a.scale != b.scale { return "scale" }
        if a.pods != b.pods { return "pods" }
        if a.metrics != b.metrics { return "metrics" }
        if a.history != b.history { return "history" }
        if a.options != b.options { return "options" }
        // What each case derived (pod tables, request totals) shows in its decision.
        let decisionA = HorizontalController.reconcile(a).jsonString()
        let decisionB = HorizontalController.reconcile(b).jsonString()
        if decisionA != decisionB { return "decision: \(decisionA) vs \(decisionB)" }
        return nil
    }

    /// The byte reader alone (nil when it steps aside), remembering nothing from other cases.
    static func fastPath(_ text: String) -> ReconcileCase? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = CaseByteReader(bytes: bytes)
            var repeated = RepeatedMembers()
            return try? reader.readCase(repeated: &repeated)
        }
    }

    static func treePath(_ text: String) -> Result<ReconcileCase, CaseError> {
        Result { () throws(CaseError) in try ReconcileCase(json: text) }
    }

    /// Decodes `line` with `decoder` and expects the tree path's answer: true for the same
    /// case, false for the same error, nil (an issue recorded) when they disagree.
    static func sameAnswer(_ line: String, decoder: inout ReconcileCaseLineDecoder,
                           sourceLocation: SourceLocation = #_sourceLocation) -> Bool? {
        let expected = treePath(line)
        var bytes = Array(line.utf8)
        let decoded = bytes.withUnsafeMutableBufferPointer { (buffer) -> Result<ReconcileCase, CaseError> in
            Result { () throws(CaseError) in try decoder.decode(UnsafeBufferPointer(buffer)) }
        }
        switch (decoded, expected) {
        case (.success(let a), .success(let b)):
            #expect(difference(a, b) == nil, "\(difference(a, b) ?? "") in \(line)", sourceLocation: sourceLocation)
            return true
        case (.failure(let a), .failure(let b)):
            #expect(a.description == b.description, sourceLocation: sourceLocation)
            return false
        default:
            Issue.record("the line decoder and the tree path disagree on \(line): \(decoded) vs \(expected)", sourceLocation: sourceLocation)
            return nil
        }
    }

    static func upstreamCaseTexts() throws -> [String] {
        try UpstreamScenario.all().map { $0.reconcileCase.compact() }
    }

    @Test("every upstream scenario decodes the same by bytes as by tree, and most by the fast path")
    func upstreamScenarios() throws {
        let texts = try Self.upstreamCaseTexts()
        var fast = 0
        for text in texts {
            guard case .success(let expected) = Self.treePath(text) else {
                Issue.record("the tree path rejects an upstream scenario: \(text.prefix(200))")
                continue
            }
            if let decoded = Self.fastPath(text) {
                fast += 1
                #expect(Self.difference(decoded, expected) == nil, "\(Self.difference(decoded, expected) ?? "") in \(text.prefix(300))")
            }
            var lineDecoder = ReconcileCaseLineDecoder()
            var bytes = Array(text.utf8)
            let viaLines = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(CaseError) in
                try lineDecoder.decode(UnsafeBufferPointer(buffer))
            }
            #expect(Self.difference(viaLines, expected) == nil)
        }
        // Fixtures with number timestamps or unusual text take the tree path; most must not.
        #expect(fast * 10 >= texts.count * 8, "the fast path answered \(fast) of \(texts.count) scenarios")
    }

    static let benchmarkLike = """
    {"now":"2026-11-20T12:00:00Z","hpa":{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":30,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},{"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"1k"}}},{"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"Value","value":"30"}}}]}},
     "scale":{"specReplicas":3,"statusReplicas":3},
     "pods":[{"name":"web-0","phase":"Running","startTime":"2026-11-20T10:00:00Z","ready":true,"readyTransitionTime":"2026-11-20T10:00:20Z","containers":[{"name":"app","requests":{"cpu":"500m","memory":"256Mi"}}],"initContainers":[{"name":"proxy","requests":{"cpu":0.1},"restartPolicy":"Always"}]},
             {"name":"web-1","phase":"Pending","deleted":false,"startTime":null,"ready":null,"containers":[{"requests":{"cpu":"500m"}}]},
             {"name":"web-2","phase":"Failed","deleted":true,"startTime":"2026-11-20T10:00:00.5+01:00","ready":false,"readyTransitionTime":"2026-11-20T10:00:20Z","containers":[]}],
     "metrics":[{"podValues":{"web-0":{"value":"300m","timestamp":"2026-11-20T11:59:45Z","window":"30s"},"web-1":{"value":250},"ghost":{"value":"1e2","window":"1m30s"}}},null,{"values":["10",2.5,"1Ki"]}],
     "history":{"recommendations":[{"timestamp":"2026-11-20T11:59:00Z","replicas":3}],"scaleUpEvents":[{"timestamp":"2026-11-20T11:58:00Z","change":1}],"scaleDownEvents":[]},
     "controller":{"tolerance":0.05}}
    """

    @Test("a case using every member the fast path reads decodes to the tree path's case")
    func everyMember() throws {
        let text = Self.benchmarkLike.replacingOccurrences(of: "\n", with: "")
        let expected = try ReconcileCase(json: text)
        let decoded = try #require(Self.fastPath(text), "the fast path stepped aside")
        #expect(Self.difference(decoded, expected) == nil, "\(Self.difference(decoded, expected) ?? "")")
        #expect(decoded.metrics[1] == .error("no value was observed for this metric"))
        #expect(decoded.options.tolerance == 0.05)
    }

    @Test("null members of a case are absent, as on the tree path")
    func nullMembers() throws {
        let text = #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"pods":null,"metrics":null,"history":null,"controller":null}"#
        let expected = try ReconcileCase(json: text)
        let decoded = try #require(Self.fastPath(text), "the fast path stepped aside")
        #expect(Self.difference(decoded, expected) == nil, "\(Self.difference(decoded, expected) ?? "")")
    }

    @Test("what the fast path does not know goes to the tree path", arguments: [
        // Escapes, non-ASCII text, repeated or unknown keys, numbers where text is usual.
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"pods":[{"name":"w\u0065b"}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"pods":[{"name":"wéb"}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","now":"2026-11-20T12:00:01Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1}}"#,
        #"{"now":1763640000,"hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1}}"#,
    ])
    func unusualButValid(text: String) throws {
        #expect(Self.fastPath(text) == nil)
        let expected = try ReconcileCase(json: text)
        var lineDecoder = ReconcileCaseLineDecoder()
        var bytes = Array(text.utf8)
        let decoded = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(CaseError) in try lineDecoder.decode(UnsafeBufferPointer(buffer)) }
        #expect(Self.difference(decoded, expected) == nil)
    }

    @Test("a malformed line gets the tree path's error, word for word", arguments: [
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":-1}}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":null,"scale":{"specReplicas":1}}"#,
        #"{"now":null,"hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1}}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"pods":[{"name":"a"},{"name":"a"}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"pods":[{"name":"a","phase":"Runing"}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"metrics":[{"podValues":{"a":{"value":"1x"}}}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"metrics":[{"value":"1","error":"x"}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"history":{"recommendations":[{"timestamp":"2026-11-20T12:00:00Z"}]}}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},"metrics":[{},{}]}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1},}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":01}}"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3}},"scale":{"specReplicas":1}} x"#,
        #"{"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":3,}},"scale":{"specReplicas":1}}"#,
    ])
    func malformed(text: String) {
        guard case .failure(let expected) = Self.treePath(text) else {
            Issue.record("the tree path accepts \(text)")
            return
        }
        #expect(Self.fastPath(text) == nil)
        var lineDecoder = ReconcileCaseLineDecoder()
        var bytes = Array(text.utf8)
        let result = bytes.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(CaseError) in try lineDecoder.decode(UnsafeBufferPointer(buffer)) }
        }
        guard case .failure(let error) = result else {
            Issue.record("the line decoder accepted \(text)")
            return
        }
        #expect(error.description == expected.description)
    }

    /// Mutated upstream cases: a byte deleted, duplicated or replaced. Whenever the fast path
    /// answers, the tree path answers the same case.
    @Test("on mutated cases the fast path never answers what the tree path would not")
    func mutations() throws {
        let texts = try Self.upstreamCaseTexts() + [Self.benchmarkLike.replacingOccurrences(of: "\n", with: "")]
        var generator = SplitMix64(seed: 0x7469_6465_706f_6f6c)
        let replacements = Array(#"{}[]",:0123456789-.eE "nultrfa\x"#.utf8)
        var answered = 0
        var checked = 0
        for round in 0..<3000 {
            var bytes = Array(texts[round % texts.count].utf8)
            let position = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 3 {
            case 0: bytes.remove(at: position)
            case 1: bytes.insert(bytes[position], at: position)
            default: bytes[position] = replacements[Int(generator.next() % UInt64(replacements.count))]
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let fast = Self.fastPath(text) else { continue }
            answered += 1
            switch Self.treePath(text) {
            case .success(let expected):
                checked += 1
                #expect(Self.difference(fast, expected) == nil, "\(Self.difference(fast, expected) ?? "") for \(text)")
            case .failure(let error):
                Issue.record("the fast path accepted what the tree path rejects (\(error)): \(text)")
            }
        }
        // Many mutations keep a case valid (a digit for a digit); those must have been compared.
        #expect(checked > 100, "only \(checked) mutated cases were answered by both paths")
        #expect(answered == checked)
    }

    /// What a case derives from its hpa and pods together (each pod's request for the
    /// Utilization target's resource) follows whichever of the two changed.
    @Test("request totals follow a change of hpa or of pods between lines")
    func requestTotalsFollowChanges() throws {
        func line(resource: String, cpuRequest: String) -> String {
            """
            {"now":"2026-11-20T12:00:00Z","hpa":{"spec":{"maxReplicas":10,"metrics":[{"type":"Resource","resource":{"name":"\(resource)","target":{"type":"Utilization","averageUtilization":50}}}]}},\
            "scale":{"specReplicas":2},"pods":[{"name":"a","startTime":"2026-11-20T10:00:00Z","ready":true,"containers":[{"requests":{"cpu":"\(cpuRequest)","memory":"1Gi"}}]},\
            {"name":"b","startTime":"2026-11-20T10:00:00Z","ready":true,"containers":[{"requests":{"cpu":"\(cpuRequest)","memory":"1Gi"}}]}],\
            "metrics":[{"podValues":{"a":{"value":"400m"},"b":{"value":"800Mi"}}}]}
            """
        }
        let lines = [line(resource: "cpu", cpuRequest: "1"), line(resource: "memory", cpuRequest: "1"),
                     line(resource: "memory", cpuRequest: "1"), line(resource: "cpu", cpuRequest: "1"),
                     line(resource: "cpu", cpuRequest: "200m"), line(resource: "cpu", cpuRequest: "200m")]
        var lineDecoder = ReconcileCaseLineDecoder()
        for text in lines {
            let expected = try ReconcileCase(json: text)
            var bytes = Array(text.utf8)
            let decoded = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(CaseError) in
                try lineDecoder.decode(UnsafeBufferPointer(buffer))
            }
            #expect(Self.difference(decoded, expected) == nil, "\(Self.difference(decoded, expected) ?? "")")
        }
    }

    /// Samples are placed by position only when no two pods share a name; otherwise by
    /// upstream's map, where a repeated name is the first pod's and the later sample wins.
    @Test("samples join pods by position only when pod names are unique")
    func samplesJoinPods() {
        let now = Timestamp(secondsSinceEpoch: 1_795_176_000)
        func sample(_ milli: Int64) -> PodSample { PodSample(milliValue: milli, timestamp: now) }
        let spec = HorizontalPodAutoscalerSpec(
            scaleTargetRef: CrossVersionObjectReference(kind: "Deployment", name: "web"), minReplicas: 1, maxReplicas: 10,
            metrics: [.pods(metric: MetricIdentifier(name: "rps"), target: MetricTarget(type: .averageValue, averageValue: Quantity(milli: 1000)))])
        let repeated = ReconcileCase(now: now, spec: spec, scale: Scale(specReplicas: 3, statusReplicas: 3),
                                     pods: [Pod(name: "a"), Pod(name: "a"), Pod(name: "b")],
                                     metrics: [.podValues([PodValue("a", sample(100)), PodValue("a", sample(200)), PodValue("b", sample(300))])])
        #expect(repeated.prepared.podMetrics[0]?.values == [200, nil, 300])
        #expect(repeated.prepared.podMetrics[0]?.superfluous == [])
        let unique = ReconcileCase(now: now, spec: spec, scale: Scale(specReplicas: 3, statusReplicas: 3),
                                   pods: [Pod(name: "a"), Pod(name: "b"), Pod(name: "c")],
                                   metrics: [.podValues([PodValue("a", sample(100)), PodValue("c", sample(300)), PodValue("x", sample(7)), PodValue("b", sample(200))])])
        #expect(unique.prepared.podMetrics[0]?.values == [100, 200, 300])
        #expect(unique.prepared.podMetrics[0]?.superfluous == [7])
    }

    /// Samples in pod order take their pods' names without a search for repeats; a name after
    /// them that repeats one of them, a name out of order, metrics before pods, or pods that
    /// share a name must still decode (or fail) as by the tree path.
    @Test("samples naming pods in order, and every way out of that order, decode as by the tree path")
    func samplesInPodOrder() throws {
        let head = #"{"now":"2026-11-20T12:00:00Z","hpa":{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":10,"metrics":[{"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"1"}}}]}},"scale":{"specReplicas":3}"#
        func pods(_ names: [String]) -> String { #","pods":["# + names.map { #"{"name":"\#($0)"}"# }.joined(separator: ",") + "]" }
        func metrics(_ names: [String]) -> String {
            #","metrics":[{"podValues":{"# + names.enumerated().map { #""\#($1)":{"value":"\#($0 + 1)"}"# }.joined(separator: ",") + "}}]"
        }
        let lines = [
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c"]) + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "a"]) + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "c", "b"]) + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c", "ghost", "b"]) + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c", "ghost"]) + "}",
            head + pods(["a", "b"]) + metrics(["a", "b", "c"]) + "}",
            head + metrics(["a", "b", "c"]) + pods(["a", "b", "c"]) + "}",
            head + pods(["a", "a", "c"]) + metrics(["a", "a", "c"]) + "}",
            head + pods(["a", "a", "c"]) + metrics(["a", "c"]) + "}",
            head + pods(["ab", "b", "c"]) + metrics(["a", "b", "c"]) + "}",
            head + pods(["a", "ab", "c"]) + metrics(["a", "a", "c"]).replacingOccurrences(of: #""a":{"value":"2"}"#, with: #""ab":{"value":"2"}"#) + "}",
            // Spacing around the keys: read by the general member loop, the same answer.
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c"]).replacingOccurrences(of: ",", with: ", ") + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c"]).replacingOccurrences(of: #""b":"#, with: #""b" :"#) + "}",
            head + pods(["a", "b", "c"]) + metrics(["a", "b", "c"]).replacingOccurrences(of: #"{"a""#, with: #"{ "a""#) + "}",
        ]
        var decoder = ReconcileCaseLineDecoder()
        var failures = 0
        for line in lines where Self.sameAnswer(line, decoder: &decoder) == false { failures += 1 }
        // A name repeated in podValues (lines 2 and 4) or among the pods (lines 8 and 9) is the
        // tree path's error.
        #expect(failures == 4)
    }

    /// History entries are read by a shortcut when they have the usual shape; every other
    /// spacing, order or value must decode (or fail) as by the tree path.
    @Test("history entries in every spacing, order and value decode as by the tree path")
    func historyEntries() throws {
        let head = #"{"now":"2026-11-20T12:00:00Z","hpa":{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":10,"metrics":[{"type":"External","external":{"metric":{"name":"q"},"target":{"type":"Value","value":"1"}}}]}},"scale":{"specReplicas":3},"metrics":[{"value":"2"}],"history":{"recommendations":["#
        let entries = [
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3}"#,
            #"{ "timestamp" : "2026-11-20T11:59:00Z" , "replicas" : 3 }"#,
            #"{"replicas":3,"timestamp":"2026-11-20T11:59:00Z"}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z"," replicas":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas ":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replica":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3,"extra":1}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3,"replicas":4}"#,
            #"{"timestamp":null,"replicas":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":null}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":-1}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3.5}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":"3"}"#,
            #"{"timestamp":"2026-11-20T11:59:00+01:00","replicas":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z"}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":2147483648}"#,
            "{\"timestamp\":\"2026-11-20T11:59:00Z\",\n\"replicas\":\t3}",
            // Counts the usual reader takes (up to nine digits) and those it leaves.
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":0}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":999999999}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":1234567890}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":2147483647}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":03}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":1e1}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3E0}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3.}"#,
            // Timestamps of twenty bytes that are not the usual text, and a quote inside one.
            #"{"timestamp":"2026-11-20t11:59:00Z","replicas":3}"#,
            #"{"timestamp":"2026-11-20T11:59:0"Z","replicas":3}"#,
            #"{"timestamp":"2026-11-20T11:59:00Z","replicas":3}"#,
        ]
        var decoder = ReconcileCaseLineDecoder()
        var answered = 0
        for entry in entries {
            for line in [head + entry + "]}}", head + entry + "," + entries[0] + "]}}"] where Self.sameAnswer(line, decoder: &decoder) == true {
                answered += 1
            }
        }
        // Valid, alone and followed by another entry: the first three shapes, the repeated key
        // (the tree path keeps one), the offset, the newline-and-tab one, the four counts in
        // range, the lower-case "t" and the escaped "Z".
        #expect(answered == 24)
    }

    /// Sample values of the usual shape ("300m", "300", 300) are read directly; every other
    /// form must decode (or fail) as by the tree path.
    @Test("sample values in every form decode as by the tree path")
    func sampleValues() throws {
        let head = #"{"now":"2026-11-20T12:00:00Z","hpa":{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":10,"metrics":[{"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"1"}}}]}},"scale":{"specReplicas":1},"pods":[{"name":"a"}],"metrics":[{"podValues":{"a":{"value":"#
        let values = [
            #""300m""#, #""300""#, "300", #""0""#, "0", #""0m""#, #""007m""#, #""1.5""#, "1.5", #""1e3""#, "1e3", #""1k""#,
            #""1Mi""#, #""5M""#, #""5mm""#, #""m""#, #""""#, #"" 5m""#, #""5m ""#, #""-5""#, "-5", #""+5m""#,
            #""999999999999999m""#, #""999999999999999""#, #""9999999999999999m""#, #""9999999999999999""#, "9999999999999999",
            #""99999999999999999999999m""#, "true", "null",
        ]
        var decoder = ReconcileCaseLineDecoder()
        var answered = 0
        for value in values where Self.sameAnswer(head + value + "}}}]}", decoder: &decoder) == true { answered += 1 }
        #expect(answered >= 20, "only \(answered) of the values made a case")
    }

    /// Samples are read by a shortcut when they have the usual shape (value, then timestamp,
    /// then window, written compactly); every other order, spacing or member must decode (or
    /// fail) as by the tree path.
    @Test("pod samples in every order, spacing and member decode as by the tree path")
    func sampleShapes() throws {
        let head = #"{"now":"2026-11-20T12:00:00Z","hpa":{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":10,"metrics":[{"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"1"}}}]}},"scale":{"specReplicas":2},"pods":[{"name":"a"},{"name":"b"}],"metrics":[{"podValues":{"a":"#
        let samples = [
            #"{"value":"300m","timestamp":"2026-11-20T11:59:45Z","window":"30s"}"#,
            #"{"value":"300m","timestamp":"2026-11-20T11:59:45Z"}"#,
            #"{"value":"300m","window":"30s"}"#,
            #"{"value":"300m"}"#,
            #"{"value":300,"timestamp":"2026-11-20T11:59:45Z"}"#,
            #"{"value":"300m","window":"30s","timestamp":"2026-11-20T11:59:45Z"}"#,
            #"{"timestamp":"2026-11-20T11:59:45Z","value":"300m"}"#,
            #"{ "value":"300m","timestamp":"2026-11-20T11:59:45Z"}"#,
            #"{"value": "300m"}"#,
            #"{"value":"300m" ,"window":"30s"}"#,
            #"{"value":"300m","timestamp":null}"#,
            #"{"value":"300m","window":null}"#,
            #"{"value":"300m","timestamp":1763639985}"#,
            #"{"value":"300m","window":30}"#,
            #"{"value":"300m","window":"1m30s"}"#,
            #"{"value":"300m","timestamp":"2026-11-20T11:59:45.5+01:00"}"#,
            #"{"value":"300m","value":"400m"}"#,
            #"{"value":"300m","timestamp":"2026-11-20T11:59:45Z","timestamp":"2026-11-20T11:59:46Z"}"#,
            #"{"value":"300m","extra":1}"#,
            #"{"value":null}"#,
            #"{"value":"300m","timestamp":"2026-11-20T11:59:45Z","window":"30s","extra":1}"#,
            #"{"value":"300m","timestamp":"yesterday"}"#,
            #"{"value":"300m","window":"-5s"}"#,
            #"{"value":"3x"}"#,
            #"{"value":"300m","#,
            #"{"value":"300m"]"#,
            #"{}"#,
        ]
        var decoder = ReconcileCaseLineDecoder()
        var answered = 0
        for sample in samples {
            // Alone, followed by a usual sample, and last in the line with nothing after it.
            let lines = [head + sample + "}}]}", head + sample + #","b":{"value":"1"}}}]}"#,
                         head + sample + "}}]}".dropLast(4)]
            for line in lines where Self.sameAnswer(line, decoder: &decoder) == true { answered += 1 }
        }
        // A sample without a timestamp was observed at `now`, also when `now` comes last.
        let nowLast = #"{"hpa":{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":10,"metrics":[{"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"1"}}}]}},"scale":{"specReplicas":2},"pods":[{"name":"a"},{"name":"b"}],"metrics":[{"podValues":{"a":{"value":"1"},"b":{"value":"2","timestamp":"2026-11-20T11:59:45Z"}}}],"now":"2026-11-20T12:00:00Z"}"#
        #expect(Self.sameAnswer(nowLast, decoder: &decoder) == true)
        let decoded = try #require(Self.fastPath(nowLast), "the fast path stepped aside")
        guard case .podValues(let values) = decoded.metrics[0] else {
            Issue.record("no pod values")
            return
        }
        #expect(values.map(\.sample.timestamp) == [Timestamp(rfc3339: "2026-11-20T12:00:00Z"), Timestamp(rfc3339: "2026-11-20T11:59:45Z")])
        // Valid, alone and followed by another sample: the first sixteen, the repeated members
        // (the tree path keeps one) and the negative window (a duration all the same); the
        // cut-off lines never are.
        #expect(answered == 38, "\(answered) sample lines made a case")
    }

    @Test("a byte pattern finds itself at every position, near the end of the bytes too")
    func bytePatterns() {
        let text = Array(#"{"timestamp":"2026-11-20T11:59:45Z","window":"30s"}"#.utf8)
        for length in 1...16 {
            for start in 0...(text.count - length) {
                let pattern = text.withUnsafeBufferPointer { BytePattern(UnsafeBufferPointer(rebasing: $0[start..<(start + length)])) }
                // Against the whole text and against the text cut right after the pattern.
                for end in [text.count, start + length] {
                    text.withUnsafeBufferPointer { whole in
                        let bytes = UnsafeBufferPointer(rebasing: whole[..<end])
                        for position in 0..<bytes.count {
                            let expected = position + length <= bytes.count
                                && Array(bytes[position..<(position + length)]) == Array(text[start..<(start + length)])
                            #expect(pattern.isPrefix(of: bytes, at: position) == expected,
                                    "length \(length) from \(start) at \(position) of \(end)")
                        }
                    }
                }
            }
        }
    }

    /// One line decoder over a stream of cases that share their hpa and pods, some of them
    /// mutated inside or after those members: it remembers members across lines and must still
    /// answer each line as the tree path does, case or error.
    @Test("a line decoder remembering hpa and pods across lines answers each line as the tree path")
    func repeatedMembersAcrossLines() throws {
        let base = Self.benchmarkLike.replacingOccurrences(of: "\n", with: "")
        var generator = SplitMix64(seed: 0x6261_7463_6800)
        var lineDecoder = ReconcileCaseLineDecoder()
        var agreedCases = 0
        for round in 0..<1500 {
            var bytes = Array(base.utf8)
            // Every third line is the base itself, so remembered members are hit often.
            if round % 3 != 0 {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(bytes[position], at: position)
                default: bytes[position] = Array(#"{}[]",:0123456789"#.utf8)[Int(generator.next() % 16)]
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let byLines = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(CaseError) in try lineDecoder.decode(buffer) }
            }
            switch (byLines, Self.treePath(text)) {
            case (.success(let decoded), .success(let expected)):
                agreedCases += 1
                #expect(Self.difference(decoded, expected) == nil, "\(Self.difference(decoded, expected) ?? "") for \(text)")
            case (.failure(let error), .failure(let expected)):
                #expect(error.description == expected.description)
            case (.success, .failure(let expected)):
                Issue.record("the line decoder accepted what the tree path rejects (\(expected)): \(text)")
            case (.failure(let error), .success):
                Issue.record("the line decoder rejected what the tree path accepts (\(error)): \(text)")
            }
        }
        #expect(agreedCases >= 500, "only \(agreedCases) lines were valid cases")
    }

    @Test("timestamps read in a row through the memo parse as each does alone")
    func timestampMemo() {
        // Texts that share a whole text, only a date, or nothing, valid or not; the memo must
        // never carry a remembered day or value onto a text that is not its own.
        let pool = [
            "2026-11-20T11:59:45Z", "2026-11-20T11:59:46Z", "2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z",
            "2026-11-21T11:59:45Z", "2025-11-20T11:59:45Z", "2026-12-20T11:59:45Z", "2026-02-28T10:00:00Z",
            "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-20T24:00:00Z",
            "2026-11-20T11:60:00Z", "2026-11-20T11:59:60Z", "2026-11-20T1a:00:00Z", "2026-11-20t11:59:45Z",
            "2026-11-20T11:59:45z", "2026-11-20T11:59:45+", "1899-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
            "2262-04-11T23:47:17Z", "2263-01-01T00:00:00Z", "2026-11-20T11:59:45.5Z", "2026-11-20T11:59:45+01:00",
            "2026-11-20 11:59:45Z", "2026-13-20T11:59:45Z", "2026-11-00T11:59:45Z", "", "2026-11-20T11:59:4Z",
        ]
        var generator = SystemRandomNumberGenerator()
        var memo = TimestampMemo()
        var answered = 0
        for _ in 0..<5_000 {
            var bytes = Array(pool.randomElement(using: &generator)!.utf8)
            let expected = bytes.withUnsafeBufferPointer { Timestamp.parse($0) }
            let viaMemo = bytes.withUnsafeMutableBufferPointer { memo.parse(UnsafeBufferPointer($0)) }
            #expect(viaMemo == expected, "\(String(decoding: bytes, as: UTF8.self))")
            if expected != nil { answered += 1 }
        }
        #expect(answered > 1_000)
    }
}
