import Foundation
import Scaler
import Testing

/// The tz database through Foundation, as the Controller supplies it; the Scaler itself never
/// imports Foundation.
struct FoundationZoneRules: TimeZoneRules {
    let zone: TimeZone

    init(_ identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { preconditionFailure("unknown test zone \(identifier)") }
        self.zone = zone
    }

    var identifier: String { zone.identifier }

    func utcOffset(at instant: Timestamp) -> Int {
        zone.secondsFromGMT(for: instant.date)
    }

    /// Resolves names as the Controller will: UTC and fixed offsets without a database, the rest
    /// through it.
    static func resolve(_ name: String) -> (any TimeZoneRules)? {
        if let fixed = FixedOffsetTimeZone(identifier: name) { return fixed }
        guard TimeZone(identifier: name) != nil else { return nil }
        return FoundationZoneRules(name)
    }
}

extension Timestamp {
    /// Whole seconds are enough for cron, and keep the conversion exact.
    fileprivate var date: Date {
        let seconds = nanosecondsSinceEpoch / 1_000_000_000 - (nanosecondsSinceEpoch % 1_000_000_000 < 0 ? 1 : 0)
        return Date(timeIntervalSince1970: Double(seconds))
    }
}

private func at(_ text: String) -> Timestamp {
    guard let timestamp = Timestamp(rfc3339: text) else { preconditionFailure("bad test timestamp \(text)") }
    return timestamp
}

private let berlin = FoundationZoneRules("Europe/Berlin")

private func schedule(
    _ name: String, _ start: String, _ end: String, zone: any TimeZoneRules = berlin, min: Int32? = nil, max: Int32? = nil
) throws -> ReplicaSchedule {
    ReplicaSchedule(name: name, start: try CronExpression(parsing: start), end: try CronExpression(parsing: end),
                    timeZone: zone, minReplicas: min, maxReplicas: max)
}

/// The seed's schedules (shared/spec/config.md).
private func dayAndNight() throws -> ScheduleSet {
    try ScheduleSet(parsing: [
        ScheduleDefinition(name: "night", start: "0 0 * * *", end: "0 8 * * *", timezone: "Europe/Berlin", minReplicas: 1, maxReplicas: 2),
        ScheduleDefinition(name: "day", start: "0 8 * * 1-5", end: "0 20 * * 1-5", timezone: "Europe/Berlin", minReplicas: 3),
    ], timeZones: FoundationZoneRules.resolve)
}

/// Every firing of `cron` in (from, through], in order.
private func firings(of cron: String, in zone: some TimeZoneRules, from: Timestamp, through: Timestamp) throws -> [Timestamp] {
    let expression = try CronExpression(parsing: cron)
    var result: [Timestamp] = []
    var cursor = from
    while let next = expression.nextOccurrence(after: cursor, in: zone), next <= through {
        result.append(next)
        cursor = next
    }
    return result
}

@Suite("Schedules: the seed's day and night")
struct DayNightScheduleTests {
    /// The HPA's own bounds in these tests.
    let hpaMin: Int32 = 2
    let hpaMax: Int32 = 10

