/// Why a text is not a usable cron expression.
///
/// `"61 * * * *": minute 61 is out of range 0-59`
public struct CronSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public var expression: String
    /// What is wrong with it, naming the field and the fix where there is one.
    public var problem: String

    public init(expression: String, problem: String) {
        self.expression = expression
        self.problem = problem
    }

    public var description: String { "\"\(expression)\": \(problem)" }
}

extension CronExpression {
    /// Parses "minute hour day-of-month month day-of-week" or a descriptor such as `@daily`.
    ///
    /// An expression that can never fire ("0 0 30 2 *") is rejected here, so a schedule never
    /// silently does nothing.
    public init(parsing text: String) throws(CronSyntaxError) {
        let trimmed = text.trimmingWhitespace
        let fail = { (problem: String) in CronSyntaxError(expression: trimmed, problem: problem) }
        var fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if fields.count == 1, fields[0].hasPrefix("@") {
            guard let expansion = CronExpression.descriptors.first(where: { $0.name == fields[0].lowercased() })?.fields else {
                let known = CronExpression.descriptors.map(\.name).joined(separator: ", ")
                throw fail("unknown descriptor \(fields[0]) (known: \(known))")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 else {
            throw fail("expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily, found \(fields.count)")
        }
        let minute: ParsedField
        let hour: ParsedField
        let dayOfMonth: ParsedField
        let month: ParsedField
        let dayOfWeek: ParsedField
        do {
            minute = try CronField.minute.parse(fields[0])
            hour = try CronField.hour.parse(fields[1])
            dayOfMonth = try CronField.dayOfMonth.parse(fields[2])
            month = try CronField.month.parse(fields[3])
            dayOfWeek = try CronField.dayOfWeek.parse(fields[4])
        } catch {
            throw fail(error.problem)
        }
        // Day-of-week 7 is Sunday, as 0 is.
        var weekdays = dayOfWeek.bits
        if weekdays & (1 << 7) != 0 { weekdays = weekdays & ~(1 << 7) | 1 }
        self.init(
            text: trimmed, minutes: minute.bits, hours: UInt32(hour.bits), daysOfMonth: UInt32(dayOfMonth.bits),
            months: UInt16(month.bits), daysOfWeek: UInt8(weekdays),
            dayOfMonthUnrestricted: dayOfMonth.unrestricted, dayOfWeekUnrestricted: dayOfWeek.unrestricted
        )
        if let problem = neverFiresProblem(dayOfMonthText: fields[2]) { throw fail(problem) }
    }

    static let descriptors: [(name: String, fields: String)] = [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
    ]

    /// Why no day ever fires, or nil. Only the days of the month can rule every day out: when
    /// day-of-week takes part it matches some day every week, and with day-of-week unrestricted
    /// the chosen days must exist in a chosen month (February counting its 29th, which comes
    /// at least every eight years).
    func neverFiresProblem(dayOfMonthText: String) -> String? {
        guard !dayOfMonthUnrestricted, dayOfWeekUnrestricted else { return nil }
        let longestMonthDay: [Int] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let chosenMonths = months
        let earliestDay = daysOfMonth[0]
        if chosenMonths.contains(where: { earliestDay <= longestMonthDay[$0] }) { return nil }
        let names = chosenMonths.map { CronField.monthNames[$0 - 1] }
        let monthText = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
        return "never fires: day-of-month \(dayOfMonthText) does not occur in \(monthText)"
    }
}

/// One field's allowed values as bits, and whether it was left unrestricted (`*` or `*/1`),
/// which decides how day-of-month and day-of-week combine.
struct ParsedField {
    var bits: UInt64
    var unrestricted: Bool
}

/// A field's problem, before the expression is attached.
struct CronFieldError: Error {
    var problem: String
}

/// What one of the five fields accepts.
struct CronField {
    let name: String
    let range: ClosedRange<Int>
    /// What `*` covers (day-of-week: 0-6, although 7 is accepted for Sunday).
    let everything: ClosedRange<Int>
    /// Three-letter names for values, upper case, first value first.
    let names: [String]
    let firstNamedValue: Int
    /// How to write a value, for messages: "0-59", "1-12 or JAN-DEC".
    let accepted: String
    /// Day-of-week: 7 is Sunday as 0 is, so ranges may end on 7 ("FRI-SUN" is 5-7).
    var sundayIsAlsoSeven = false

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    static let minute = CronField(name: "minute", range: 0...59, everything: 0...59, names: [], firstNamedValue: 0,
                                  accepted: "0-59")
    static let hour = CronField(name: "hour", range: 0...23, everything: 0...23, names: [], firstNamedValue: 0,
                                accepted: "0-23")
    static let dayOfMonth = CronField(name: "day-of-month", range: 1...31, everything: 1...31, names: [],
                                      firstNamedValue: 0, accepted: "1-31")
    static let month = CronField(name: "month", range: 1...12, everything: 1...12,
                                 names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
                                 firstNamedValue: 1, accepted: "1-12 or JAN-DEC")
    static let dayOfWeek = CronField(name: "day-of-week", range: 0...7, everything: 0...6,
                                     names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
                                     firstNamedValue: 0, accepted: "0-7 or SUN-SAT", sundayIsAlsoSeven: true)

    func parse(_ text: String) throws(CronFieldError) -> ParsedField {
        var field = ParsedField(bits: 0, unrestricted: false)
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw CronFieldError(problem: "\(name) list \"\(text)\" has an empty item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw CronFieldError(problem: "\(name) \"\(item)\" has more than one \"/\"") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 1, value <= range.upperBound + 1 else {
                    throw CronFieldError(problem: "\(name) step \"\(parts[1])\" in \"\(item)\" must be a whole number from 1 to \(range.upperBound + 1)")
                }
                step = value
            }
            let span = parts[0]
            let low: Int
            var high: Int
            if span == "*" {
                (low, high) = (everything.lowerBound, everything.upperBound)
                // As Kubernetes CronJobs (robfig/cron) decide: `*/2` restricts the field.
                if step == 1 { field.unrestricted = true }
            } else if let dash = span.firstIndex(of: "-") {
                guard dash != span.startIndex, span.index(after: dash) != span.endIndex else {
                    throw CronFieldError(problem: "\(name) range \"\(span)\" needs a value on each side of \"-\"")
                }
                low = try value(span[..<dash])
                high = try value(span[span.index(after: dash)...])
                // "FRI-SUN": Sunday as the end of a range is day 7.
                if sundayIsAlsoSeven, high == 0, span[span.index(after: dash)...].uppercased() == "SUN" {
                    high = 7
                }
                guard low <= high else {
                    func valuesText(_ first: Int, _ last: Int) -> String { first == last ? "\(first)" : "\(first)-\(last)" }
                    // Day-of-week wraps through 7, which is Sunday again.
                    let wrap = sundayIsAlsoSeven
                        ? valuesText(low, 7) + (high >= 1 ? "," + valuesText(1, high) : "")
                        : valuesText(low, range.upperBound) + "," + valuesText(range.lowerBound, high)
                    throw CronFieldError(problem: "\(name) range \(low)-\(high) runs backwards; write \(wrap) to wrap around")
                }
            } else {
                low = try value(span)
                // "a/n" steps from a to the end of the field, as in robfig/cron and cronie.
                high = parts.count == 2 ? everything.upperBound : low
                guard low <= high else {
                    throw CronFieldError(problem: "\(name) \"\(item)\" starts after \(everything.upperBound), the last \(name)")
                }
            }
            for value in stride(from: low, through: high, by: step) { field.bits |= 1 << UInt64(value) }
        }
        return field
    }

    private func value(_ text: Substring) throws(CronFieldError) -> Int {
        if let index = names.firstIndex(of: text.uppercased()) { return firstNamedValue + index }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 &- 48 < 10 }), text.utf8.count <= 4, let number = Int(text) else {
            if names.isEmpty {
                throw CronFieldError(problem: "\(name) \"\(text)\" is not a number (\(name) takes \(accepted))")
            }
            throw CronFieldError(problem: "\(name) \"\(text)\" is neither a number nor a name (\(name) takes \(accepted))")
        }
        guard range.contains(number) else {
            throw CronFieldError(problem: "\(name) \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
