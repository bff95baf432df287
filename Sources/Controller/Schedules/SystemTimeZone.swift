import Foundation
import Scaler

/// A named zone's rules from the system's time-zone database, through Foundation's `TimeZone`.
/// The Scaler's schedules take zones as values (it reads no database); this is the value the
/// Controller gives them.
public struct SystemTimeZone: TimeZoneRules {
    public let identifier: String
    private let zone: TimeZone

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public func utcOffset(at instant: Timestamp) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.floorSeconds)))
    }

    /// The rules for a zone name in a configuration: fixed offsets ("UTC", "UTC+05:30") need no
    /// database; anything else is looked up by its IANA name. Nil for a name nobody knows.
    public static func rules(named name: String) -> (any TimeZoneRules)? {
        if let fixed = FixedOffsetTimeZone(identifier: name) { return fixed }
        return SystemTimeZone(identifier: name)
    }
}