    @Test("a week in 15-minute steps matches the wall-clock rule written out by hand")
    func week() throws {
        let schedules = try dayAndNight()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = berlin.zone
        // Monday 2026-11-16 00:00 to Monday 2026-11-23 00:00, Berlin (UTC+1 all week).
        var instant = at("2026-11-15T23:00:00Z")
        var seen: Set<String> = []
        while instant < at("2026-11-22T23:00:00Z") {
            let parts = calendar.dateComponents([.hour, .weekday], from: instant.date)
            let hour = try #require(parts.hour)
            let isWeekday = try #require(parts.weekday) != 1 && parts.weekday != 7  // Foundation: 1 is Sunday
            let expected: EffectiveBounds
            if hour < 8 {
                expected = EffectiveBounds(minReplicas: 1, maxReplicas: 2, activeSchedule: "night")
            } else if isWeekday && hour < 20 {
                expected = EffectiveBounds(minReplicas: 3, maxReplicas: hpaMax, activeSchedule: "day")
            } else {
                expected = EffectiveBounds(minReplicas: hpaMin, maxReplicas: hpaMax)
            }
            #expect(schedules.effectiveBounds(minReplicas: hpaMin, maxReplicas: hpaMax, at: instant) == expected,
                    "at \(instant.rfc3339(in: berlin))")
            seen.insert(expected.activeSchedule ?? "none")
            instant = instant + .seconds(15 * 60)
        }
        #expect(seen == ["night", "day", "none"])
    }

    @Test("the changes over a week, as status shows them")
    func changes() throws {
        let schedules = try dayAndNight()
        var instant = at("2026-11-20T12:00:00Z")  // Friday 13:00 in Berlin: day is on
        var lines: [String] = []
        for _ in 0..<7 {
            let change = try #require(schedules.nextChange(after: instant))
            lines.append("\(change.localTime) \(change)")
            instant = change.at
        }
        #expect(lines == [
            "2026-11-20T20:00:00+01:00 \"day\" ends: the autoscaler's own minReplicas and maxReplicas apply",
            "2026-11-21T00:00:00+01:00 \"night\" starts: minReplicas 1, maxReplicas 2",
            "2026-11-21T08:00:00+01:00 \"night\" ends: the autoscaler's own minReplicas and maxReplicas apply",
            "2026-11-22T00:00:00+01:00 \"night\" starts: minReplicas 1, maxReplicas 2",
            "2026-11-22T08:00:00+01:00 \"night\" ends: the autoscaler's own minReplicas and maxReplicas apply",
            "2026-11-23T00:00:00+01:00 \"night\" starts: minReplicas 1, maxReplicas 2",
            "2026-11-23T08:00:00+01:00 \"day\" starts and takes over from \"night\": minReplicas 3",
        ])
    }

    @Test("at 08:00 night has ended and day has begun: the end is exclusive, the start inclusive")
    func handover() throws {
        let schedules = try dayAndNight()
        let eight = at("2026-11-16T07:00:00Z")
        #expect(schedules.activeWindow(at: eight - TimeSpan(nanoseconds: 1))?.schedule.name == "night")
        let window = try #require(schedules.activeWindow(at: eight))
        #expect(window.schedule.name == "day")
        #expect(window.since == eight)
        #expect(window.until == at("2026-11-16T19:00:00Z"))
        let night = try #require(schedules.activeWindow(at: at("2026-11-16T03:00:00Z")))
        #expect(night.since == at("2026-11-15T23:00:00Z"))
        #expect(night.until == eight)
    }

    @Test("the timeline agrees with the full search, step by step, across a spring-forward week")
    func timeline() throws {
        let schedules = try dayAndNight()
        var timeline = ScheduleTimeline(schedules)
        var instant = at("2026-03-25T00:00:00Z")
        while instant < at("2026-04-01T00:00:00Z") {
            let expected = schedules.effectiveBounds(minReplicas: 2, maxReplicas: 10, at: instant)
            #expect(timeline.effectiveBounds(minReplicas: 2, maxReplicas: 10, at: instant) == expected, "at \(instant)")
            instant = instant + .seconds(157)  // off the minute, so boundaries fall between steps too
        }
        // Going back in time is answered afresh, not from the cache.
        #expect(timeline.activeSchedule(at: at("2026-03-25T01:00:00Z"))?.name == "night")
    }
}

