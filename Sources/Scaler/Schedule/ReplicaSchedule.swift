/// One entry of an autoscaler's `schedules:` as the configuration wrote it, before parsing.
///
/// ```yaml
/// - {name: night, start: "0 0 * * *", end: "0 8 * * *", timezone: Europe/Berlin, minReplicas: 1, maxReplicas: 2}
/// ```
public struct ScheduleDefinition: Sendable, Hashable {
    public var name: String
    public var start: String
    public var end: String
    /// An IANA zone ("Europe/Berlin") or "UTC"; required, so "08:00" always means a place's 08:00.
    public var timezone: String?
    public var minReplicas: Int32?
    public var maxReplicas: Int32?

    public init(name: String, start: String, end: String, timezone: String?, minReplicas: Int32? = nil,
                maxReplicas: Int32? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.timezone = timezone
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }
}

/// A schedule entry that cannot be used: the field, and what to do about it.
///
/// `schedules[1].start: "61 * * * *": minute 61 is out of range 0-59`
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field from the `schedules` key down: "schedules[1].start".
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }

    /// The same error under an enclosing key, so the Controller can say
    /// "autoscalers[0].schedules[1].start".
    public func nested(under parent: String) -> ScheduleError {
        ScheduleError(field: parent + "." + field, problem: problem)
    }
}

/// A window of replica bounds: active from each firing of `start` until the next firing of `end`
/// after it, and while active its `minReplicas` and `maxReplicas` (each optional) replace the
/// HorizontalPodAutoscaler's.
///
/// The end is exclusive and must come strictly after the start, so a window whose `start` and
/// `end` fire at the same instant (the seed's night ending at 08:00 as day begins) hands over
/// without a gap or an overlap, and `start` equal to `end` means a window that reopens as it
/// closes.
public struct ReplicaSchedule: Sendable {
    public var name: String
    public var start: CronExpression
    public var end: CronExpression
    public var timeZone: any TimeZoneRules
    public var minReplicas: Int32?
    public var maxReplicas: Int32?

    public init(name: String, start: CronExpression, end: CronExpression, timeZone: any TimeZoneRules,
                minReplicas: Int32? = nil, maxReplicas: Int32? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    /// The window that contains `instant`: the latest start at or before it, when no end falls
    /// between that start and the instant. `until` is nil only if `end` never fires again.
    public func window(containing instant: Timestamp) -> (since: Timestamp, until: Timestamp?)? {
        guard let since = start.previousOccurrence(atOrBefore: instant, in: timeZone) else { return nil }
        let until = end.nextOccurrence(after: since, in: timeZone)
        if let until, until <= instant { return nil }
        return (since, until)
    }

    /// "minReplicas 1, maxReplicas 2", for explanations.
    public var boundsDescription: String {
        var parts: [String] = []
        if let minReplicas { parts.append("minReplicas \(minReplicas)") }
        if let maxReplicas { parts.append("maxReplicas \(maxReplicas)") }
        return parts.joined(separator: ", ")
    }
}

extension ReplicaSchedule {
    /// Parses one definition; `field` is its place in the configuration ("schedules[1]").
    /// `timeZones` turns a zone name into its rules, or nil for a name it does not know.
    public init(
        parsing definition: ScheduleDefinition, field: String, timeZones: (String) -> (any TimeZoneRules)?
    ) throws(ScheduleError) {
        func fail(_ key: String, _ problem: String) -> ScheduleError {
            ScheduleError(field: field + "." + key, problem: problem)
        }
        guard definition.name.contains(where: { !$0.isWhitespace }) else {
            throw fail("name", "is empty; give the schedule a name to show in status and logs")
        }
        let start: CronExpression
        let end: CronExpression
        do {
            start = try CronExpression(parsing: definition.start)
        } catch {
            throw fail("start", error.description)
        }
        do {
            end = try CronExpression(parsing: definition.end)
        } catch {
            throw fail("end", error.description)
        }
        guard let zoneName = definition.timezone else {
            throw fail("timezone", "is required: an IANA zone such as Europe/Berlin, or UTC")
        }
        guard let zone = timeZones(zoneName) else {
            throw fail("timezone", "\"\(zoneName)\" is not a known time zone (use an IANA name such as Europe/Berlin, or UTC)")
        }
        if let minReplicas = definition.minReplicas, minReplicas < 0 {
            throw fail("minReplicas", "must not be negative, found \(minReplicas)")
        }
        if let maxReplicas = definition.maxReplicas, maxReplicas < 1 {
            throw fail("maxReplicas", "must be at least 1, found \(maxReplicas)")
        }
        if let minReplicas = definition.minReplicas, let maxReplicas = definition.maxReplicas, minReplicas > maxReplicas {
            throw fail("minReplicas", "\(minReplicas) is above maxReplicas \(maxReplicas); lower it or raise maxReplicas")
        }
        guard definition.minReplicas != nil || definition.maxReplicas != nil else {
            throw ScheduleError(field: field, problem: "sets neither minReplicas nor maxReplicas, so it would change nothing; add at least one")
        }
        self.init(name: definition.name, start: start, end: end, timeZone: zone,
                  minReplicas: definition.minReplicas, maxReplicas: definition.maxReplicas)
    }
}
