/// The chart `tidepool replay --plot FILE.svg` writes: each metric against its target in a panel
/// of its own, above the replicas over time (recorded, and each compared policy), on one shared
/// time axis, with schedule windows shaded.
///
/// Everything here is a value and rendering is a pure function of it, so a replay's chart is
/// reproducible byte for byte and testable without a file system.
///
/// ```swift
/// let chart = ReplayChart(
///     title: "mcp-burst: recorded vs two policies",
///     timeZone: .utc,
///     metricPanels: [ChartMetricPanel(name: "cpu per pod", unit: "cores", series: cpu, target: .constant(0.7))],
///     replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "recorded", points: recorded),
///                                  policies: [ChartStepSeries(label: "fast-up.yaml", points: simulated)]),
///     windows: [ChartWindow(label: "night", start: nightStart, end: nightEnd)])
/// try chart.svg().write(toFile: "replay.svg", atomically: true, encoding: .utf8)
/// ```
public struct ReplayChart: Sendable, Equatable {
    public var title: String
    /// A line under the title (the HPA, the mode); the time range is always added to it.
    public var subtitle: String?
    /// The zone the time axis is labelled in.
    public var timeZone: ChartTimeZone
    /// One panel per metric, stacked top to bottom in this order above the replicas panel.
    public var metricPanels: [ChartMetricPanel]
    public var replicas: ChartReplicasPanel
    /// Schedule windows, shaded across every panel and labelled.
    public var windows: [ChartWindow]
    /// The width of the image in pixels; the height follows from the number of panels.
    public var width: Double

    public init(
        title: String, subtitle: String? = nil, timeZone: ChartTimeZone = .utc, metricPanels: [ChartMetricPanel],
        replicas: ChartReplicasPanel, windows: [ChartWindow] = [], width: Double = 1200
    ) {
        self.title = title
        self.subtitle = subtitle
        self.timeZone = timeZone
        self.metricPanels = metricPanels
        self.replicas = replicas
        self.windows = windows
        self.width = width
    }

    /// The chart as a standalone SVG document (UTF-8 text, XML-escaped).
    ///
    /// Series are reduced to what the pixels can show (per pixel column the first, lowest,
    /// highest and last point of each unbroken run), so a week at 15 s steps stays a small file.
    public func svg() -> String {
        ReplayChartRenderer(chart: self).render()
    }
}

/// One sample of a series. A `nil` value is a gap: a failed metric or a missing observation,
/// drawn as a break in the line, never as zero. Non-finite values are gaps too.
public struct ChartPoint: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    public var time: Double
    public var value: Double?

    public init(time: Double, value: Double?) {
        self.time = time
        self.value = value
    }
}

/// The zone times are labelled in: a fixed offset from UTC, as the time axis cannot follow a
/// daylight-saving change in the middle of a recording anyway.
public struct ChartTimeZone: Sendable, Equatable {
    /// Shown in the axis title and the subtitle, for example "UTC" or "CET".
    public var name: String
    public var secondsFromUTC: Int

    public init(name: String, secondsFromUTC: Int) {
        self.name = name
        self.secondsFromUTC = secondsFromUTC
    }

    public static let utc = ChartTimeZone(name: "UTC", secondsFromUTC: 0)

    /// A zone named by its offset, for example "UTC+02:00".
    public static func offset(seconds: Int) -> ChartTimeZone {
        guard seconds != 0 else { return .utc }
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return ChartTimeZone(name: "UTC\(sign)\(ChartFormatting.twoDigits(minutes / 60)):\(ChartFormatting.twoDigits(minutes % 60))", secondsFromUTC: seconds)
    }
}

/// A metric's panel: its values over time against its target.
public struct ChartMetricPanel: Sendable, Equatable {
    /// What the metric is compared against.
    public enum Target: Sendable, Equatable {
        /// One value for the whole replay, drawn as a dashed horizontal line.
        case constant(Double)
        /// A target that changes over time (a schedule), drawn as a dashed step line.
        case series([ChartPoint])
    }

    /// The panel's heading, for example "cpu per pod" or "http_requests_per_second".
    public var name: String
    /// The unit of the values, shown on the value axis: "cores", "req/s", "%".
    public var unit: String
    public var series: [ChartPoint]
    /// The legend entry of the series: "recorded", or "simulated" when demand was spread over
    /// a simulated replica count.
    public var seriesLabel: String
    public var target: Target?

    public init(name: String, unit: String, series: [ChartPoint], seriesLabel: String = "recorded", target: Target? = nil) {
        self.name = name
        self.unit = unit
        self.series = series
        self.seriesLabel = seriesLabel
        self.target = target
    }
}

/// A labelled series that holds each value until the next point (replica counts change in steps).
public struct ChartStepSeries: Sendable, Equatable {
    /// The legend entry, for example "recorded" or the policy's file name.
    public var label: String
    public var points: [ChartPoint]

    public init(label: String, points: [ChartPoint]) {
        self.label = label
        self.points = points
    }
}

/// The bottom panel: replica counts over time.
public struct ChartReplicasPanel: Sendable, Equatable {
    /// What happened: drawn as a shaded area under a dark line, so the policies read against it.
    public var recorded: ChartStepSeries?
    /// What each policy decided (or would have run), each in its own colour.
    public var policies: [ChartStepSeries]
    /// minReplicas and maxReplicas over time (schedules change them), drawn as dotted steps.
    public var minimum: [ChartPoint]?
    public var maximum: [ChartPoint]?
    public var unit: String

    public init(
        recorded: ChartStepSeries?, policies: [ChartStepSeries], minimum: [ChartPoint]? = nil,
        maximum: [ChartPoint]? = nil, unit: String = "replicas"
    ) {
        self.recorded = recorded
        self.policies = policies
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit
    }
}

/// A time range shaded across every panel, such as a schedule's "night".
public struct ChartWindow: Sendable, Equatable {
    public var label: String
    /// Seconds since the Unix epoch; the window covers `start..<end`.
    public var start: Double
    public var end: Double

    public init(label: String, start: Double, end: Double) {
        self.label = label
        self.start = start
        self.end = end
    }
}
