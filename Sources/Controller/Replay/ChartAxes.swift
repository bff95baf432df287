import Foundation

/// A value axis: the range a panel shows and its ticks at round values (1, 2 or 5 × 10^n).
struct ChartValueAxis {
    let lower: Double
    let upper: Double
    let step: Double
    let ticks: [Double]
    /// Large values are labelled in thousands or millions ("12k") so the labels stay short.
    private let divisor: Double
    private let suffix: String
    private let decimals: Int

    /// An axis covering `low...high` and zero, with about `targetTickCount` intervals.
    ///
    /// Zero is always included because a panel that starts at 0.6 makes a 10 % change look like
    /// a doubling; `integral` axes (replicas) never tick between whole numbers.
    init(covering low: Double, _ high: Double, targetTickCount: Int, integral: Bool) {
        var lowest = min(0, low.isFinite ? low : 0)
        var highest = max(0, high.isFinite ? high : 0)
        if highest == lowest {
            // Nothing but zeros: a unit range rather than a range of nothing.
            highest = lowest + 1
        } else {
            // A little headroom so the highest line does not run along the panel's frame.
            let headroom = (highest - lowest) * 0.06
            if highest > 0 { highest += headroom }
            if lowest < 0 { lowest -= headroom }
        }

        var step = Self.roundStep(atLeast: (highest - lowest) / Double(max(1, targetTickCount)))
        if integral { step = max(1, step) }
        let lower = (lowest / step).rounded(.down) * step
        let upper = (highest / step).rounded(.up) * step
        self.lower = lower
        self.upper = upper
        self.step = step
        let intervals = min(100, Int(((upper - lower) / step).rounded()))
        ticks = (0...max(0, intervals)).map { lower + Double($0) * step }

        let largest = max(abs(lower), abs(upper))
        switch largest {
        case 1e10...: (divisor, suffix) = (1e9, "G")
        case 1e7...: (divisor, suffix) = (1e6, "M")
        case 1e4...: (divisor, suffix) = (1e3, "k")
        default: (divisor, suffix) = (1, "")
        }
        decimals = max(0, Int((-log10(step / divisor) - 1e-9).rounded(.up)))
    }

    func label(_ value: Double) -> String {
        let text = ChartFormatting.decimal(value / divisor, decimals: decimals)
        return text == "0" ? text : text + suffix
    }

    /// The smallest of 1, 2 and 5 × 10^n that is at least `minimum`.
    static func roundStep(atLeast minimum: Double) -> Double {
        guard minimum.isFinite, minimum > 0 else { return 1 }
        let magnitude = pow(10, (log10(minimum)).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= minimum * (1 - 1e-9) {
            return multiple * magnitude
        }
        return 10 * magnitude
    }
}

/// The shared time axis: its range and ticks at round times of the display zone.
struct ChartTimeAxis {
    struct Tick {
        /// Seconds since the Unix epoch.
        let time: Double
        /// The time of day ("12:00"), or the date when ticks are a day or more apart.
        let label: String
        /// The date ("Tue 4 Nov"), on the first tick and at each midnight when ticks are closer
        /// than a day.
        let date: String?
        /// Midnight in the display zone: its gridline is drawn a little darker.
        let isDayBoundary: Bool
    }

    let start: Double
    let end: Double
    let zone: ChartTimeZone
    /// Seconds between ticks.
    let step: Double
    let ticks: [Tick]

    /// Tick spacings to choose from, in seconds: round to a person reading a clock.
    private static let steps: [Double] = [
        1, 5, 15, 30, 60, 5 * 60, 15 * 60, 30 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600,
        86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400, 91 * 86_400, 364 * 86_400,
    ]

