/// The joins every evaluation of a case needs, made once when the case is built: each
/// metric's samples matched to pods by name, and each pod's request for the resources that
/// Utilization targets divide by. A reconcile then works on arrays and never hashes a name.
///
/// Invariant: `plans.count == podMetrics.count == requests.count == spec.metrics.count`.
struct PreparedInputs: Sendable {
    var plans: [MetricPlan]
    var podMetrics: [PodMetrics?]
    var requests: [RequestTotals?]
    /// What grouping reads of each pod, without the names and containers, so the per-metric
    /// loops copy no reference-counted values.
    var podStates: [PodState]

    /// `requests`: the totals for this spec and these pods when the caller has them already.
    init(spec: HorizontalPodAutoscalerSpec, pods: [Pod], metrics: [MetricObservation], tables: PodTables,
         requests knownRequests: [RequestTotals?]? = nil) {
        // Each member is built apart and stored once: appending to `self`'s own arrays inside
        // the initializer measured some 460 instructions a case more.
        podStates = tables.states
        plans = spec.metrics.map(MetricPlan.init)
        podMetrics = Self.podMetrics(spec: spec, pods: pods, metrics: metrics, tables: tables)
        requests = knownRequests ?? Self.requests(spec: spec, pods: pods)
    }

    private static func podMetrics(
        spec: HorizontalPodAutoscalerSpec, pods: [Pod], metrics: [MetricObservation], tables: PodTables
    ) -> [PodMetrics?] {
        var podMetrics: [PodMetrics?] = []
        podMetrics.reserveCapacity(spec.metrics.count)
        for position in spec.metrics.indices {
            if position < metrics.count, case .podValues(let samples) = metrics[position] {
                podMetrics.append(PodMetrics(podCount: pods.count, samples: samples, index: tables.index,
                                             uniquelyNamedPods: tables.namesAreUnique ? pods : nil))
            } else {
                podMetrics.append(nil)
            }
        }
        return podMetrics
    }

    private static func requests(spec: HorizontalPodAutoscalerSpec, pods: [Pod]) -> [RequestTotals?] {
        var requests: [RequestTotals?] = []
        requests.reserveCapacity(spec.metrics.count)
        for metric in spec.metrics {
            switch metric {
            case .resource(let name, let target) where target.averageValue == nil:
                requests.append(RequestTotals(pods: pods, resource: name, container: nil))
            case .containerResource(let name, let container, let target) where target.averageValue == nil:
                requests.append(RequestTotals(pods: pods, resource: name, container: container))
            default:
                requests.append(nil)
            }
        }
        return requests
    }
}

/// What a case's pods alone determine, built once per list of pods (a batch keeps it while
/// consecutive lines repeat their pods).
struct PodTables: Sendable {
    /// Pod name to its position (the first, if a name repeats).
    let index: [String: Int]
    /// Every name appears once, so a sample naming `pods[i]` belongs to position i.
    let namesAreUnique: Bool
    let states: [PodState]

    init(_ pods: [Pod]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(pods.count)
        for (position, pod) in pods.enumerated() where index[pod.name] == nil {
            index[pod.name] = position
        }
        self.index = index
        namesAreUnique = index.count == pods.count
        states = pods.map(PodState.init)
    }
}

/// Upstream's `calculateRequests`: each pod's request for a resource, summed over its
/// containers and restartable init containers, or the named container's alone; or the first
/// error upstream would report.
enum RequestTotals: Sendable {
    case totals([Int64])
    case failure(String)

    init(pods: [Pod], resource: String, container: String?) {
        var totals: [Int64] = []
        totals.reserveCapacity(pods.count)
        for pod in pods {
            var request: Int64 = 0
            var matched = false
            // Upstream's candidates in its order: the containers, then the restartable init
            // containers (indexed as one list, so no joined array is built per pod).
            let containerCount = pod.containers.count
            for position in 0..<(containerCount + pod.initContainers.count) {
                let isInit = position >= containerCount
                let candidate = isInit ? pod.initContainers[position - containerCount] : pod.containers[position]
                if isInit && candidate.restartPolicy != "Always" { continue }
                guard container == nil || container == candidate.name else { continue }
                guard let value = candidate.requests[resource] else {
                    self = .failure("missing request for \(resource) in container \(candidate.name) of Pod \(pod.name)")
                    return
                }
                request = request &+ value
                // Container names are unique inside a pod.
                if container != nil {
                    matched = true
                    break
                }
            }
            if let container, !matched {
                self = .failure("container \(container) not found in Pod \(pod.name)")
                return
            }
            totals.append(request)
        }
        self = .totals(totals)
    }
}

/// The facts about a pod that upstream's `groupPods` and `getReadyPodsCount` read.
struct PodState: Sendable {
    var phase: Pod.Phase
    var deleted: Bool
    var ready: Bool?
    var startTime: Timestamp?
    var readyTransitionTime: Timestamp

    init(_ pod: Pod) {
        phase = pod.phase
        deleted = pod.deleted
        ready = pod.ready
        startTime = pod.startTime
        readyTransitionTime = pod.readyTransitionTime
    }
}
