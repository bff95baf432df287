// Measures the Scaler on purpose, never as a timed test (run through scripts/bench).
//
//   scaler-bench evaluate [seconds]     in-process evaluations per second, one core
//   scaler-bench make-batch N FILE      writes N cases (JSON Lines) for the --batch benchmark:
//                                       one autoscaler and one set of pods, 64 variants of the
//                                       samples and the history (a what-if sweep)
//   scaler-bench make-distinct-batch N FILE   the same, but each line's HPA and pods named
//                                       apart, so no line repeats another's bytes
//   scaler-bench stages [rounds]        microseconds per case in each stage of a batch line
//   scaler-bench count N                N evaluations, for valgrind's counts
//   scaler-bench decode-bytes|decode|write|write-explained N   N rounds of one stage over the
//                                       64 variants, for valgrind's counts
//
// The case: 2 metrics (CPU utilization and a Pods average), 10 pods, a 20-entry history, the
// behavior path.
import Scaler

#if canImport(Glibc)
import Glibc
#endif

/// `line`: when given, the HPA and the pods carry it in their names.
func benchmarkCase(variant: Int, line: Int? = nil) -> String {
    var pods: [String] = []
    var cpu: [String] = []
    var rps: [String] = []
    let prefix = line.map { "web-\($0)" } ?? "web"
    for index in 0..<10 {
        let name = "\(prefix)-\(index)"
        pods.append("""
        {"name":"\(name)","phase":"Running","startTime":"2026-11-20T10:00:00Z","ready":true,"readyTransitionTime":"2026-11-20T10:00:20Z","containers":[{"name":"app","requests":{"cpu":"500m","memory":"256Mi"}}]}
        """)
        cpu.append("\"\(name)\":{\"value\":\"\(300 + (index * 37 + variant) % 250)m\",\"timestamp\":\"2026-11-20T11:59:45Z\",\"window\":\"30s\"}")
        rps.append("\"\(name)\":{\"value\":\"\(800 + (index * 91 + variant * 7) % 700)\"}")
    }
    var recommendations: [String] = []
    for index in 0..<20 {
        let second = 60 + index * 12
        recommendations.append("{\"timestamp\":\"2026-11-20T11:\(format2(second / 60)):\(format2(second % 60))Z\",\"replicas\":\(9 + (index + variant) % 4)}")
    }
    return """
    {"now":"2026-11-20T12:00:00Z","hpa":{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"\(prefix)","namespace":"default"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":30,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},{"type":"Pods","pods":{"metric":{"name":"http_requests_per_second"},"target":{"type":"AverageValue","averageValue":"1k"}}}],"behavior":{"scaleDown":{"stabilizationWindowSeconds":300}}}},"scale":{"specReplicas":10,"statusReplicas":10},"pods":[\(pods.joined(separator: ","))],"metrics":[{"podValues":{\(cpu.joined(separator: ","))}},{"podValues":{\(rps.joined(separator: ","))}}],"history":{"recommendations":[\(recommendations.joined(separator: ","))],"scaleUpEvents":[{"timestamp":"2026-11-20T11:59:00Z","change":2}],"scaleDownEvents":[]}}
    """
}

