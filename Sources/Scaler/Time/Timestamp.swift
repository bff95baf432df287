/// A point in time, in nanoseconds since the Unix epoch.
///
/// The Scaler never reads a clock: every decision takes `now` as a value.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000
    }

    /// Stands in for Go's zero `time.Time` (year 1): earlier than any real timestamp,
    /// with room to add durations without overflow.
    public static let distantPast = Timestamp(nanosecondsSinceEpoch: Int64.min / 4)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    public static func + (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch &+ rhs.nanoseconds)
    }

    public static func - (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch &- rhs.nanoseconds)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> TimeSpan {
        TimeSpan(nanoseconds: lhs.nanosecondsSinceEpoch &- rhs.nanosecondsSinceEpoch)
    }

    /// RFC 3339 in UTC, with a fraction only when there is one ("2026-11-20T12:00:00Z").
    public var description: String { rfc3339 }

    public var rfc3339: String {
        var dates = DatePrefix.none
        return String(unsafeUninitializedCapacity: Self.maximumRFC3339Length) { writeRFC3339(into: $0, dates: &dates) }
    }

    /// "YYYY-MM-DDTHH:MM:SS" + ".fffffffff" + "Z".
    static let maximumRFC3339Length = 30

    /// Writes the RFC 3339 text into `buffer` (at least `maximumRFC3339Length` bytes) and
    /// returns its length: writers of JSON put timestamps in place without a String. `dates`
    /// remembers the last day's "YYYY-MM-DDT", since a writer's timestamps mostly share a day.
    func writeRFC3339(into buffer: UnsafeMutableBufferPointer<UInt8>, dates: inout DatePrefix) -> Int {
        if self <= Timestamp.distantPast {
            let zeroTime: StaticString = "0001-01-01T00:00:00Z"
            for offset in 0..<zeroTime.utf8CodeUnitCount { buffer[offset] = zeroTime.utf8Start[offset] }
            return zeroTime.utf8CodeUnitCount
        }
        var seconds = nanosecondsSinceEpoch / 1_000_000_000
        var nanos = nanosecondsSinceEpoch % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // In 0..<86_400: unsigned 32-bit divisions by constants are a multiply and a shift.
        let secondOfDay = UInt32(truncatingIfNeeded: seconds - days * 86_400)
        if dates.day != days { dates = DatePrefix(day: days) }
        let target = buffer.baseAddress!
        withUnsafeBytes(of: dates.text) { prefix in
            target.update(from: prefix.baseAddress!.assumingMemoryBound(to: UInt8.self), count: DatePrefix.length)
        }
        // "00" to "99" one after another: two digits are two loads, not a division each.
        let pairs: StaticString = """
            00010203040506070809101112131415161718192021222324252627282930313233343536373839\
            40414243444546474849505152535455565758596061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899
            """
        @inline(__always) func twoDigits(_ value: UInt32, at offset: Int) {
            let pair = pairs.utf8Start + Int(value) * 2
            target[offset] = pair[0]
            target[offset + 1] = pair[1]
        }
        twoDigits(secondOfDay / 3600, at: 11)
        target[13] = UInt8(ascii: ":")
        twoDigits(secondOfDay / 60 % 60, at: 14)
        target[16] = UInt8(ascii: ":")
        twoDigits(secondOfDay % 60, at: 17)
        var position = 19
        if nanos != 0 {
            var width = 9
            var fraction = nanos
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            target[position] = UInt8(ascii: ".")
            for offset in stride(from: width, through: 1, by: -1) {
                target[position + offset] = UInt8(48 + fraction % 10)
                fraction /= 10
            }
            position += width + 1
        }
        target[position] = UInt8(ascii: "Z")
        return position + 1
    }

    /// Parses RFC 3339 ("2026-11-20T12:00:00Z", "2026-11-20T13:00:00.5+01:00").
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Timestamp.parse($0) }) else { return nil }
        self = value
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var dayOfDate: Int64?  // Not known: the usual shape's reader reads the date itself.
        if let timestamp = parseWholeSecondsUTC(bytes, knownDay: &dayOfDate) { return timestamp }
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(4), reader.expect(UInt8(ascii: "-")), let month = reader.number(2),
              reader.expect(UInt8(ascii: "-")), let day = reader.number(2),
              reader.expect(UInt8(ascii: "T")) || reader.expect(UInt8(ascii: "t")) || reader.expect(UInt8(ascii: " ")),
              let hour = reader.number(2), reader.expect(UInt8(ascii: ":")), let minute = reader.number(2),
              reader.expect(UInt8(ascii: ":")), let second = reader.number(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var nanos: Int64 = 0
        if reader.expect(UInt8(ascii: ".")) {
            var digits = 0
            while let digit = reader.digit() {
                if digits < 9 { nanos = nanos * 10 + digit }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if reader.expect(UInt8(ascii: "Z")) || reader.expect(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if reader.peek(UInt8(ascii: "+")) || reader.peek(UInt8(ascii: "-")) {
            let sign: Int64 = reader.peek(UInt8(ascii: "-")) ? -1 : 1
            reader.index += 1
            guard let offsetHours = reader.number(2), reader.expect(UInt8(ascii: ":")), let offsetMinutes = reader.number(2),
                  offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let days = CivilCalendar.days(fromYear: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        // Go's zero time (0001-01-01) and anything before 1900 collapse to `distantPast`.
        if seconds <= Timestamp.distantPast.nanosecondsSinceEpoch / 1_000_000_000 { return .distantPast }
        if seconds >= Int64.max / 1_000_000_000 - 1 { return nil }
        return Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos)
    }
}

extension Timestamp {
    /// The shape nearly every timestamp has, "2026-11-20T12:00:00Z", read position by position;
    /// nil for anything else, which the general parser then reads.
    ///
    /// `knownDay` is the day of this text's first ten bytes when the caller has read those same
    /// bytes before (nil: they are read here, and the day is left in it).
    @inline(__always)
    static func parseWholeSecondsUTC(_ bytes: UnsafeBufferPointer<UInt8>, knownDay: inout Int64?) -> Timestamp? {
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        var valid = true
        @inline(__always) func number(_ start: Int, _ width: Int) -> Int64 {
            var value: Int64 = 0
            for position in start..<(start + width) {
                let digit = bytes[position] &- 48
                valid = valid && digit < 10
                value = value * 10 + Int64(digit)
            }
            return value
        }
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        guard valid, hour < 24, minute < 60, second < 60 else { return nil }
        let days: Int64
        if let knownDay {
            days = knownDay
        } else {
            let year = number(0, 4), month = number(5, 2), day = number(8, 2)
            guard valid, (1...12).contains(month), day >= 1, day <= CivilCalendar.daysIn(month: month, year: year) else { return nil }
            days = CivilCalendar.days(fromYear: year, month: month, day: day)
        }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        // Go's zero time, anything before 1900 and anything past 2262 (beyond Int64
        // nanoseconds) are the general parser's to collapse or refuse.
        guard seconds > Timestamp.distantPast.nanosecondsSinceEpoch / 1_000_000_000,
              seconds < Int64.max / 1_000_000_000 - 1
        else { return nil }
        knownDay = days
        return Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000)
    }
}

/// Reads timestamps in a row the way a case lists them, remembering the last one: the samples
/// of one scrape share their timestamp, and a history's entries share their days.
struct TimestampMemo {
    /// The last whole-second UTC text read, as words, its value and the day of its first ten bytes.
    private var text: (UInt64, UInt64, UInt32) = (0, 0, 0)
    private var value: Timestamp?
    private var day: Int64?

    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        parseWholeSecondsUTC(bytes) ?? Timestamp.parse(bytes)
    }

    /// The usual text only ("2026-11-20T12:00:00Z"): nil for any other, which `parse` then
    /// reads. Whatever it accepts is digits and separators, so a reader may hand it bytes it
    /// has not yet checked for quotes or escapes.
    mutating func parseWholeSecondsUTC(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard bytes.count == 20, let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let words = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        if let value, words == text { return value }
        // The date is bytes 0..<10: the first word and the low two bytes of the second.
        var knownDay = words.0 == text.0 && UInt16(truncatingIfNeeded: words.1) == UInt16(truncatingIfNeeded: text.1) ? day : nil
        guard let parsed = Timestamp.parseWholeSecondsUTC(bytes, knownDay: &knownDay) else { return nil }
        (text, value, day) = (words, parsed, knownDay)
        return parsed
    }
}

/// "YYYY-MM-DDT" of one day since the Unix epoch.
struct DatePrefix {
    static let length = 11
    /// No day yet: the first timestamp computes its own.
    static let none = DatePrefix(unset: ())

    var day: Int64
    var text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    init(day: Int64) {
        self.day = day
        let (year, month, date) = CivilCalendar.civil(fromDays: day)
        text = (UInt8(48 + year / 1000 % 10), UInt8(48 + year / 100 % 10), UInt8(48 + year / 10 % 10), UInt8(48 + year % 10),
                UInt8(ascii: "-"), UInt8(48 + month / 10), UInt8(48 + month % 10), UInt8(ascii: "-"),
                UInt8(48 + date / 10), UInt8(48 + date % 10), UInt8(ascii: "T"))
    }

    private init(unset: Void) {
        day = Int64.min
        text = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }
}

/// A cursor over ASCII digits and separators.
struct DigitReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    @inline(__always) func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    @inline(__always) mutating func expect(_ byte: UInt8) -> Bool {
        guard peek(byte) else { return false }
        index += 1
        return true
    }

    @inline(__always) mutating func digit() -> Int64? {
        guard index < bytes.count, bytes[index] &- 48 < 10 else { return nil }
        defer { index += 1 }
        return Int64(bytes[index] &- 48)
    }

    mutating func number(_ width: Int) -> Int64? {
        guard index + width <= bytes.count else { return nil }
        var value: Int64 = 0
        for _ in 0..<width {
            guard let next = digit() else { return nil }
            value = value * 10 + next
        }
        return value
    }
}

