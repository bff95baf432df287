/// A time zone's rules: how far its wall clock is from UTC at each instant.
///
/// The Scaler reads no clock and no time-zone database, so schedules take their zone as a value:
/// the Controller implements this with Foundation's `TimeZone(identifier:)`, tests and replays in
/// UTC use `FixedOffsetTimeZone`. One function is enough: daylight-saving transitions are found by
/// probing it (see `instant(whenClockFirstReaches:)`), so an implementation needs no transition
/// table of its own.
public protocol TimeZoneRules: Sendable {
    /// The zone's name as the configuration gave it ("Europe/Berlin"), for messages.
    var identifier: String { get }

    /// Seconds east of UTC in effect at `instant` (+3600 for Berlin in winter, +7200 in summer).
    func utcOffset(at instant: Timestamp) -> Int
}

/// A zone whose offset never changes: UTC, or a fixed "UTC+05:30".
public struct FixedOffsetTimeZone: TimeZoneRules, Hashable {
    public let secondsEastOfUTC: Int

    public static let utc = FixedOffsetTimeZone(secondsEastOfUTC: 0)

    public init(secondsEastOfUTC: Int) {
        self.secondsEastOfUTC = secondsEastOfUTC
    }

    /// "UTC", "Etc/UTC", "GMT", "Z", or a fixed offset written "UTC+01:00" / "UTC-05:30"; nil for
    /// anything else, which only a time-zone database can answer.
    public init?(identifier: String) {
        switch identifier {
        case "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z":
            self = .utc
            return
        default:
            break
        }
        let bytes = Array(identifier.utf8)
        guard bytes.count == 9, identifier.hasPrefix("UTC"), bytes[3] == UInt8(ascii: "+") || bytes[3] == UInt8(ascii: "-"),
              bytes[6] == UInt8(ascii: ":"),
              let hours = Int(String(decoding: bytes[4..<6], as: UTF8.self)),
              let minutes = Int(String(decoding: bytes[7..<9], as: UTF8.self)),
              hours <= 14, minutes < 60
        else { return nil }
        let magnitude = hours * 3600 + minutes * 60
        self.secondsEastOfUTC = bytes[3] == UInt8(ascii: "-") ? -magnitude : magnitude
    }

    public var identifier: String {
        if secondsEastOfUTC == 0 { return "UTC" }
        return "UTC" + Timestamp.offsetText(secondsEastOfUTC)
    }

    public func utcOffset(at instant: Timestamp) -> Int { secondsEastOfUTC }
}

extension TimeZoneRules {
    /// The zone's wall-clock reading at `instant`, as seconds since 1970-01-01T00:00 local.
    func wallClockSeconds(at instant: Timestamp) -> Int64 {
        instant.floorSeconds + Int64(utcOffset(at: instant))
    }

    func utcOffset(atSecond second: Int64) -> Int64 {
        Int64(utcOffset(at: Timestamp(secondsSinceEpoch: second)))
    }

    /// The first instant (in whole seconds since the epoch) at which the wall clock shows `wall`
    /// or a later time. This is the one rule for daylight-saving changes:
    ///
    /// - an ordinary time happens once, at its instant;
    /// - a time skipped when the clocks spring forward (02:30 when 02:00 becomes 03:00) happens
    ///   at the jump, when the clock first shows a later time (03:00), so a daily job still runs
    ///   that day, once;
    /// - a time repeated when the clocks fall back (02:30 when 03:00 becomes 02:00) happens at
    ///   its first occurrence only.
    ///
    /// It assumes at most one transition within a day of `wall`, which holds for every zone in
    /// the tz database since standard time was adopted.
    func instant(whenClockFirstReaches wall: Int64) -> Int64 {
        // Offsets never reach a day, so a day either side brackets every candidate instant.
        let offsetBefore = utcOffset(atSecond: wall - 86_400)
        let offsetAfter = utcOffset(atSecond: wall + 86_400)
        if offsetBefore == offsetAfter, utcOffset(atSecond: wall - offsetBefore) == offsetBefore {
            return wall - offsetBefore
        }
        // A transition is near. The larger offset gives the earlier instant, so trying it first
        // picks the first occurrence of a repeated time.
        let larger = max(offsetBefore, offsetAfter)
        let smaller = min(offsetBefore, offsetAfter)
        for offset in [larger, smaller] where utcOffset(atSecond: wall - offset) == offset {
            return wall - offset
        }
        // Skipped: the clock reads earlier than `wall` at `low` and later at `high`; bisect for
        // the jump. Transitions fall on whole seconds, so whole-second bisection finds it exactly.
        var low = wall - larger
        var high = wall - smaller
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + utcOffset(atSecond: middle) >= wall {
                high = middle
            } else {
                low = middle
            }
        }
        return high
    }
}

extension Timestamp {
    /// Whole seconds since the epoch, rounded down (so -0.5 s is -1).
    public var floorSeconds: Int64 {
        let seconds = nanosecondsSinceEpoch / 1_000_000_000
        return nanosecondsSinceEpoch % 1_000_000_000 < 0 ? seconds - 1 : seconds
    }

    /// RFC 3339 with the zone's offset at this instant: "2026-03-29T03:00:00+02:00", so a status
    /// line shows the time the operator scheduled rather than its UTC instant.
    public func rfc3339(in zone: some TimeZoneRules) -> String {
        let offset = zone.utcOffset(at: self)
        var text = (self + .seconds(Int64(offset))).rfc3339
        text.removeLast()  // the "Z" of the shifted UTC text
        return text + Timestamp.offsetText(offset)
    }

    /// "+02:00", "-05:30", "+00:00" (seconds of historical local mean time are dropped).
    static func offsetText(_ secondsEast: Int) -> String {
        let sign = secondsEast < 0 ? "-" : "+"
        let minutes = abs(secondsEast) / 60
        let hours = minutes / 60
        return sign + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes % 60 < 10 ? "0" : "") + String(minutes % 60)
    }
}