@Suite("Schedules: daylight-saving changes")
struct DaylightSavingScheduleTests {
    @Test("spring forward, 2026-03-29: 02:30 does not exist and fires at 03:00, once")
    func springForwardFiring() throws {
        let thirty = try firings(of: "30 2 * * *", in: berlin, from: at("2026-03-27T12:00:00Z"), through: at("2026-03-30T12:00:00Z"))
        #expect(thirty == [
            at("2026-03-28T01:30:00Z"),  // 02:30 CET
            at("2026-03-29T01:00:00Z"),  // the jump: 03:00 CEST
            at("2026-03-30T00:30:00Z"),  // 02:30 CEST
        ])
        #expect(thirty[1].rfc3339(in: berlin) == "2026-03-29T03:00:00+02:00")
        let two = try firings(of: "0 2 * * *", in: berlin, from: at("2026-03-28T12:00:00Z"), through: at("2026-03-29T12:00:00Z"))
        #expect(two == [at("2026-03-29T01:00:00Z")])
        // Every quarter of the missing hour lands on the same instant: fired once.
        let quarters = try firings(of: "*/15 2 * * *", in: berlin, from: at("2026-03-28T12:00:00Z"), through: at("2026-03-29T12:00:00Z"))
        #expect(quarters == [at("2026-03-29T01:00:00Z")])
        // 03:00 itself is not moved, and is the same instant.
        let three = try firings(of: "0 3 * * *", in: berlin, from: at("2026-03-28T12:00:00Z"), through: at("2026-03-29T12:00:00Z"))
        #expect(three == [at("2026-03-29T01:00:00Z")])
    }

    @Test("spring forward: previous occurrences see the moved firing")
    func springForwardPrevious() throws {
        let expression = try CronExpression(parsing: "30 2 * * *")
        #expect(expression.previousOccurrence(atOrBefore: at("2026-03-29T01:00:00Z"), in: berlin) == at("2026-03-29T01:00:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-03-29T00:59:59Z"), in: berlin) == at("2026-03-28T01:30:00Z"))
    }

    @Test("spring forward: the night runs 00:00 CET to 08:00 CEST, seven hours")
    func springForwardNight() throws {
        let schedules = try dayAndNight()
        let window = try #require(schedules.activeWindow(at: at("2026-03-29T01:30:00Z")))
        #expect(window.schedule.name == "night")
        #expect(window.since == at("2026-03-28T23:00:00Z"))
        #expect(window.until == at("2026-03-29T06:00:00Z"))
        #expect(try #require(window.until) - window.since == .seconds(7 * 3600))
        #expect(schedules.activeWindow(at: at("2026-03-29T06:00:00Z")) == nil)  // Sunday: no day window
    }

    @Test("spring forward: a window from 02:30 to 03:30 opens at 03:00 and lasts half an hour")
    func springForwardWindowInTheGap() throws {
        let window = try schedule("gap", "30 2 * * *", "30 3 * * *", min: 4)
        let open = try #require(window.window(containing: at("2026-03-29T01:10:00Z")))
        #expect(open.since == at("2026-03-29T01:00:00Z"))
        #expect(open.until == at("2026-03-29T01:30:00Z"))
        #expect(window.window(containing: at("2026-03-29T00:59:59Z")) == nil)
        // A window ending in the gap closes at the jump: 01:00 CET to 03:00 CEST is one hour.
        let before = try schedule("before", "0 1 * * *", "30 2 * * *", min: 4)
        let closing = try #require(before.window(containing: at("2026-03-29T00:30:00Z")))
        #expect(closing.since == at("2026-03-29T00:00:00Z"))
        #expect(closing.until == at("2026-03-29T01:00:00Z"))
    }

    @Test("fall back, 2026-10-25: 02:30 happens twice and fires at the first")
    func fallBackFiring() throws {
        let thirty = try firings(of: "30 2 * * *", in: berlin, from: at("2026-10-23T12:00:00Z"), through: at("2026-10-26T12:00:00Z"))
        #expect(thirty == [
            at("2026-10-24T00:30:00Z"),  // 02:30 CEST
            at("2026-10-25T00:30:00Z"),  // the first 02:30 (CEST); the second, 01:30Z, does not fire
            at("2026-10-26T01:30:00Z"),  // 02:30 CET
        ])
        let halves = try firings(of: "*/30 2 * * *", in: berlin, from: at("2026-10-24T12:00:00Z"), through: at("2026-10-25T12:00:00Z"))
        #expect(halves == [at("2026-10-25T00:00:00Z"), at("2026-10-25T00:30:00Z")])
        let three = try firings(of: "0 3 * * *", in: berlin, from: at("2026-10-24T12:00:00Z"), through: at("2026-10-25T12:00:00Z"))
        #expect(three == [at("2026-10-25T02:00:00Z")])  // 03:00 CET, two hours after 02:00 CEST
    }

    @Test("fall back: previous occurrence during the repeated hour is its first pass")
    func fallBackPrevious() throws {
        let expression = try CronExpression(parsing: "30 2 * * *")
        // 02:10 CET, the second pass: 02:30 CEST came 40 minutes ago.
        #expect(expression.previousOccurrence(atOrBefore: at("2026-10-25T01:10:00Z"), in: berlin) == at("2026-10-25T00:30:00Z"))
        #expect(expression.nextOccurrence(after: at("2026-10-25T01:10:00Z"), in: berlin) == at("2026-10-26T01:30:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-10-25T00:29:59Z"), in: berlin) == at("2026-10-24T00:30:00Z"))
    }

    @Test("fall back: the night runs 00:00 CEST to 08:00 CET, nine hours")
    func fallBackNight() throws {
        let schedules = try dayAndNight()
        let window = try #require(schedules.activeWindow(at: at("2026-10-25T01:30:00Z")))
        #expect(window.schedule.name == "night")
        #expect(window.since == at("2026-10-24T22:00:00Z"))
        #expect(window.until == at("2026-10-25T07:00:00Z"))
        #expect(try #require(window.until) - window.since == .seconds(9 * 3600))
    }

    @Test("fall back: a window from 02:00 to 03:00 spans both passes of the repeated hour")
    func fallBackWindowOverTheRepeat() throws {
        let window = try schedule("repeat", "0 2 * * *", "0 3 * * *", min: 4)
        for instant in [at("2026-10-25T00:00:00Z"), at("2026-10-25T00:59:59Z"), at("2026-10-25T01:30:00Z")] {
            let open = try #require(window.window(containing: instant), "at \(instant)")
            #expect(open.since == at("2026-10-25T00:00:00Z"))
            #expect(open.until == at("2026-10-25T02:00:00Z"))
        }
        #expect(window.window(containing: at("2026-10-25T02:00:00Z")) == nil)
    }

    @Test("a zone that springs forward at midnight: 00:00 fires at 01:00 (America/Santiago, 2026-09-06)")
    func midnightGap() throws {
        let santiago = FoundationZoneRules("America/Santiago")
        let midnights = try firings(of: "0 0 * * *", in: santiago, from: at("2026-09-04T12:00:00Z"), through: at("2026-09-07T12:00:00Z"))
        #expect(midnights == [
            at("2026-09-05T04:00:00Z"),  // 00:00 -04
            at("2026-09-06T04:00:00Z"),  // the jump: 01:00 -03
            at("2026-09-07T03:00:00Z"),  // 00:00 -03
        ])
        #expect(midnights[1].rfc3339(in: santiago) == "2026-09-06T01:00:00-03:00")
        // A night window from midnight to 08:00 on that day is seven hours long.
        let night = try schedule("night", "0 0 * * *", "0 8 * * *", zone: santiago, max: 2)
        let open = try #require(night.window(containing: at("2026-09-06T05:00:00Z")))
        #expect(try #require(open.until) - open.since == .seconds(7 * 3600))
    }

    @Test("a zone that falls back at midnight: Saturday 23:30 fires once, Sunday 00:00 once (America/Santiago, 2026-04-05)")
    func midnightRepeat() throws {
        let santiago = FoundationZoneRules("America/Santiago")
        // 00:00 -03 on Sunday becomes 23:00 -04 on Saturday: Saturday's last hour repeats.
        let lateEvening = try firings(of: "30 23 * * *", in: santiago, from: at("2026-04-04T12:00:00Z"), through: at("2026-04-05T12:00:00Z"))
        #expect(lateEvening == [at("2026-04-05T02:30:00Z")])
        let midnight = try firings(of: "0 0 * * *", in: santiago, from: at("2026-04-04T12:00:00Z"), through: at("2026-04-05T12:00:00Z"))
        #expect(midnight == [at("2026-04-05T04:00:00Z")])
        // During the repeated hour (23:15 -04), the last 23:30 was the first pass's.
        let expression = try CronExpression(parsing: "30 23 * * *")
        #expect(expression.previousOccurrence(atOrBefore: at("2026-04-05T03:15:00Z"), in: santiago) == at("2026-04-05T02:30:00Z"))
    }

    @Test("a half-hour shift: Lord Howe Island springs forward 02:00 to 02:30 (2026-10-04)")
    func halfHourShift() throws {
        let lordHowe = FoundationZoneRules("Australia/Lord_Howe")
        let fifteen = try firings(of: "15 2 * * *", in: lordHowe, from: at("2026-10-02T12:00:00Z"), through: at("2026-10-04T12:00:00Z"))
        // 02:15 on the 3rd is +10:30; on the 4th it is skipped and fires at the jump (15:30Z on the 3rd).
        #expect(fifteen == [at("2026-10-02T15:45:00Z"), at("2026-10-03T15:30:00Z")])
        #expect(fifteen[1].rfc3339(in: lordHowe) == "2026-10-04T02:30:00+11:00")
    }

    @Test("next and previous agree with each other and with Foundation's calendar, through a year of transitions",
          arguments: ["Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu"])
    func agreesWithFoundation(_ zoneName: String) throws {
        let zone = FoundationZoneRules(zoneName)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone.zone
        var random = SplitMixGenerator(seed: 0x5EED_0000 &+ UInt64(zoneName.utf8.count))
        let yearStart = at("2026-01-01T00:00:00Z").nanosecondsSinceEpoch / 1_000_000_000
        for _ in 0..<300 {
            let hour = Int(random.next() % 24)
            let minute = Int(random.next() % 4) * 15
            let expression = try CronExpression(parsing: "\(minute) \(hour) * * *")
            let instant = Timestamp(secondsSinceEpoch: yearStart + Int64(random.next() % (366 * 86_400)))
            let next = try #require(expression.nextOccurrence(after: instant, in: zone))
            #expect(next > instant)
            // Nothing fires between the instant and the answer.
            #expect(expression.previousOccurrence(atOrBefore: next - TimeSpan(nanoseconds: 1), in: zone).map { $0 <= instant } ?? true)
            #expect(expression.previousOccurrence(atOrBefore: next, in: zone) == next)
            // The clock shows the time asked for, or the answer is a spring-forward jump past it.
            let shown = calendar.dateComponents([.hour, .minute], from: next.date)
            let isJump = zone.utcOffset(at: next - .seconds(1)) < zone.utcOffset(at: next)
            #expect((shown.hour == hour && shown.minute == minute) || isJump,
                    "\(expression) after \(instant): \(next.rfc3339(in: zone))")
        }
    }
}

