/// A pod as the algorithm sees it: phase, deletion, readiness, start time and requests.
public struct Pod: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        case pending = "Pending"
        case running = "Running"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case unknown = "Unknown"
    }

    public var name: String
    public var phase: Phase
    /// A deletion timestamp is set.
    public var deleted: Bool
    public var startTime: Timestamp?
    /// The Ready condition's status; `nil` when the pod has no Ready condition.
    public var ready: Bool?
    /// The Ready condition's lastTransitionTime (Go's zero time when unset).
    public var readyTransitionTime: Timestamp
    public var containers: [Container]
    public var initContainers: [Container]

    public init(
        name: String,
        phase: Phase = .running,
        deleted: Bool = false,
        startTime: Timestamp? = nil,
        ready: Bool? = true,
        readyTransitionTime: Timestamp = .distantPast,
        containers: [Container] = [],
        initContainers: [Container] = []
    ) {
        self.name = name
        self.phase = phase
        self.deleted = deleted
        self.startTime = startTime
        self.ready = ready
        self.readyTransitionTime = readyTransitionTime
        self.containers = containers
        self.initContainers = initContainers
    }

    /// Upstream's `podutil.IsPodReady`: the Ready condition is True.
    public var isReady: Bool { ready == true }
}

public struct Container: Sendable, Equatable {
    public var name: String
    /// Resource name to request, in milli-units.
    public var requests: [String: Int64]
    /// `Always` marks a restartable (sidecar) init container, whose requests count.
    public var restartPolicy: String?

    public init(name: String, requests: [String: Int64] = [:], restartPolicy: String? = nil) {
        self.name = name
        self.requests = requests
        self.restartPolicy = restartPolicy
    }
}
