/// The controller's memory for one HPA: its recent recommendations and scale events.
///
/// Upstream keeps these in memory and loses them on restart; Tidepool carries them in the
/// reconcile case, so a decision is a pure function of its input.
public struct ScaleHistory: Sendable, Equatable {
    /// `nil`: the controller has never seen this HPA and seeds `(currentReplicas, now)`.
    public var recommendations: [TimestampedRecommendation]?
    /// Invariant: `change` is positive (the absolute number of replicas added).
    public var scaleUpEvents: [ScaleEvent]
    /// Invariant: `change` is positive (the absolute number of replicas removed).
    public var scaleDownEvents: [ScaleEvent]

    public init(
        recommendations: [TimestampedRecommendation]? = nil,
        scaleUpEvents: [ScaleEvent] = [],
        scaleDownEvents: [ScaleEvent] = []
    ) {
        self.recommendations = recommendations
        self.scaleUpEvents = scaleUpEvents
        self.scaleDownEvents = scaleDownEvents
    }
}

public struct TimestampedRecommendation: Sendable, Equatable {
    public var timestamp: Timestamp
    public var replicas: Int32

    public init(timestamp: Timestamp, replicas: Int32) {
        self.timestamp = timestamp
        self.replicas = replicas
    }
}

public struct ScaleEvent: Sendable, Equatable {
    public var timestamp: Timestamp
    public var change: Int32

    public init(timestamp: Timestamp, change: Int32) {
        self.timestamp = timestamp
        self.change = change
    }
}
