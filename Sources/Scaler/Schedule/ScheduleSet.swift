/// An autoscaler's schedules, and which of them is in force at an instant.
///
/// Overlapping windows: the window that started most recently wins, because the later start is
/// the more specific intent (a 09:00-10:00 burst inside a 06:00-12:00 maintenance window). The
/// whole window wins: a bound it leaves out comes from the HorizontalPodAutoscaler, not from the
/// other active windows, so what is in force is always one window's intent. Windows that start
/// at the same instant: the one listed first wins. When the winner ends while an older window
/// is still active, the older one applies again.
public struct ScheduleSet: Sendable {
    public var schedules: [ReplicaSchedule]

    public init(_ schedules: [ReplicaSchedule]) {
        self.schedules = schedules
    }

    /// Parses the `schedules:` list. `field` names it in errors ("schedules[1].start: ...");
    /// `timeZones` turns a zone name into its rules, or nil for a name it does not know.
    public init(
        parsing definitions: [ScheduleDefinition], field: String = "schedules",
        timeZones: (String) -> (any TimeZoneRules)?
    ) throws(ScheduleError) {
        var schedules: [ReplicaSchedule] = []
        for (index, definition) in definitions.enumerated() {
            let itemField = "\(field)[\(index)]"
            if let earlier = definitions[..<index].firstIndex(where: { $0.name == definition.name }) {
                throw ScheduleError(field: itemField + ".name",
                                    problem: "\"\(definition.name)\" is already the name of \(field)[\(earlier)]; give each schedule its own name")
            }
            schedules.append(try ReplicaSchedule(parsing: definition, field: itemField, timeZones: timeZones))
        }
        self.schedules = schedules
    }

    /// The window in force at `instant`, or nil when no schedule is active.
    public func activeWindow(at instant: Timestamp) -> ActiveWindow? {
        var winner: ActiveWindow?
        for (index, schedule) in schedules.enumerated() {
            guard let window = schedule.window(containing: instant) else { continue }
            // Strictly later, so on equal starts the earlier-listed schedule stays the winner.
            if let current = winner, window.since <= current.since { continue }
            winner = ActiveWindow(schedule: schedule, index: index, since: window.since, until: window.until)
        }
        return winner
    }

    /// The HorizontalPodAutoscaler's bounds with the active window's in their place.
    public func effectiveBounds(minReplicas: Int32, maxReplicas: Int32, at instant: Timestamp) -> EffectiveBounds {
        guard let window = activeWindow(at: instant) else {
            return EffectiveBounds(minReplicas: minReplicas, maxReplicas: maxReplicas)
        }
        return EffectiveBounds(minReplicas: minReplicas, maxReplicas: maxReplicas, schedule: window.schedule)
    }

    /// The first instant after `instant` at which a different window (or none) comes into
    /// force, for status: "next change 2026-11-16T08:00:00+01:00: "day" starts ...". Nil when
    /// nothing changes within the search's reach.
    public func nextChange(after instant: Timestamp) -> ScheduleChange? {
        nextChangeSearch(after: instant).change
    }

    /// How many start and end firings `nextChange` steps through before it gives up: a change
    /// normally comes within a few, but an end that fires every minute while an older window
    /// stays in force could otherwise keep it walking for years.
    static let maximumFiringsSearched = 2048

    /// The next change, and when there is none, how far the search looked: nothing changes
    /// before `searchedUntil`.
    func nextChangeSearch(after instant: Timestamp) -> (change: ScheduleChange?, searchedUntil: Timestamp) {
        let current = activeWindow(at: instant)
        var cursor = instant
        for _ in 0..<ScheduleSet.maximumFiringsSearched {
            // The active window can only change when some start or end fires.
            var firing: Timestamp?
            for schedule in schedules {
                for cron in [schedule.start, schedule.end] {
                    guard let next = cron.nextOccurrence(after: cursor, in: schedule.timeZone) else { continue }
                    if firing.map({ next < $0 }) ?? true { firing = next }
                }
            }
            guard let firing else { return (nil, cursor + CronExpression.searchHorizon) }
            let window = activeWindow(at: firing)
            if window?.index != current?.index {
                return (ScheduleChange(at: firing, from: current, to: window), firing)
            }
            cursor = firing
        }
        return (nil, cursor)
    }
}