@Suite("Schedules: overlaps and windows across midnight")
struct OverlappingScheduleTests {
    let utc = FixedOffsetTimeZone.utc

    /// A night across midnight, a long maintenance window and a burst inside it.
    func overlapping() throws -> ScheduleSet {
        ScheduleSet([
            try schedule("night", "0 22 * * *", "0 7 * * *", zone: utc, max: 2),
            try schedule("maintenance", "0 6 * * *", "0 12 * * *", zone: utc, min: 5),
            try schedule("burst", "0 9 * * *", "0 10 * * *", zone: utc, min: 8, max: 20),
        ])
    }

    @Test("the most recent start wins, and an older window applies again when it ends", arguments: [
        ("2026-11-20T05:59:00Z", "night"),
        ("2026-11-20T06:00:00Z", "maintenance"),  // night still runs until 07:00, but started earlier
        ("2026-11-20T07:30:00Z", "maintenance"),
        ("2026-11-20T09:00:00Z", "burst"),
        ("2026-11-20T09:59:59Z", "burst"),
        ("2026-11-20T10:00:00Z", "maintenance"),  // burst ended; maintenance (since 06:00) again
        ("2026-11-20T12:00:00Z", nil),
        ("2026-11-20T21:59:59Z", nil),
        ("2026-11-20T22:00:00Z", "night"),
        ("2026-11-21T00:00:00Z", "night"),  // across midnight
    ] as [(String, String?)])
    func winner(_ instant: String, _ expected: String?) throws {
        #expect(try overlapping().activeWindow(at: at(instant))?.schedule.name == expected)
    }

