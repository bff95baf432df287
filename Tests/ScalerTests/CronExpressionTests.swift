import Scaler
import Testing

/// "2026-11-16T08:00:00Z" as a Timestamp; the tests' instants are all written in RFC 3339.
private func at(_ text: String) -> Timestamp {
    guard let timestamp = Timestamp(rfc3339: text) else { preconditionFailure("bad test timestamp \(text)") }
    return timestamp
}

private func cron(_ text: String) throws -> CronExpression {
    try CronExpression(parsing: text)
}

@Suite("Cron expressions: syntax")
struct CronSyntaxTests {
    @Test("* covers every value of every field")
    func everything() throws {
        let expression = try cron("* * * * *")
        #expect(expression.minutes == Array(0...59))
        #expect(expression.hours == Array(0...23))
        #expect(expression.daysOfMonth == Array(1...31))
        #expect(expression.months == Array(1...12))
        #expect(expression.daysOfWeek == Array(0...6))
    }

    @Test("lists, ranges, steps and ranges with steps")
    func listsRangesSteps() throws {
        let expression = try cron("0,15,30-35/2 */6 1-10/3 */5 1-5")
        #expect(expression.minutes == [0, 15, 30, 32, 34])
        #expect(expression.hours == [0, 6, 12, 18])
        #expect(expression.daysOfMonth == [1, 4, 7, 10])
        #expect(expression.months == [1, 6, 11])
        #expect(expression.daysOfWeek == [1, 2, 3, 4, 5])
    }

    @Test("a/n steps from a to the end of the field")
    func stepFromValue() throws {
        let expression = try cron("50/3 20/2 * * *")
        #expect(expression.minutes == [50, 53, 56, 59])
        #expect(expression.hours == [20, 22])
    }

    @Test("month and weekday names, in any case, alone, in lists and in ranges")
    func names() throws {
        #expect(try cron("0 0 * jan,Mar-may,DEC *").months == [1, 3, 4, 5, 12])
        #expect(try cron("0 0 * * MON-fri").daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try cron("0 0 * * sat,SUN").daysOfWeek == [0, 6])
        #expect(try cron("0 0 * FEB-APR/2 *").months == [2, 4])
    }

    @Test("day-of-week 7 is Sunday, like 0; FRI-SUN runs Friday to Sunday")
    func sundayIsSevenToo() throws {
        #expect(try cron("0 0 * * 7").daysOfWeek == [0])
        #expect(try cron("0 0 * * 5-7").daysOfWeek == [0, 5, 6])
        #expect(try cron("0 0 * * FRI-SUN").daysOfWeek == [0, 5, 6])
        #expect(try cron("0 0 * * 0,7").daysOfWeek == [0])
    }

