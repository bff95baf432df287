/// One metric's per-pod samples joined to the case's pods: upstream's `PodMetricsInfo` map,
/// laid out as arrays so the calculator never hashes a pod name.
///
/// Invariant: `values.count == samples.count == pods.count`; `values[i]` is pod i's sample in
/// milli-units, or nil when the pod has no metric. `superfluous` holds samples naming no pod:
/// upstream keeps those in its map, so they count in averages and lengths.
///
/// A class, built once per case and only read: handing it to a calculation retains one
/// reference rather than each of its arrays. A calculation that removes or replaces samples
/// works on its own copy of `values`.
final class PodMetrics: Sendable {
    let values: [Int64?]
    let samples: [PodSample?]
    let superfluous: [Int64]

    /// `uniquelyNamedPods`: the pods, when no two share a name (else nil); samples listed in
    /// pod order are then placed by position without hashing their names.
    init(podCount: Int, samples pairs: [PodValue], index: [String: Int], uniquelyNamedPods: [Pod]?) {
        // Filled by appending: `Array(repeating:count:)` of an optional looks the array type's
        // metadata up at run time on every call, which cost more than the loop.
        var values: [Int64?] = []
        var samples: [PodSample?] = []
        values.reserveCapacity(podCount)
        samples.reserveCapacity(podCount)
        for _ in 0..<podCount {
            values.append(nil)
            samples.append(nil)
        }
        var superfluous: [Int64] = []
        for (offset, value) in pairs.enumerated() {
            let name = value.pod
            let sample = value.sample
            let position: Int?
            if let pods = uniquelyNamedPods, offset < pods.count, pods[offset].name == name {
                position = offset
            } else {
                position = index[name]
            }
            if let position {
                values[position] = sample.milliValue
                samples[position] = sample
            } else {
                superfluous.append(sample.milliValue)
            }
        }
        self.values = values
        self.samples = samples
        self.superfluous = superfluous
    }

    /// `len(metrics)` upstream, once the samples of `values` alone remain of the pods' ones.
    func count(keeping values: [Int64?]) -> Int {
        var present = superfluous.count
        for value in values where value != nil { present += 1 }
        return present
    }
}

/// Upstream's `groupPods` result.
struct PodGroups {
    var readyPodCount = 0
    /// Each set holds pod positions. Pending pods and CPU-unready pods are "unready".
    var unready: [Int] = []
    var missing: [Int] = []
    var ignored: [Int] = []
}

extension PodGroups {
    /// Sorts pods as upstream's `groupPods`: deleted or Failed pods are ignored, Pending pods
    /// are unready, pods without a sample are missing, and for CPU a pod is unready while it
    /// initializes or when its sample predates its readiness.
    init(
        pods: [PodState],
        samples: [PodSample?],
        isCPU: Bool,
        now: Timestamp,
        cpuInitializationPeriod: TimeSpan,
        initialReadinessDelay: TimeSpan
    ) {
        // The invariant gives `samples.count == pods.count`: checked once, not per pod.
        precondition(samples.count == pods.count, "one sample slot per pod")
        pods.withUnsafeBufferPointer { pods in
            samples.withUnsafeBufferPointer { samples in
                for position in pods.indices {
                    switch Self.group(pods[position], sample: samples[position], isCPU: isCPU, now: now,
                                      cpuInitializationPeriod: cpuInitializationPeriod,
                                      initialReadinessDelay: initialReadinessDelay) {
                    case .ignored: ignored.append(position)
                    case .unready: unready.append(position)
                    case .missing: missing.append(position)
                    case .ready: readyPodCount += 1
                    }
                }
            }
        }
    }

    private enum Group { case ignored, unready, missing, ready }

    private static func group(
        _ pod: PodState, sample: PodSample?, isCPU: Bool, now: Timestamp,
        cpuInitializationPeriod: TimeSpan, initialReadinessDelay: TimeSpan
    ) -> Group {
        if pod.deleted || pod.phase == .failed { return .ignored }
        if pod.phase == .pending { return .unready }
        guard let sample else { return .missing }
        guard isCPU else { return .ready }
        guard let ready = pod.ready, let startTime = pod.startTime else { return .unready }
        if startTime + cpuInitializationPeriod > now {
            // Still initializing: skip the sample unless one whole window of it was collected
            // after the pod last became ready.
            return !ready || sample.timestamp < pod.readyTransitionTime + sample.window ? .unready : .ready
        }
        // Skip only a pod that is unready and has never been ready.
        return !ready && startTime + initialReadinessDelay > pod.readyTransitionTime ? .unready : .ready
    }
}