    @Test("the whole winning window applies: bounds it leaves out are the HPA's, not another window's")
    func wholeWindowWins() throws {
        let schedules = try overlapping()
        // 06:30: night (max 2) and maintenance (min 5) are both active; maintenance wins alone.
        #expect(schedules.effectiveBounds(minReplicas: 1, maxReplicas: 10, at: at("2026-11-20T06:30:00Z"))
            == EffectiveBounds(minReplicas: 5, maxReplicas: 10, activeSchedule: "maintenance"))
        #expect(schedules.effectiveBounds(minReplicas: 1, maxReplicas: 10, at: at("2026-11-20T09:30:00Z"))
            == EffectiveBounds(minReplicas: 8, maxReplicas: 20, activeSchedule: "burst"))
        #expect(schedules.effectiveBounds(minReplicas: 1, maxReplicas: 10, at: at("2026-11-20T23:30:00Z"))
            == EffectiveBounds(minReplicas: 1, maxReplicas: 2, activeSchedule: "night"))
    }

    @Test("next changes through the overlaps")
    func changes() throws {
        let schedules = try overlapping()
        var instant = at("2026-11-20T05:00:00Z")
        var lines: [String] = []
        for _ in 0..<5 {
            let change = try #require(schedules.nextChange(after: instant))
            lines.append("\(change.at) \(change)")
            instant = change.at
        }
        #expect(lines == [
            "2026-11-20T06:00:00Z \"maintenance\" starts and takes over from \"night\": minReplicas 5",
            "2026-11-20T09:00:00Z \"burst\" starts and takes over from \"maintenance\": minReplicas 8, maxReplicas 20",
            "2026-11-20T10:00:00Z \"burst\" ends and \"maintenance\" applies again: minReplicas 5",
            "2026-11-20T12:00:00Z \"maintenance\" ends: the autoscaler's own minReplicas and maxReplicas apply",
            "2026-11-20T22:00:00Z \"night\" starts: maxReplicas 2",
        ])
    }

    @Test("windows starting at the same instant: the one listed first wins")
    func tie() throws {
        let first = try schedule("first", "0 6 * * *", "0 7 * * *", zone: utc, min: 4)
        let second = try schedule("second", "0 6 * * *", "0 8 * * *", zone: utc, min: 6)
        #expect(ScheduleSet([first, second]).activeWindow(at: at("2026-11-20T06:30:00Z"))?.schedule.name == "first")
        #expect(ScheduleSet([second, first]).activeWindow(at: at("2026-11-20T06:30:00Z"))?.schedule.name == "second")
        // When the first ends, the second (same start) carries on.
        #expect(ScheduleSet([first, second]).activeWindow(at: at("2026-11-20T07:30:00Z"))?.schedule.name == "second")
    }

    @Test("a weekend window from Friday 22:00 to Monday 06:00, in Berlin")
    func weekend() throws {
        let weekend = try schedule("weekend", "0 22 * * FRI", "0 6 * * MON", max: 1)
        let set = ScheduleSet([weekend])
        #expect(set.activeWindow(at: at("2026-11-20T20:59:59Z")) == nil)  // Friday 21:59:59
        let open = try #require(set.activeWindow(at: at("2026-11-22T12:00:00Z")))  // Sunday
        #expect(open.since == at("2026-11-20T21:00:00Z"))
        #expect(open.until == at("2026-11-23T05:00:00Z"))
        #expect(set.activeWindow(at: at("2026-11-23T05:00:00Z")) == nil)
        #expect(set.activeWindow(at: at("2026-11-25T12:00:00Z")) == nil)  // Wednesday
        #expect(set.nextChange(after: at("2026-11-25T12:00:00Z"))?.at == at("2026-11-27T21:00:00Z"))
    }

    @Test("a window whose start and end are the same expression reopens as it closes")
    func alwaysReopening() throws {
        let daily = try schedule("daily", "0 0 * * *", "0 0 * * *", zone: utc, min: 2)
        let open = try #require(daily.window(containing: at("2026-11-20T00:00:00Z")))
        #expect(open.since == at("2026-11-20T00:00:00Z"))
        #expect(open.until == at("2026-11-21T00:00:00Z"))
        #expect(ScheduleSet([daily]).nextChange(after: at("2026-11-20T00:00:00Z")) == nil)
    }

    @Test("before any start within reach, and with no schedules, nothing is active")
    func nothing() throws {
        #expect(ScheduleSet([]).activeWindow(at: at("2026-11-20T00:00:00Z")) == nil)
        #expect(ScheduleSet([]).nextChange(after: at("2026-11-20T00:00:00Z")) == nil)
        #expect(ScheduleSet([]).effectiveBounds(minReplicas: 2, maxReplicas: 9, at: at("2026-11-20T00:00:00Z"))
            == EffectiveBounds(minReplicas: 2, maxReplicas: 9))
    }
}

