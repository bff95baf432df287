/// A series made safe to draw: points with usable times only, in time order, and every value
/// that cannot be drawn (nil, NaN, ±Inf, absurdly large) turned into a gap.
struct ChartCleanSeries {
    let points: [ChartPoint]
    /// Index ranges of consecutive drawable values: each is one unbroken line.
    let runs: [Range<Int>]

    /// Times beyond a few thousand years of the epoch are data errors and would overflow the
    /// calendar arithmetic; values beyond this are data errors that would flatten every other
    /// value onto the axis.
    static let usableTimeMagnitude = 1e11
    static let usableValueMagnitude = 1e18

    init(_ raw: [ChartPoint]) {
        var points = raw.compactMap { point -> ChartPoint? in
            guard point.time.isFinite, abs(point.time) < Self.usableTimeMagnitude else { return nil }
            guard let value = point.value, value.isFinite, abs(value) <= Self.usableValueMagnitude else {
                return ChartPoint(time: point.time, value: nil)
            }
            return point
        }
        if !zip(points, points.dropFirst()).allSatisfy({ $0.time <= $1.time }) {
            // Sorted with the index as a tie-break so equal times keep their recorded order.
            points = points.enumerated()
                .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
                .map(\.element)
        }
        var runs: [Range<Int>] = []
        var runStart: Int?
        for (index, point) in points.enumerated() {
            if point.value == nil {
                if let start = runStart { runs.append(start..<index) }
                runStart = nil
            } else if runStart == nil {
                runStart = index
            }
        }
        if let start = runStart { runs.append(start..<points.count) }
        self.points = points
        self.runs = runs
    }

    var hasValues: Bool { !runs.isEmpty }
    var hasGaps: Bool { points.contains { $0.value == nil } }

    var timeRange: ClosedRange<Double>? {
        guard let first = points.first, let last = points.last else { return nil }
        return first.time...last.time
    }

    var valueRange: ClosedRange<Double>? {
        var lowest = Double.infinity
        var highest = -Double.infinity
        for point in points {
            guard let value = point.value else { continue }
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        return lowest <= highest ? lowest...highest : nil
    }

    /// The time ranges the line does not cover: from the last value before a gap to the first
    /// after it (or to the series' ends).
    var gaps: [ClosedRange<Double>] {
        var gaps: [ClosedRange<Double>] = []
        var gapStart: Double?
        var lastValueTime: Double?
        for point in points {
            if point.value == nil {
                if gapStart == nil { gapStart = lastValueTime ?? point.time }
            } else {
                if let start = gapStart { gaps.append(start...point.time) }
                gapStart = nil
                lastValueTime = point.time
            }
        }
        if let start = gapStart, let last = points.last { gaps.append(start...last.time) }
        return gaps
    }
}

/// A point on the canvas, rounded to a tenth of a pixel (the precision the SVG is written at,
/// so equal coordinates compare equal).
struct ChartPixel: Equatable {
    let x: Double
    let y: Double

    init(x: Double, y: Double) {
        self.x = (x * 10).rounded() / 10
        self.y = (y * 10).rounded() / 10
    }
}

/// Turning series into SVG path data.
enum ChartPath {
    /// The vertices of each unbroken run of a line series.
    static func lineRuns(_ series: ChartCleanSeries, x: (Double) -> Double, y: (Double) -> Double) -> [[ChartPixel]] {
        series.runs.map { run in
            thinned(series.points[run].map { ChartPixel(x: x($0.time), y: y($0.value ?? 0)) })
        }
    }

    /// The vertices of each unbroken run of a step series: each value holds until the next
    /// point's time, including the point that starts a gap (the value was in force until then).
    static func stepRuns(_ series: ChartCleanSeries, x: (Double) -> Double, y: (Double) -> Double) -> [[ChartPixel]] {
        series.runs.map { run in
            let points = series.points
            guard var current = points[run.lowerBound].value else { return [] }
            var vertices = [ChartPixel(x: x(points[run.lowerBound].time), y: y(current))]
            for point in points[run].dropFirst() {
                guard let value = point.value, value != current else { continue }
                let stepX = x(point.time)
                vertices.append(ChartPixel(x: stepX, y: y(current)))
                vertices.append(ChartPixel(x: stepX, y: y(value)))
                current = value
            }
            let holdUntil = run.upperBound < points.count ? points[run.upperBound].time : points[run.upperBound - 1].time
            vertices.append(ChartPixel(x: x(holdUntil), y: y(current)))
            return thinned(vertices)
        }
    }