extension Duration {
    /// The whole nanoseconds of a Swift `Duration` (wrapping past ±292 years), the unit every
    /// module's clocks, histograms and timeouts count in.
    public var nanoseconds: Int64 {
        components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000
    }
}

/// A span of time in nanoseconds: Go's `time.Duration`, named apart from Swift's `Duration` so
/// modules that import the Scaler keep the standard one.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ seconds: Int64) -> TimeSpan { TimeSpan(nanoseconds: seconds &* 1_000_000_000) }
    public static let zero = TimeSpan(nanoseconds: 0)

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// Go's `TimeSpan.String()` shape for whole and fractional seconds: "60s", "1m30s", "1.5s".
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        var remaining = nanoseconds.magnitude
        let sign = nanoseconds < 0 ? "-" : ""
        let hours = remaining / 3_600_000_000_000
        remaining %= 3_600_000_000_000
        let minutes = remaining / 60_000_000_000
        remaining %= 60_000_000_000
        var text = sign
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        let wholeSeconds = remaining / 1_000_000_000
        var fraction = String(remaining % 1_000_000_000)
        if fraction != "0" {
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return text + "\(wholeSeconds).\(fraction)s"
        }
        return text + "\(wholeSeconds)s"
    }

    /// Parses Go duration text ("60s", "1m30s", "500ms", "1.5h") the way Go's
    /// `time.ParseDuration` does: whole units in integer nanoseconds, fractions through a float.
    public init?(goText text: String) {
        // The common shape, "<digits>s" such as a metrics window "60s", without allocating.
        var simple = text
        if let seconds = simple.withUTF8({ TimeSpan.wholeSeconds($0) }) {
            self.nanoseconds = seconds * 1_000_000_000
            return
        }
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        if bytes.count - index == 1 && bytes[index] == UInt8(ascii: "0") {
            self.nanoseconds = 0
            return
        }
        guard index < bytes.count else { return nil }
        var total: UInt64 = 0
        while index < bytes.count {
            // The leading integer.
            var whole: UInt64 = 0
            let wholeStart = index
            while index < bytes.count, bytes[index] &- 48 < 10 {
                let (product, overflow) = whole.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                whole = product + UInt64(bytes[index] &- 48)
                index += 1
            }
            let sawWhole = index > wholeStart
            // The fraction, as an integer over a power of ten.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var sawFraction = false
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                var overflowed = false
                while index < bytes.count, bytes[index] &- 48 < 10 {
                    if !overflowed {
                        if fraction > (UInt64(1) << 63 - 1) / 10 {
                            overflowed = true  // Go stops adding digits here, too.
                        } else {
                            fraction = fraction * 10 + UInt64(bytes[index] &- 48)
                            scale *= 10
                        }
                    }
                    index += 1
                }
                sawFraction = index > fractionStart
            }
            guard sawWhole || sawFraction else { return nil }
            let unitStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "."), bytes[index] &- 48 >= 10 { index += 1 }
            let unit: UInt64
            switch String(decoding: bytes[unitStart..<index], as: UTF8.self) {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: return nil
            }
            let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            var value = product
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
            }
            total += value
            guard total <= UInt64(Int64.max) else { return nil }
        }
        self.nanoseconds = negative ? -Int64(total) : Int64(total)
    }
}

extension TimeSpan {
    /// "<1 to 9 digits>s" as whole seconds, or nil for any other shape.
    static func wholeSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 2, bytes.count <= 10, bytes[bytes.count - 1] == UInt8(ascii: "s") else { return nil }
        var value: Int64 = 0
        for index in 0..<(bytes.count - 1) {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}

/// Proleptic Gregorian day arithmetic (Howard Hinnant's algorithms), so no Foundation calendar
/// is needed on the hot path.
enum CivilCalendar {
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