    @Test("descriptors expand to their five fields", arguments: [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
    ])
    func descriptors(_ descriptor: String, _ fields: String) throws {
        let expanded = try cron(descriptor)
        let written = try cron(fields)
        #expect(expanded.minutes == written.minutes)
        #expect(expanded.hours == written.hours)
        #expect(expanded.daysOfMonth == written.daysOfMonth)
        #expect(expanded.months == written.months)
        #expect(expanded.daysOfWeek == written.daysOfWeek)
        let from = at("2026-11-18T10:17:00Z")
        #expect(expanded.nextOccurrence(after: from, in: FixedOffsetTimeZone.utc)
            == written.nextOccurrence(after: from, in: FixedOffsetTimeZone.utc))
    }

    @Test("surrounding and repeated whitespace, tabs")
    func whitespace() throws {
        let expression = try cron("  0\t8  * *\t1-5 ")
        #expect(expression.text == "0\t8  * *\t1-5")
        #expect(expression.hours == [8])
        #expect(expression.daysOfWeek == [1, 2, 3, 4, 5])
    }

    @Test("errors name the field, the value and the fix", arguments: [
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("* 24 * * *", "hour 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
        ("0 0 32 * *", "day-of-month 32 is out of range 1-31"),
        ("0 0 * 13 *", "month 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week 8 is out of range 0-7"),
        ("0 8 * *", "expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily, found 4"),
        ("0 8 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily, found 6"),
        ("", "expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily, found 0"),
        ("x * * * *", "minute \"x\" is not a number (minute takes 0-59)"),
        ("MON * * * *", "minute \"MON\" is not a number (minute takes 0-59)"),
        ("0 0 * JANUARY *", "month \"JANUARY\" is neither a number nor a name (month takes 1-12 or JAN-DEC)"),
        ("0 0 * * MOND", "day-of-week \"MOND\" is neither a number nor a name (day-of-week takes 0-7 or SUN-SAT)"),
        ("0 22-2 * * *", "hour range 22-2 runs backwards; write 22-23,0-2 to wrap around"),
        ("0 0 * * 5-0", "day-of-week range 5-0 runs backwards; write 5-7 to wrap around"),
        ("0 0 * * 5-2", "day-of-week range 5-2 runs backwards; write 5-7,1-2 to wrap around"),
        ("0 0 31-1 * *", "day-of-month range 31-1 runs backwards; write 31,1 to wrap around"),
        ("*/0 * * * *", "minute step \"0\" in \"*/0\" must be a whole number from 1 to 60"),
        ("*/x * * * *", "minute step \"x\" in \"*/x\" must be a whole number from 1 to 60"),
        ("*/5/2 * * * *", "minute \"*/5/2\" has more than one \"/\""),
        ("1,,2 * * * *", "minute list \"1,,2\" has an empty item"),
        ("-5 * * * *", "minute range \"-5\" needs a value on each side of \"-\""),
        ("0 0 * * 7/2", "day-of-week \"7/2\" starts after 6, the last day-of-week"),
        ("@reboot", "unknown descriptor @reboot (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)"),
    ])
    func errors(_ text: String, _ problem: String) {
        #expect(throws: CronSyntaxError(expression: text.trimmingSpaces, problem: problem)) { try CronExpression(parsing: text) }
    }

    @Test("the message quotes the expression first")
    func messageShape() {
        #expect(CronSyntaxError(expression: "61 * * * *", problem: "minute 61 is out of range 0-59").description
            == "\"61 * * * *\": minute 61 is out of range 0-59")
    }

    @Test("an expression that can never fire is rejected when parsed", arguments: [
        ("0 0 30 2 *", "never fires: day-of-month 30 does not occur in February"),
        ("0 0 30,31 FEB *", "never fires: day-of-month 30,31 does not occur in February"),
        ("0 0 31 4,6,9,11 *", "never fires: day-of-month 31 does not occur in April, June, September or November"),
        ("0 0 31 2 */1", "never fires: day-of-month 31 does not occur in February"),
    ])
    func neverFires(_ text: String, _ problem: String) {
        #expect(throws: CronSyntaxError(expression: text, problem: problem)) { try CronExpression(parsing: text) }
    }

    @Test("a rare day is not a never-firing one", arguments: [
        "0 0 29 2 *",  // leap days
        "0 0 31 4,5 *",  // May 31
        "0 0 30 2 MON",  // both restricted: every Monday as well
        "0 0 30 2 */2",  // */2 restricts day-of-week, so the days combine with OR
    ])
    func rareButPossible(_ text: String) throws {
        let expression = try cron(text)
        #expect(expression.nextOccurrence(after: at("2026-01-01T00:00:00Z"), in: FixedOffsetTimeZone.utc) != nil)
    }
}

@Suite("Cron expressions: occurrences in UTC")
struct CronOccurrenceTests {
    let utc = FixedOffsetTimeZone.utc

    @Test("weekday mornings: Friday noon to Monday 08:00, and back")
    func weekdays() throws {
        let expression = try cron("0 8 * * 1-5")
        #expect(expression.nextOccurrence(after: at("2026-11-20T12:00:00Z"), in: utc) == at("2026-11-23T08:00:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-11-23T07:59:59Z"), in: utc) == at("2026-11-20T08:00:00Z"))
    }

