// Measures the Scaler on purpose, never as a timed test (run through scripts/bench).
//
//   scaler-bench evaluate [seconds]     in-process evaluations per second, one core
//   scaler-bench make-batch N FILE      writes N cases (JSON Lines) for the --batch benchmark
//
// The case: 2 metrics (CPU utilization and a Pods average), 10 pods, a 20-entry history, the
// behavior path.
import Scaler

#if canImport(Glibc)
import Glibc
#endif

func benchmarkCase(variant: Int) -> String {
    var pods: [String] = []
    var cpu: [String] = []
    var rps: [String] = []
    for index in 0..<10 {
        let name = "web-\(index)"
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
    {"now":"2026-11-20T12:00:00Z","hpa":{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":30,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},{"type":"Pods","pods":{"metric":{"name":"http_requests_per_second"},"target":{"type":"AverageValue","averageValue":"1k"}}}],"behavior":{"scaleDown":{"stabilizationWindowSeconds":300}}}},"scale":{"specReplicas":10,"statusReplicas":10},"pods":[\(pods.joined(separator: ","))],"metrics":[{"podValues":{\(cpu.joined(separator: ","))}},{"podValues":{\(rps.joined(separator: ","))}}],"history":{"recommendations":[\(recommendations.joined(separator: ","))],"scaleUpEvents":[{"timestamp":"2026-11-20T11:59:00Z","change":2}],"scaleDownEvents":[]}}
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
case "make-batch":
    let count = Int(arguments[2]) ?? 100_000
    var output = ""
    for index in 0..<count { output += benchmarkCase(variant: index % 64) + "\n" }
    let file = fopen(arguments[3], "w")
    fputs(output, file)
    fclose(file)
case "evaluate":
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
    let cases = try (0..<64).map { try ReconcileCase(json: benchmarkCase(variant: $0)) }
    // Warm up, then count evaluations until the time is up.
    var checksum = 0
    for reconcileCase in cases { checksum &+= Int(HorizontalController.reconcile(reconcileCase).desiredReplicas) }
    let start = monotonicSeconds()
    var evaluations = 0
    while monotonicSeconds() - start < seconds {
        for _ in 0..<100 {
            for reconcileCase in cases {
                checksum &+= Int(HorizontalController.reconcile(reconcileCase).desiredReplicas)
            }
        }
        evaluations += 100 * cases.count
    }
    let elapsed = monotonicSeconds() - start
    // Peer in the same run: parsing the same case's JSON text once (the cheapest useful thing
    // a caller does with a case).
    let text = benchmarkCase(variant: 1)
    let parseStart = monotonicSeconds()
    var parses = 0
    while monotonicSeconds() - parseStart < seconds / 3 {
        for _ in 0..<100 { if case .object = try JSONParser.parse(text) { parses += 1 } }
    }
    let parseElapsed = monotonicSeconds() - parseStart
    let evaluationRate = Double(evaluations) / elapsed
    let parseRate = Double(parses) / parseElapsed
    print("evaluations_per_second=\(Int(evaluationRate)) json_parses_per_second=\(Int(parseRate)) ratio=\(String(Double(Int(evaluationRate / parseRate * 100)) / 100)) checksum=\(checksum)")
case "count":
    // A fixed number of evaluations, for allocation counts under valgrind.
    let count = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
    let reconcileCase = try ReconcileCase(json: benchmarkCase(variant: 1))
    var checksum = 0
    for _ in 0..<count { checksum &+= Int(HorizontalController.reconcile(reconcileCase).desiredReplicas) }
    print("evaluations=\(count) checksum=\(checksum)")
default:
    print("usage: scaler-bench evaluate [seconds] | make-batch N FILE")
}