func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "evaluate" {
case "make-batch", "make-distinct-batch":
    let count = Int(arguments[2]) ?? 100_000
    let distinct = arguments[1] == "make-distinct-batch"
    var output = ""
    for index in 0..<count { output += benchmarkCase(variant: index % 64, line: distinct ? index : nil) + "\n" }
    let file = fopen(arguments[3], "w")
    fputs(output, file)
    fclose(file)
case "evaluate":
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
    let cases = try (0..<64).map { try ReconcileCase(json: benchmarkCase(variant: $0)) }
    // Warm up, then count evaluations until the time is up.
    var checksum = 0
    for reconcileCase in cases { checksum &+= Int(HorizontalController.reconcile(reconcileCase).desiredReplicas) }
    // Six windows of a sixth of the time each: a shared machine's clock only ever adds time,
    // so the best window is the figure, and the median shows the spread.
    var rates: [Double] = []
    for _ in 0..<6 {
        let start = monotonicSeconds()
        var evaluations = 0
        // Through a buffer pointer: its subscript lends the case, where the array's hands out a
        // copy (retaining each of the case's arrays and strings: the caller's cost, not the
        // evaluation's).
        cases.withUnsafeBufferPointer { cases in
            while monotonicSeconds() - start < seconds / 6 {
                for _ in 0..<100 {
                    for index in cases.indices {
                        checksum &+= Int(HorizontalController.reconcile(cases[index]).desiredReplicas)
                    }
                }
                evaluations += 100 * cases.count
            }
        }
        rates.append(Double(evaluations) / (monotonicSeconds() - start))
    }
    rates.sort()
    // Peer in the same run: parsing the same case's JSON text once (the cheapest useful thing
    // a caller does with a case).
    let text = benchmarkCase(variant: 1)
    let parseStart = monotonicSeconds()
    var parses = 0
    while monotonicSeconds() - parseStart < seconds / 3 {
        for _ in 0..<100 { if case .object = try JSONParser.parse(text) { parses += 1 } }
    }
    let parseElapsed = monotonicSeconds() - parseStart
    let evaluationRate = rates.last!
    let parseRate = Double(parses) / parseElapsed
    print("evaluations_per_second=\(Int(evaluationRate)) (best of \(rates.count) windows; median \(Int(rates[rates.count / 2]))) json_parses_per_second=\(Int(parseRate)) ratio=\(String(Double(Int(evaluationRate / parseRate * 100)) / 100)) checksum=\(checksum)")
case "stages":
    // Where a batch case's time goes: parse, decode, evaluate, write (with and without the
    // explanation). Microseconds per case.
    let texts = (0..<64).map { benchmarkCase(variant: $0) }
    let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
    // The best of seven repetitions: the machine's noise only ever adds time.
    func measure(_ body: () throws -> Int) rethrows -> Double {
        var best = Double.infinity
        var sink = 0
        for _ in 0..<7 {
            let start = monotonicSeconds()
            for _ in 0..<max(1, rounds / 7) { sink &+= try body() }
            best = min(best, (monotonicSeconds() - start) / Double(max(1, rounds / 7) * texts.count) * 1e6)
        }
        if sink == 42 { print("") }
        return best
    }
    let trees = try texts.map { try JSONParser.parse($0) }
    let cases = try trees.map { try ReconcileCase(jsonValue: $0) }
    let decisions = cases.map { HorizontalController.reconcile($0) }
    let parse = try measure { try texts.reduce(0) { if case .object = try JSONParser.parse($1) { return $0 + 1 }; return $0 } }
    let decode = try measure { try trees.reduce(0) { $0 + Int(try ReconcileCase(jsonValue: $1).scale.specReplicas) } }
    let lines = texts.map { Array($0.utf8) }
    var lineDecoder = ReconcileCaseLineDecoder()
    let decodeBytes = try measure {
        try lines.reduce(0) { sum, line throws(CaseError) in
            try sum + Int(line.withUnsafeBufferPointer { (line) throws(CaseError) in try lineDecoder.decode(line) }.scale.specReplicas)
        }
    }
    let distinctLines = (0..<64).map { Array(benchmarkCase(variant: $0, line: $0).utf8) }
    var distinctDecoder = ReconcileCaseLineDecoder()
    let decodeDistinct = try measure {
        try distinctLines.reduce(0) { sum, line throws(CaseError) in
            try sum + Int(line.withUnsafeBufferPointer { (line) throws(CaseError) in try distinctDecoder.decode(line) }.scale.specReplicas)
        }
    }
    // Peer: only finding the case's members by their brackets, the least a reader of the
    // bytes does.
    let scan = measure { lines.reduce(0) { sum, line in sum + (line.withUnsafeBufferPointer { JSONSpanScanner.members(of: $0)?.count ?? 0 }) } }
    let evaluate = measure { cases.reduce(0) { $0 + Int(HorizontalController.reconcile($1).desiredReplicas) } }
    let write = measure { decisions.reduce(0) { $0 + $1.jsonBytes(includeExplanation: false).count } }
    let explain = measure { decisions.reduce(0) { $0 + $1.explanation.count } }
    print("microseconds_per_case parse=\(parse) decode=\(decode) decode_from_bytes=\(decodeBytes) decode_from_bytes_distinct=\(decodeDistinct) scan=\(scan) evaluate=\(evaluate) write=\(write) explanation=\(explain) input_bytes=\(texts[0].utf8.count)")
case "parse":
    let texts = (0..<64).map { benchmarkCase(variant: $0) }
    var sink = 0
    for _ in 0..<50 { for text in texts { if case .object(let object) = try JSONParser.parse(text) { sink &+= object.entries.count } } }
    print("sink=\(sink)")
case "scan":
    let lines = (0..<64).map { Array(benchmarkCase(variant: $0).utf8) }
    var sink = 0
    for _ in 0..<200 {
        for line in lines { sink &+= line.withUnsafeBufferPointer { JSONSpanScanner.members(of: $0)?.count ?? 0 } }
    }
    print("sink=\(sink)")
case "decode-bytes":
    let lines = (0..<64).map { Array(benchmarkCase(variant: $0).utf8) }
    var decoder = ReconcileCaseLineDecoder()
    var sink = 0
    for _ in 0..<(arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200) {
        for line in lines { sink &+= Int(try line.withUnsafeBufferPointer { (line) throws(CaseError) in try decoder.decode(line) }.scale.specReplicas) }
    }
    print("sink=\(sink)")
case "decode", "write", "write-explained":
    let trees = try (0..<64).map { try JSONParser.parse(benchmarkCase(variant: $0)) }
    let cases = try trees.map { try ReconcileCase(jsonValue: $0) }
    let decisions = cases.map { HorizontalController.reconcile($0) }
    var sink = 0
    for _ in 0..<(arguments.count > 2 ? Int(arguments[2]) ?? 50 : 50) {
        if arguments[1] == "decode" {
            for tree in trees { sink &+= Int(try ReconcileCase(jsonValue: tree).scale.specReplicas) }
        } else {
            let explained = arguments[1] == "write-explained"
            for decision in decisions { sink &+= decision.jsonBytes(includeExplanation: explained).count }
        }
    }
    print("sink=\(sink)")
case "count":
    // A fixed number of evaluations, for allocation counts under valgrind.
    let count = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
    // The same loop as `evaluate`: cases held in an array, as a caller holds them.
    let cases = try (0..<64).map { try ReconcileCase(json: benchmarkCase(variant: $0)) }
    var checksum = 0
    cases.withUnsafeBufferPointer { cases in
        for evaluation in 0..<count {
            checksum &+= Int(HorizontalController.reconcile(cases[evaluation % cases.count]).desiredReplicas)
        }
    }
    print("evaluations=\(count) checksum=\(checksum)")
default:
    print("usage: scaler-bench evaluate [seconds] | make-batch N FILE | make-distinct-batch N FILE | stages [rounds] | count N")
}