    @Test("next is strictly after, previous is at or before, to the nanosecond")
    func boundaries() throws {
        let expression = try cron("0 8 * * *")
        let eight = at("2026-11-20T08:00:00Z")
        #expect(expression.nextOccurrence(after: eight, in: utc) == at("2026-11-21T08:00:00Z"))
        #expect(expression.nextOccurrence(after: eight - TimeSpan(nanoseconds: 1), in: utc) == eight)
        #expect(expression.previousOccurrence(atOrBefore: eight, in: utc) == eight)
        #expect(expression.previousOccurrence(atOrBefore: eight - TimeSpan(nanoseconds: 1), in: utc) == at("2026-11-19T08:00:00Z"))
        #expect(expression.nextOccurrence(after: at("2026-11-20T08:00:00.5Z"), in: utc) == at("2026-11-21T08:00:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-11-20T08:00:00.5Z"), in: utc) == eight)
    }

    @Test("every minute, and every 15 minutes within office hours")
    func frequent() throws {
        #expect(try cron("* * * * *").nextOccurrence(after: at("2026-11-20T23:59:30Z"), in: utc) == at("2026-11-21T00:00:00Z"))
        let quarters = try cron("*/15 9-17 * * *")
        #expect(quarters.nextOccurrence(after: at("2026-11-20T09:07:00Z"), in: utc) == at("2026-11-20T09:15:00Z"))
        #expect(quarters.nextOccurrence(after: at("2026-11-20T17:45:00Z"), in: utc) == at("2026-11-21T09:00:00Z"))
        #expect(quarters.previousOccurrence(atOrBefore: at("2026-11-21T08:59:00Z"), in: utc) == at("2026-11-20T17:45:00Z"))
    }

    @Test("day 31 skips the months without one")
    func monthEnds() throws {
        let expression = try cron("0 0 31 * *")
        #expect(expression.nextOccurrence(after: at("2026-04-01T00:00:00Z"), in: utc) == at("2026-05-31T00:00:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-07-30T00:00:00Z"), in: utc) == at("2026-05-31T00:00:00Z"))
    }