    /// Keeps, of the vertices falling in one pixel column, the first, the highest, the lowest
    /// and the last, in their original order.
    ///
    /// Nothing visible is lost: within a column the line can only go up and down, and the
    /// segments between columns join the same vertices as before. A week at 15 s steps
    /// (40,320 points) becomes at most four vertices per column.
    static func thinned(_ vertices: [ChartPixel]) -> [ChartPixel] {
        var kept: [ChartPixel] = []
        kept.reserveCapacity(min(vertices.count, 4096))
        var start = 0
        while start < vertices.count {
            let column = vertices[start].x.rounded(.down)
            var end = start
            var highest = start
            var lowest = start
            while end + 1 < vertices.count, vertices[end + 1].x.rounded(.down) == column {
                end += 1
                if vertices[end].y < vertices[highest].y { highest = end }
                if vertices[end].y > vertices[lowest].y { lowest = end }
            }
            var previousIndex = -1
            for index in [start, min(highest, lowest), max(highest, lowest), end] where index != previousIndex {
                if kept.last != vertices[index] { kept.append(vertices[index]) }
                previousIndex = index
            }
            start = end + 1
        }
        return kept
    }

    /// The outline of the area under a dense line: per pixel column only the vertex farthest
    /// from `baseline` (and each run's ends).
    ///
    /// The line drawn over the area covers everything between a column's lowest and highest
    /// vertex anyway, so the fill needs only its outer edge: a quarter of the vertices.
    static func envelope(_ run: [ChartPixel], baseline: Double) -> [ChartPixel] {
        guard run.count > 2 else { return run }
        var kept = [run[0]]
        var index = 1
        while index < run.count - 1 {
            let column = run[index].x.rounded(.down)
            var outermost = run[index]
            index += 1
            while index < run.count - 1, run[index].x.rounded(.down) == column {
                if abs(run[index].y - baseline) > abs(outermost.y - baseline) { outermost = run[index] }
                index += 1
            }
            kept.append(outermost)
        }
        kept.append(run[run.count - 1])
        return kept
    }

    /// Runs of a single vertex, at most one per pixel column: a value between two gaps, which a
    /// line cannot show at any visible size, so it gets a dot of its own.
    static func isolatedPoints(_ runs: [[ChartPixel]]) -> [ChartPixel] {
        var points: [ChartPixel] = []
        for run in runs where run.count == 1 {
            if let last = points.last, last.x.rounded(.down) == run[0].x.rounded(.down) { continue }
            points.append(run[0])
        }
        return points
    }

    /// Path data drawing each run as its own subpath (one `M` per run, so a gap is a break).
    /// A run of one point becomes a zero-length segment, which a round line cap shows as a dot.
    static func line(_ runs: [[ChartPixel]]) -> String {
        var data = ""
        for run in runs {
            guard let first = run.first else { continue }
            data += "M\(ChartFormatting.coordinate(first.x)),\(ChartFormatting.coordinate(first.y))"
            if run.count == 1 {
                data += "h0"
                continue
            }
            appendSegments(of: run, to: &data)
        }
        return data
    }

    /// Path data filling between each run and the horizontal line at `baseline`.
    static func area(_ runs: [[ChartPixel]], baseline: Double) -> String {
        var data = ""
        let base = ChartFormatting.coordinate(baseline)
        for run in runs where run.count > 1 {
            data += "M\(ChartFormatting.coordinate(run[0].x)),\(base)V\(ChartFormatting.coordinate(run[0].y))"
            appendSegments(of: run, to: &data)
            data += "V\(base)Z"
        }
        return data
    }

    private static func appendSegments(of run: [ChartPixel], to data: inout String) {
        var previous = run[0]
        for vertex in run.dropFirst() where vertex != previous {
            if vertex.y == previous.y {
                data += "H" + ChartFormatting.coordinate(vertex.x)
            } else if vertex.x == previous.x {
                data += "V" + ChartFormatting.coordinate(vertex.y)
            } else {
                data += "L\(ChartFormatting.coordinate(vertex.x)),\(ChartFormatting.coordinate(vertex.y))"
            }
            previous = vertex
        }
    }
}