@Suite("Schedules: bounds and configuration errors")
struct ScheduleConfigurationTests {
    let utc = FixedOffsetTimeZone.utc

    @Test("a window's bound stands when it crosses the HPA's other bound")
    func crossing() throws {
        let raiseFloor = ScheduleSet([try schedule("busy", "0 0 * * *", "0 0 * * *", zone: utc, min: 3)])
        #expect(raiseFloor.effectiveBounds(minReplicas: 1, maxReplicas: 2, at: at("2026-11-20T12:00:00Z"))
            == EffectiveBounds(minReplicas: 3, maxReplicas: 3, activeSchedule: "busy"))
        let lowerCeiling = ScheduleSet([try schedule("quiet", "0 0 * * *", "0 0 * * *", zone: utc, max: 2)])
        #expect(lowerCeiling.effectiveBounds(minReplicas: 3, maxReplicas: 10, at: at("2026-11-20T12:00:00Z"))
            == EffectiveBounds(minReplicas: 2, maxReplicas: 2, activeSchedule: "quiet"))
    }

    static let good = ScheduleDefinition(name: "night", start: "0 0 * * *", end: "0 8 * * *", timezone: "Europe/Berlin",
                                         minReplicas: 1, maxReplicas: 2)

    @Test("errors name the field and what to do", arguments: [
        (ScheduleDefinition(name: "day", start: "61 * * * *", end: "0 20 * * *", timezone: "UTC", minReplicas: 3),
         "schedules[1].start: \"61 * * * *\": minute 61 is out of range 0-59"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * MOX", timezone: "UTC", minReplicas: 3),
         "schedules[1].end: \"0 20 * * MOX\": day-of-week \"MOX\" is neither a number nor a name (day-of-week takes 0-7 or SUN-SAT)"),
        (ScheduleDefinition(name: "day", start: "0 8 30 2 *", end: "0 20 * * *", timezone: "UTC", minReplicas: 3),
         "schedules[1].start: \"0 8 30 2 *\": never fires: day-of-month 30 does not occur in February"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: "Europe/Berln", minReplicas: 3),
         "schedules[1].timezone: \"Europe/Berln\" is not a known time zone (use an IANA name such as Europe/Berlin, or UTC)"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: nil, minReplicas: 3),
         "schedules[1].timezone: is required: an IANA zone such as Europe/Berlin, or UTC"),
        (ScheduleDefinition(name: "night", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC", minReplicas: 3),
         "schedules[1].name: \"night\" is already the name of schedules[0]; give each schedule its own name"),
        (ScheduleDefinition(name: " ", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC", minReplicas: 3),
         "schedules[1].name: is empty; give the schedule a name to show in status and logs"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC", minReplicas: -1),
         "schedules[1].minReplicas: must not be negative, found -1"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC", maxReplicas: 0),
         "schedules[1].maxReplicas: must be at least 1, found 0"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC", minReplicas: 5, maxReplicas: 2),
         "schedules[1].minReplicas: 5 is above maxReplicas 2; lower it or raise maxReplicas"),
        (ScheduleDefinition(name: "day", start: "0 8 * * *", end: "0 20 * * *", timezone: "UTC"),
         "schedules[1]: sets neither minReplicas nor maxReplicas, so it would change nothing; add at least one"),
    ])
    func errors(_ definition: ScheduleDefinition, _ message: String) {
        do {
            _ = try ScheduleSet(parsing: [Self.good, definition], timeZones: FoundationZoneRules.resolve)
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("an error nests under the autoscaler that holds it")
    func nested() {
        let error = ScheduleError(field: "schedules[1].start", problem: "\"61 * * * *\": minute 61 is out of range 0-59")
        #expect(error.nested(under: "autoscalers[0]").description
            == "autoscalers[0].schedules[1].start: \"61 * * * *\": minute 61 is out of range 0-59")
    }

    @Test("the seed's definitions parse, in UTC without a time-zone database too")
    func seedParses() throws {
        let schedules = try dayAndNight()
        #expect(schedules.schedules.map(\.name) == ["night", "day"])
        #expect(schedules.schedules[0].timeZone.identifier == "Europe/Berlin")
        let inUTC = try ScheduleSet(parsing: [
            ScheduleDefinition(name: "night", start: "0 0 * * *", end: "0 8 * * *", timezone: "UTC", maxReplicas: 2),
        ], timeZones: { FixedOffsetTimeZone(identifier: $0) })
        #expect(inUTC.activeWindow(at: at("2026-11-20T07:59:59Z"))?.schedule.maxReplicas == 2)
        #expect(inUTC.activeWindow(at: at("2026-11-20T08:00:00Z")) == nil)
    }
}

/// A deterministic generator, so a failing case can be run again.
struct SplitMixGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