    @Test("day-of-month and day-of-week both restricted: either one fires")
    func eitherDay() throws {
        let expression = try cron("0 0 13 * FRI")
        // From Saturday 2026-11-07: Friday the 13th is both; the 13th of December is a Sunday.
        var instant = at("2026-11-07T00:00:00Z")
        var firings: [Timestamp] = []
        for _ in 0..<5 {
            guard let next = expression.nextOccurrence(after: instant, in: utc) else { break }
            firings.append(next)
            instant = next
        }
        #expect(firings == [
            at("2026-11-13T00:00:00Z"), at("2026-11-20T00:00:00Z"), at("2026-11-27T00:00:00Z"),
            at("2026-12-04T00:00:00Z"), at("2026-12-11T00:00:00Z"),
        ])
        #expect(expression.nextOccurrence(after: at("2026-12-11T00:00:00Z"), in: utc) == at("2026-12-13T00:00:00Z"))
    }

    @Test("one restricted, one *: only the restricted one decides")
    func oneRestricted() throws {
        // Day-of-week is *, so every 1st, whatever its weekday.
        #expect(try cron("0 0 1 * *").nextOccurrence(after: at("2026-11-07T00:00:00Z"), in: utc) == at("2026-12-01T00:00:00Z"))
        // Day-of-month is *, so every Friday, never the 1st as such.
        #expect(try cron("0 0 * * FRI").nextOccurrence(after: at("2026-11-30T00:00:00Z"), in: utc) == at("2026-12-04T00:00:00Z"))
        // */2 restricts day-of-month: odd days OR Mondays, so Monday the 16th fires.
        #expect(try cron("0 0 */2 * MON").nextOccurrence(after: at("2026-11-15T00:00:00Z"), in: utc) == at("2026-11-16T00:00:00Z"))
    }

    @Test("leap days, and the search horizon across 2100")
    func leapDays() throws {
        let expression = try cron("0 0 29 2 *")
        #expect(expression.nextOccurrence(after: at("2026-01-01T00:00:00Z"), in: utc) == at("2028-02-29T00:00:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-01-01T00:00:00Z"), in: utc) == at("2024-02-29T00:00:00Z"))
        // 2100 is not a leap year: from 2097 the next leap day is in 2104, inside the default
        // eight-year horizon and beyond a five-year one, where the search gives up with nil.
        #expect(expression.nextOccurrence(after: at("2097-03-01T00:00:00Z"), in: utc) == at("2104-02-29T00:00:00Z"))
        let fiveYears = TimeSpan.seconds(5 * 366 * 86_400)
        #expect(expression.nextOccurrence(after: at("2097-03-01T00:00:00Z"), in: utc, within: fiveYears) == nil)
        #expect(expression.previousOccurrence(atOrBefore: at("2103-12-01T00:00:00Z"), in: utc, within: fiveYears) == nil)
        #expect(expression.previousOccurrence(atOrBefore: at("2103-12-01T00:00:00Z"), in: utc) == at("2096-02-29T00:00:00Z"))
    }

    @Test("a fixed offset zone: 09:00 at UTC+05:30 is 03:30 UTC")
    func fixedOffset() throws {
        let india = try #require(FixedOffsetTimeZone(identifier: "UTC+05:30"))
        #expect(india.secondsEastOfUTC == 19_800)
        #expect(india.identifier == "UTC+05:30")
        let expression = try cron("0 9 * * *")
        #expect(expression.nextOccurrence(after: at("2026-11-20T04:00:00Z"), in: india) == at("2026-11-21T03:30:00Z"))
        #expect(expression.previousOccurrence(atOrBefore: at("2026-11-20T04:00:00Z"), in: india) == at("2026-11-20T03:30:00Z"))
        // Late in the UTC day it is already tomorrow there.
        let midnight = try cron("0 0 * * *")
        let newYork = try #require(FixedOffsetTimeZone(identifier: "UTC-05:00"))
        #expect(midnight.nextOccurrence(after: at("2026-11-20T20:00:00Z"), in: india) == at("2026-11-21T18:30:00Z"))
        #expect(midnight.nextOccurrence(after: at("2026-11-20T20:00:00Z"), in: newYork) == at("2026-11-21T05:00:00Z"))
    }

    @Test("fixed offset identifiers", arguments: [
        ("UTC", 0), ("Etc/UTC", 0), ("GMT", 0), ("UTC+01:00", 3600), ("UTC-05:30", -19_800), ("UTC+14:00", 50_400),
    ])
    func fixedOffsetNames(_ name: String, _ seconds: Int) {
        #expect(FixedOffsetTimeZone(identifier: name)?.secondsEastOfUTC == seconds)
    }

    @Test("names a fixed offset cannot answer", arguments: ["Europe/Berlin", "UTC+1", "UTC+15:00", "UTC+01:60", "utc"])
    func notFixedOffsets(_ name: String) {
        #expect(FixedOffsetTimeZone(identifier: name) == nil)
    }

    @Test("local RFC 3339 text carries the zone's offset")
    func localText() throws {
        let india = try #require(FixedOffsetTimeZone(identifier: "UTC+05:30"))
        #expect(at("2026-11-20T03:30:00Z").rfc3339(in: india) == "2026-11-20T09:00:00+05:30")
        #expect(at("2026-11-20T03:30:00Z").rfc3339(in: FixedOffsetTimeZone(secondsEastOfUTC: -18_000)) == "2026-11-19T22:30:00-05:00")
        #expect(at("2026-11-20T03:30:00Z").rfc3339(in: FixedOffsetTimeZone.utc) == "2026-11-20T03:30:00+00:00")
    }
}

extension String {
    /// Without the spaces and tabs around it, as the parser quotes an expression.
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
