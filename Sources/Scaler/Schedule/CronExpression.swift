/// A standard five-field cron expression, "minute hour day-of-month month day-of-week",
/// evaluated on a time zone's wall clock.
///
/// Syntax (parsing is in CronExpression+Parsing.swift):
/// - `*`, a value, lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n`, and `a/n` (from a to the end);
/// - minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or
///   SUN-SAT (0 and 7 are both Sunday; `FRI-SUN` reads as Friday to Sunday); names are
///   case-insensitive;
/// - the descriptors `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`),
///   `@hourly`.
///
/// Which days fire, as in Kubernetes CronJobs (robfig/cron): when day-of-month and day-of-week
/// are both restricted, a day fires if either matches ("0 0 13 * FRI" is every 13th and every
/// Friday); when one is unrestricted, the other decides. A field is unrestricted when written
/// `*` or `*/1`; `*/2` restricts.
///
/// Times are wall-clock times of the zone, and daylight-saving changes follow one rule (see
/// `TimeZoneRules.instant(whenClockFirstReaches:)`): each matching wall time fires once, at the
/// first instant the clock shows it or a later time. "30 2 * * *" in Europe/Berlin fires at
/// 03:00 on the day the clocks skip 02:00-03:00, and once, at the first 02:30, on the day they
/// repeat it. A consequence worth knowing: an hourly "0 * * * *" does not fire again when the
/// repeated hour comes round a second time.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (surrounding whitespace removed).
    public let text: String

    // One bit per allowed value.
    let minuteBits: UInt64
    let hourBits: UInt32
    let dayOfMonthBits: UInt32
    let monthBits: UInt16
    let dayOfWeekBits: UInt8  // 0 = Sunday; 7 is folded into 0
    let dayOfMonthUnrestricted: Bool
    let dayOfWeekUnrestricted: Bool

    // The allowed minutes and hours in ascending order, for walking a day.
    let minuteList: [Int64]
    let hourList: [Int64]

    /// How far a search looks before it gives up. Eight years and a day covers every expression
    /// that can fire at all: the longest wait is for February 29 across a century year that is
    /// not a leap year (2096 to 2104).
    public static let searchHorizon = TimeSpan.seconds(Int64(8 * 366 + 1) * 86_400)

    init(text: String, minutes: UInt64, hours: UInt32, daysOfMonth: UInt32, months: UInt16, daysOfWeek: UInt8,
         dayOfMonthUnrestricted: Bool, dayOfWeekUnrestricted: Bool) {
        self.text = text
        self.minuteBits = minutes
        self.hourBits = hours
        self.dayOfMonthBits = daysOfMonth
        self.monthBits = months
        self.dayOfWeekBits = daysOfWeek
        self.dayOfMonthUnrestricted = dayOfMonthUnrestricted
        self.dayOfWeekUnrestricted = dayOfWeekUnrestricted
        self.minuteList = (0..<60).filter { minutes & (1 << UInt64($0)) != 0 }
        self.hourList = (0..<24).filter { hours & (1 << UInt32($0)) != 0 }
    }

    public var description: String { text }

    /// The values each field allows, ascending (day-of-week as 0-6, Sunday 0).
    public var minutes: [Int] { minuteList.map { Int($0) } }
    public var hours: [Int] { hourList.map { Int($0) } }
    public var daysOfMonth: [Int] { (1...31).filter { dayOfMonthBits & (1 << UInt32($0)) != 0 } }
    public var months: [Int] { (1...12).filter { monthBits & (1 << UInt16($0)) != 0 } }
    public var daysOfWeek: [Int] { (0...6).filter { dayOfWeekBits & (1 << UInt8($0)) != 0 } }

    /// Whether the expression fires on a local calendar day (days since 1970-01-01).
    func firesOn(day: Int64) -> Bool {
        let (_, month, dayOfMonth) = CivilCalendar.civil(fromDays: day)
        guard monthBits & (1 << UInt16(month)) != 0 else { return false }
        // 1970-01-01 was a Thursday (4).
        let weekday = ((day + 4) % 7 + 7) % 7
        let dayOfMonthMatches = dayOfMonthBits & (1 << UInt32(dayOfMonth)) != 0
        let dayOfWeekMatches = dayOfWeekBits & (1 << UInt8(weekday)) != 0
        if dayOfMonthUnrestricted || dayOfWeekUnrestricted {
            return dayOfMonthMatches && dayOfWeekMatches
        }
        return dayOfMonthMatches || dayOfWeekMatches
    }

    /// The first firing strictly after `instant`, or nil when none comes within `horizon`.
    public func nextOccurrence(
        after instant: Timestamp, in zone: some TimeZoneRules, within horizon: TimeSpan = CronExpression.searchHorizon
    ) -> Timestamp? {
        // Firings fall on whole seconds: strictly after `instant` means after its whole second.
        let after = instant.floorSeconds
        // A wall time the clock has already shown by `after` has fired by then; only later wall
        // times need resolving to instants. Firing instants never decrease as the wall time
        // grows, so the first one past `after` is the answer.
        let wallAtAfter = zone.wallClockSeconds(at: instant)
        // From a day early: around a fall-back the clock can show an earlier date again.
        let firstDay = floorDivide(wallAtAfter, 86_400) - 1
        let lastDay = firstDay + horizon.nanoseconds / 86_400_000_000_000 + 2
        var day = firstDay
        while day <= lastDay {
            defer { day += 1 }
            guard firesOn(day: day) else { continue }
            for hour in hourList {
                let hourStart = day * 86_400 + hour * 3600
                let lastWall = hourStart + minuteList[minuteList.count - 1] * 60
                if lastWall <= wallAtAfter || zone.instant(whenClockFirstReaches: lastWall) <= after { continue }
                for minute in minuteList {
                    let wall = hourStart + minute * 60
                    if wall <= wallAtAfter { continue }
                    let firing = zone.instant(whenClockFirstReaches: wall)
                    if firing > after { return Timestamp(secondsSinceEpoch: firing) }
                }
            }
        }
        return nil
    }

    /// The last firing at or before `instant`, or nil when none came within `horizon`.
    public func previousOccurrence(
        atOrBefore instant: Timestamp, in zone: some TimeZoneRules, within horizon: TimeSpan = CronExpression.searchHorizon
    ) -> Timestamp? {
        let atOrBefore = instant.floorSeconds
        // A wall time the clock has shown by `atOrBefore` fired by then; a later one may have
        // too, when the clocks fell back, so it is resolved and compared.
        let wallAtInstant = zone.wallClockSeconds(at: instant)
        let lastDay = floorDivide(wallAtInstant, 86_400) + 1
        let firstDay = lastDay - horizon.nanoseconds / 86_400_000_000_000 - 2
        var day = lastDay
        while day >= firstDay {
            defer { day -= 1 }
            guard firesOn(day: day) else { continue }
            for hour in hourList.reversed() {
                let hourStart = day * 86_400 + hour * 3600
                let firstWall = hourStart + minuteList[0] * 60
                // No offset reaches a day, so a wall time a day past the instant fires after it.
                if firstWall - 86_400 >= atOrBefore { continue }
                if firstWall > wallAtInstant, zone.instant(whenClockFirstReaches: firstWall) > atOrBefore { continue }
                for minute in minuteList.reversed() {
                    let wall = hourStart + minute * 60
                    let firing = zone.instant(whenClockFirstReaches: wall)
                    if wall <= wallAtInstant || firing <= atOrBefore { return Timestamp(secondsSinceEpoch: firing) }
                }
            }
        }
        return nil
    }
}

@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
}