/// A schedule in force: which one, since when, and until when.
public struct ActiveWindow: Sendable {
    public var schedule: ReplicaSchedule
    /// The schedule's position in the list.
    public var index: Int
    /// The start firing that opened the window.
    public var since: Timestamp
    /// The end firing that will close it; nil only if `end` never fires again.
    public var until: Timestamp?
}

/// What changes next, for status.
public struct ScheduleChange: Sendable, CustomStringConvertible {
    public var at: Timestamp
    public var from: ActiveWindow?
    public var to: ActiveWindow?

    /// `at` on the wall clock of the schedule that changes it: "2026-11-16T08:00:00+01:00".
    public var localTime: String {
        guard let zone = (to ?? from)?.schedule.timeZone else { return at.rfc3339 }
        return at.rfc3339(in: zone)
    }

    /// What happens: "\"day\" starts and takes over from \"night\": minReplicas 3".
    public var description: String {
        switch (from, to) {
        case (nil, nil):
            return "no schedule change"
        case (let from?, nil):
            return "\"\(from.schedule.name)\" ends: the autoscaler's own minReplicas and maxReplicas apply"
        case (nil, let to?):
            return "\"\(to.schedule.name)\" starts: \(to.schedule.boundsDescription)"
        case (let from?, let to?):
            if to.since == at {
                return "\"\(to.schedule.name)\" starts and takes over from \"\(from.schedule.name)\": \(to.schedule.boundsDescription)"
            }
            return "\"\(from.schedule.name)\" ends and \"\(to.schedule.name)\" applies again: \(to.schedule.boundsDescription)"
        }
    }
}

/// The replica bounds in force, and the schedule that set them.
public struct EffectiveBounds: Sendable, Hashable {
    public var minReplicas: Int32
    public var maxReplicas: Int32
    /// The active schedule's name; nil when the HorizontalPodAutoscaler's own bounds apply.
    public var activeSchedule: String?

    public init(minReplicas: Int32, maxReplicas: Int32, activeSchedule: String? = nil) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.activeSchedule = activeSchedule
    }

    /// The HorizontalPodAutoscaler's bounds with the schedule's in their place. When a window
    /// sets one bound past the HPA's other one (a minReplicas of 3 against an HPA maxReplicas
    /// of 2), the window's figure stands and the HPA's gives way to it (3 and 3): the window is
    /// the operator's intent for this hour, the HPA's figure a standing default.
    public init(minReplicas: Int32, maxReplicas: Int32, schedule: ReplicaSchedule) {
        var lower = schedule.minReplicas ?? minReplicas
        var upper = schedule.maxReplicas ?? maxReplicas
        if lower > upper {
            if schedule.minReplicas != nil { upper = lower } else { lower = upper }
        }
        self.init(minReplicas: lower, maxReplicas: upper, activeSchedule: schedule.name)
    }
}

/// Which schedule is in force, for instants that mostly move forward, as in a reconcile loop or
/// a replay: it keeps the answer until the next change, so a sync costs a comparison rather than
/// a search through the calendar. It answers with the schedule and the bounds rather than an
/// `ActiveWindow`, whose `since` moves when an active schedule's start fires again without
/// changing anything in force.
public struct ScheduleTimeline: Sendable {
    public let schedules: ScheduleSet
    private var known: (from: Timestamp, until: Timestamp, schedule: ReplicaSchedule?)?

    public init(_ schedules: ScheduleSet) {
        self.schedules = schedules
    }

    /// The schedule in force at `instant`, as `ScheduleSet.activeWindow(at:)` would find it.
    public mutating func activeSchedule(at instant: Timestamp) -> ReplicaSchedule? {
        if let known, known.from <= instant, instant < known.until { return known.schedule }
        let schedule = schedules.activeWindow(at: instant)?.schedule
        let search = schedules.nextChangeSearch(after: instant)
        known = (instant, search.change?.at ?? search.searchedUntil, schedule)
        return schedule
    }

    public mutating func effectiveBounds(minReplicas: Int32, maxReplicas: Int32, at instant: Timestamp) -> EffectiveBounds {
        guard let schedule = activeSchedule(at: instant) else {
            return EffectiveBounds(minReplicas: minReplicas, maxReplicas: maxReplicas)
        }
        return EffectiveBounds(minReplicas: minReplicas, maxReplicas: maxReplicas, schedule: schedule)
    }
}