    init(start: Double, end: Double, zone: ChartTimeZone, maximumTickCount: Int) {
        self.start = start
        self.end = end
        self.zone = zone
        let span = end - start
        let step = Self.steps.first { span / $0 <= Double(max(1, maximumTickCount)) } ?? Self.steps[Self.steps.count - 1]
        self.step = step

        let offset = Double(zone.secondsFromUTC)
        // Week ticks fall on Mondays (1970-01-05, day 4 of the epoch); shorter ones on multiples
        // of themselves from midnight.
        let anchor = step >= 7 * 86_400 ? 4 * 86_400.0 : 0
        let firstLocal = anchor + ((start + offset - anchor) / step).rounded(.up) * step
        var ticks: [Tick] = []
        var local = firstLocal
        while local - offset <= end, ticks.count < 400 {
            let time = local - offset
            let civil = ChartCivilTime(utcSeconds: time, zone: zone)
            let isDayBoundary = civil.secondOfDay == 0
            if step >= 86_400 {
                ticks.append(Tick(time: time, label: civil.dayAndMonth, date: nil, isDayBoundary: isDayBoundary))
            } else {
                let label = step < 60 ? civil.clockWithSeconds : civil.clock
                let date = ticks.isEmpty || isDayBoundary ? civil.dayAndMonth : nil
                ticks.append(Tick(time: time, label: label, date: date, isDayBoundary: isDayBoundary))
            }
            local += step
        }
        self.ticks = ticks
    }

    /// The range in words for the subtitle: "Mon 3 Nov 2025 00:00 – Tue 4 Nov 2025 00:00 UTC (24 h)".
    var rangeDescription: String {
        let first = ChartCivilTime(utcSeconds: start, zone: zone)
        let last = ChartCivilTime(utcSeconds: end, zone: zone)
        let span = end - start
        let showSeconds = span < 120 || first.second != 0 || last.second != 0
        let firstClock = showSeconds ? first.clockWithSeconds : first.clock
        let lastClock = showSeconds ? last.clockWithSeconds : last.clock
        let range = first.dayNumber == last.dayNumber
            ? "\(first.fullDate), \(firstClock) – \(lastClock)"
            : "\(first.fullDate) \(firstClock) – \(last.fullDate) \(lastClock)"
        return "\(range) \(zone.name) (\(Self.durationDescription(span)))"
    }

    static func durationDescription(_ seconds: Double) -> String {
        func trimmed(_ value: Double) -> String {
            let text = ChartFormatting.decimal(value, decimals: 1)
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        switch seconds {
        case ..<120: return "\(trimmed(seconds)) s"
        case ..<7200: return "\(trimmed(seconds / 60)) min"
        case ..<(3 * 86_400): return "\(trimmed(seconds / 3600)) h"
        default: return "\(trimmed(seconds / 86_400)) days"
        }
    }
}

/// A time broken into the proleptic Gregorian calendar of a fixed-offset zone.
///
/// Computed directly (Howard Hinnant's days-to-civil) rather than with Foundation's Calendar,
/// so labels are the same on every platform and cost no allocation.
struct ChartCivilTime {
    let year: Int
    let month: Int
    let day: Int
    /// 0 is Sunday.
    let weekday: Int
    let secondOfDay: Int
    /// Days since 1970-01-01 in the display zone.
    let dayNumber: Int

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `utcSeconds` must lie within a few thousand years of the epoch (the renderer drops the
    /// rest as unusable), so the conversion to whole seconds cannot overflow.
    init(utcSeconds: Double, zone: ChartTimeZone) {
        let local = Int((utcSeconds + Double(zone.secondsFromUTC)).rounded())
        let days = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        dayNumber = days
        secondOfDay = local - days * 86_400
        weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday.

        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    var second: Int { secondOfDay % 60 }
    var clock: String { "\(ChartFormatting.twoDigits(secondOfDay / 3600)):\(ChartFormatting.twoDigits(secondOfDay / 60 % 60))" }
    var clockWithSeconds: String { clock + ":" + ChartFormatting.twoDigits(second) }
    var dayAndMonth: String { "\(Self.weekdayNames[weekday]) \(day) \(Self.monthNames[month - 1])" }
    var fullDate: String { "\(dayAndMonth) \(year)" }
}
