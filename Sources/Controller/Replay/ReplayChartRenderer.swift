/// Draws a `ReplayChart` as SVG: panels stacked on one time axis, each with its gridlines,
/// series, value axis and legend, and the time axis under the last.
struct ReplayChartRenderer {
    private let chart: ReplayChart
    private let width: Double
    private let plotLeft = 78.0
    private let plotRight: Double
    private let timeAxis: ChartTimeAxis
    private let metrics: [MetricPanelData]
    private let replicas: ReplicasPanelData
    private let windows: [VisibleWindow]
    /// False when neither the series nor the windows hold a single time: the axis then shows
    /// an arbitrary hour, which must not be labelled as if it meant something.
    private let hasTimes: Bool

    /// A metric panel's series, cleaned once and shared by the value range and the drawing.
    private struct MetricPanelData {
        let panel: ChartMetricPanel
        let series: ChartCleanSeries
        let targetSeries: ChartCleanSeries?
        let constantTarget: Double?
    }

    private struct ReplicasPanelData {
        let unit: String
        let recorded: (label: String, series: ChartCleanSeries)?
        let policies: [(label: String, series: ChartCleanSeries)]
        let minimum: ChartCleanSeries?
        let maximum: ChartCleanSeries?

        var all: [ChartCleanSeries] {
            [recorded?.series].compactMap { $0 } + policies.map(\.series) + [minimum, maximum].compactMap { $0 }
        }
    }

    /// A schedule window clipped to the chart's time range, with its tint.
    private struct VisibleWindow {
        let label: String
        let start: Double
        let end: Double
        let tint: String
    }

    /// Where a panel sits on the canvas.
    private struct PanelFrame {
        let top: Double
        let bottom: Double
        let legendBaselines: [Double]
    }

    init(chart: ReplayChart) {
        self.chart = chart
        width = max(480, chart.width.isFinite ? chart.width : 1200)
        plotRight = width - 32
        metrics = chart.metricPanels.map { panel in
            var targetSeries: ChartCleanSeries?
            var constantTarget: Double?
            switch panel.target {
            case .constant(let value)? where value.isFinite && abs(value) <= ChartCleanSeries.usableValueMagnitude:
                constantTarget = value
            case .series(let points)?:
                targetSeries = ChartCleanSeries(points)
            default:
                break
            }
            return MetricPanelData(panel: panel, series: ChartCleanSeries(panel.series), targetSeries: targetSeries,
                                   constantTarget: constantTarget)
        }
        let replicasPanel = chart.replicas
        replicas = ReplicasPanelData(
            unit: replicasPanel.unit,
            recorded: replicasPanel.recorded.map { ($0.label, ChartCleanSeries($0.points)) },
            policies: replicasPanel.policies.map { ($0.label, ChartCleanSeries($0.points)) },
            minimum: replicasPanel.minimum.map(ChartCleanSeries.init),
            maximum: replicasPanel.maximum.map(ChartCleanSeries.init))

        let allSeries = metrics.flatMap { [$0.series, $0.targetSeries].compactMap { $0 } } + replicas.all
        let timeRanges = allSeries.compactMap(\.timeRange)
        var start = timeRanges.map(\.lowerBound).min()
        var end = timeRanges.map(\.upperBound).max()
        if start == nil {
            // Without data the windows alone say which times the chart is about.
            let usable = chart.windows.filter {
                $0.start.isFinite && $0.end.isFinite && abs($0.start) < ChartCleanSeries.usableTimeMagnitude
                    && abs($0.end) < ChartCleanSeries.usableTimeMagnitude && $0.start < $0.end
            }
            start = usable.map(\.start).min()
            end = usable.map(\.end).max()
        }
        hasTimes = start != nil
        var domainStart = start ?? 0
        var domainEnd = end ?? 3600
        if domainEnd - domainStart <= 0 {
            // A single instant is shown as the hour around it.
            domainStart -= 1800
            domainEnd += 1800
        }
        let plotWidth = plotRight - plotLeft
        timeAxis = ChartTimeAxis(start: domainStart, end: domainEnd, zone: chart.timeZone,
                                 maximumTickCount: max(2, Int(plotWidth / 95)))

        var tints: [String: String] = [:]
        windows = chart.windows.compactMap { window in
            guard window.start.isFinite, window.end.isFinite else { return nil }
            let start = max(window.start, domainStart)
            let end = min(window.end, domainEnd)
            guard start < end else { return nil }
            let tint = tints[window.label] ?? ChartPalette.windowTints[tints.count % ChartPalette.windowTints.count]
            tints[window.label] = tint
            return VisibleWindow(label: window.label, start: start, end: end, tint: tint)
        }
    }

    // MARK: - The document

    func render() -> String {
        var frames: [PanelFrame] = []
        var blockTop = 84.0
        for index in 0...metrics.count {
            let legendRows = layoutLegend(legendItems(panelIndex: index), nameWidth: panelNameWidth(index)).count
            let firstBaseline = blockTop + 16
            let legendBaselines = (0..<max(1, legendRows)).map { firstBaseline + Double($0) * 18 }
            let top = max(blockTop + 44, legendBaselines[legendBaselines.count - 1] + 22)
            let height = index == metrics.count ? 230.0 : 170
            frames.append(PanelFrame(top: top, bottom: top + height, legendBaselines: legendBaselines))
            blockTop = top + height + 26
        }
        let lastBottom = frames[frames.count - 1].bottom
        let height = lastBottom + 66

        var svg = ""
        svg.reserveCapacity(64 * 1024)
        svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(c(width))\" height=\"\(c(height))\" "
        svg += "viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" aria-labelledby=\"chart-title chart-description\" "
        svg += "font-family=\"\(ChartPalette.fontFamily)\" font-size=\"12\">\n"
        svg += "<title id=\"chart-title\">\(ChartFormatting.escaped(chart.title))</title>\n"
        svg += "<desc id=\"chart-description\">\(ChartFormatting.escaped(description))</desc>\n"
        svg += "<defs>\n"
        svg += "<pattern id=\"no-data\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        svg += "<rect width=\"6\" height=\"6\" fill=\"\(ChartPalette.noDataBackground)\"/>"
        svg += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"\(ChartPalette.noDataHatch)\" stroke-width=\"2\"/></pattern>\n"
        svg += "</defs>\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        drawHeading(into: &svg)
        for (index, frame) in frames.enumerated() {
            if index < metrics.count {
                drawMetricPanel(metrics[index], index: index, frame: frame, into: &svg)
            } else {
                drawReplicasPanel(frame: frame, into: &svg)
            }
        }
        drawTimeAxis(below: lastBottom, into: &svg)
        svg += "</svg>\n"
        return svg
    }

    /// A text alternative for screen readers: what is charted over which times.
    private var description: String {
        let panels = metrics.map { "\($0.panel.name) (\($0.panel.unit))" } + ["replicas"]
        return "\(panels.joined(separator: ", "))" + (hasTimes ? " over \(timeAxis.rangeDescription)" : ", no data")
    }

    private func drawHeading(into svg: inout String) {
        svg += text(chart.title, x: 20, y: 32, size: 20, weight: "600", fill: ChartPalette.ink)
        let subtitle = [chart.subtitle, hasTimes ? timeAxis.rangeDescription : nil].compactMap { $0 }.joined(separator: " · ")
        svg += text(subtitle, x: 20, y: 54, size: 13, fill: ChartPalette.mutedInk)
        // The schedule windows' key sits at the right of the title: they span every panel.
        var labels: [(String, String)] = []
        for window in windows where !labels.contains(where: { $0.0 == window.label }) {
            labels.append((window.label, window.tint))
        }
        var x = plotRight
        for (label, tint) in labels.reversed() {
            let labelWidth = ChartFormatting.estimatedWidth(label, fontSize: 12)
            x -= labelWidth
            svg += text(label, x: x, y: 32, size: 12, fill: ChartPalette.legendInk)
            x -= 20
            svg += "<rect x=\"\(c(x))\" y=\"21\" width=\"14\" height=\"14\" rx=\"2\" fill=\"\(tint)\" "
            svg += "fill-opacity=\"\(ChartPalette.windowOpacity * 1.6)\" stroke=\"\(tint)\" stroke-opacity=\"0.5\"/>\n"
            x -= 18
        }
    }

    // MARK: - Panels

    private func drawMetricPanel(_ data: MetricPanelData, index: Int, frame: PanelFrame, into svg: inout String) {
        var lowest = data.series.valueRange?.lowerBound ?? 0
        var highest = data.series.valueRange?.upperBound ?? 0
        for target in [data.constantTarget, data.targetSeries?.valueRange?.lowerBound, data.targetSeries?.valueRange?.upperBound] {
            guard let target else { continue }
            lowest = min(lowest, target)
            highest = max(highest, target)
        }
        let axis = ChartValueAxis(covering: lowest, highest, targetTickCount: 4, integral: false)
        let y = valueScale(axis, frame)

        svg += "<g class=\"panel metric\">\n"
        drawPanelBackground(axis: axis, frame: frame, y: y, isTopPanel: index == 0, into: &svg)
        drawGaps(of: data.series, frame: frame, into: &svg)

        let runs = ChartPath.lineRuns(data.series, x: xPosition, y: y)
        let baseline = y(min(max(0, axis.lower), axis.upper))
        let area = ChartPath.area(runs.map { ChartPath.envelope($0, baseline: baseline) }, baseline: baseline)
        if !area.isEmpty {
            svg += "<path class=\"metric-area\" d=\"\(area)\" fill=\"\(ChartPalette.metric)\" fill-opacity=\"0.09\"/>\n"
            if let aboveTarget = aboveTargetClip(data, frame: frame, y: y) {
                // The area under the metric, seen only above the target: the under-provisioned times.
                let clipID = "above-target-\(index)"
                svg += "<clipPath id=\"\(clipID)\"><path d=\"\(aboveTarget)\"/></clipPath>\n"
                svg += "<path class=\"above-target\" d=\"\(area)\" clip-path=\"url(#\(clipID))\" "
                svg += "fill=\"\(ChartPalette.target)\" fill-opacity=\"\(ChartPalette.aboveTargetOpacity)\"/>\n"
            }
        }
        let line = ChartPath.line(runs)
        if !line.isEmpty {
            svg += "<path class=\"metric-line\" data-label=\"\(ChartFormatting.escaped(data.panel.name))\" d=\"\(line)\" "
            svg += "fill=\"none\" stroke=\"\(ChartPalette.metric)\" stroke-width=\"1.4\" stroke-linejoin=\"round\" stroke-linecap=\"round\">"
            svg += "<title>\(ChartFormatting.escaped(data.panel.name))</title></path>\n"
            svg += dots(ChartPath.isolatedPoints(runs), radius: 2.5, colour: ChartPalette.metric)
        }
        if let target = data.constantTarget {
            let targetY = c(y(target))
            svg += "<path class=\"target\" d=\"M\(c(plotLeft)),\(targetY)H\(c(plotRight))\" fill=\"none\" "
            svg += "stroke=\"\(ChartPalette.target)\" stroke-width=\"1.6\" stroke-dasharray=\"7 4\">"
            svg += "<title>target \(ChartFormatting.escaped(Self.shortNumber(target))) \(ChartFormatting.escaped(data.panel.unit))</title></path>\n"
        } else if let targetSeries = data.targetSeries {
            let targetLine = ChartPath.line(ChartPath.stepRuns(targetSeries, x: xPosition, y: y))
            if !targetLine.isEmpty {
                svg += "<path class=\"target\" d=\"\(targetLine)\" fill=\"none\" stroke=\"\(ChartPalette.target)\" "
                svg += "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"><title>target</title></path>\n"
            }
        }
        if !data.series.hasValues { drawNoData(frame: frame, into: &svg) }
        drawPanelLabels(name: data.panel.name, unit: data.panel.unit, axis: axis, y: y, frame: frame,
                        legend: legendItems(panelIndex: index), into: &svg)
        svg += "</g>\n"
    }

    private func drawReplicasPanel(frame: PanelFrame, into svg: inout String) {
        let ranges = replicas.all.compactMap(\.valueRange)
        let axis = ChartValueAxis(covering: ranges.map(\.lowerBound).min() ?? 0, ranges.map(\.upperBound).max() ?? 1,
                                  targetTickCount: 7, integral: true)
        let y = valueScale(axis, frame)
        let baseline = y(min(max(0, axis.lower), axis.upper))

        svg += "<g class=\"panel replicas\">\n"
        drawPanelBackground(axis: axis, frame: frame, y: y, isTopPanel: metrics.isEmpty, into: &svg)

        // Lines drawn later are thinner, so where policies agree with each other or with what
        // happened, every colour still shows as a stripe instead of the last one hiding the rest.
        let lineCount = (replicas.recorded == nil ? 0 : 1) + replicas.policies.count
        func strokeWidth(drawingOrder: Int) -> Double {
            max(1.5, 1.5 + 1.1 * Double(lineCount - 1 - drawingOrder))
        }

        var recordedRuns: [[ChartPixel]] = []
        if let recorded = replicas.recorded {
            recordedRuns = ChartPath.stepRuns(recorded.series, x: xPosition, y: y)
            let area = ChartPath.area(recordedRuns, baseline: baseline)
            if !area.isEmpty {
                svg += "<path class=\"recorded-area\" d=\"\(area)\" fill=\"\(ChartPalette.recorded)\" fill-opacity=\"0.08\"/>\n"
            }
        }
        for (bound, name) in [(replicas.minimum, "minimum"), (replicas.maximum, "maximum")] {
            guard let bound else { continue }
            let line = ChartPath.line(ChartPath.stepRuns(bound, x: xPosition, y: y))
            guard !line.isEmpty else { continue }
            svg += "<path class=\"bound\" data-label=\"\(name)\" d=\"\(line)\" fill=\"none\" stroke=\"\(ChartPalette.bound)\" "
            svg += "stroke-width=\"1.2\" stroke-dasharray=\"2 3\"><title>\(name) replicas</title></path>\n"
        }
        var drawingOrder = 0
        if let recorded = replicas.recorded {
            svg += stepLine(recordedRuns, label: recorded.label, colour: ChartPalette.recorded,
                            width: strokeWidth(drawingOrder: drawingOrder), className: "recorded")
            drawingOrder += 1
        }
        for (index, policy) in replicas.policies.enumerated() {
            let runs = ChartPath.stepRuns(policy.series, x: xPosition, y: y)
            svg += stepLine(runs, label: policy.label, colour: ChartPalette.policyColour(index),
                            width: strokeWidth(drawingOrder: drawingOrder), className: "policy")
            drawingOrder += 1
        }
        if !replicas.all.contains(where: \.hasValues) { drawNoData(frame: frame, into: &svg) }
        drawPanelLabels(name: "replicas", unit: replicas.unit, axis: axis, y: y, frame: frame,
                        legend: legendItems(panelIndex: metrics.count), into: &svg)
        svg += "</g>\n"
    }

    private func stepLine(_ runs: [[ChartPixel]], label: String, colour: String, width: Double, className: String) -> String {
        let data = ChartPath.line(runs)
        guard !data.isEmpty else { return "" }
        let escapedLabel = ChartFormatting.escaped(label)
        return "<path class=\"\(className)\" data-label=\"\(escapedLabel)\" d=\"\(data)\" fill=\"none\" stroke=\"\(colour)\" "
            + "stroke-width=\"\(ChartFormatting.decimal(width, decimals: 1))\" stroke-linejoin=\"round\" stroke-linecap=\"round\">"
            + "<title>\(escapedLabel)</title></path>\n"
            + dots(ChartPath.isolatedPoints(runs), radius: width / 2 + 1.5, colour: colour)
    }

    private func dots(_ points: [ChartPixel], radius: Double, colour: String) -> String {
        guard !points.isEmpty else { return "" }
        var group = "<g class=\"isolated\" fill=\"\(colour)\">"
        for point in points {
            group += "<circle cx=\"\(c(point.x))\" cy=\"\(c(point.y))\" r=\"\(c(radius))\"/>"
        }
        return group + "</g>\n"
    }

    /// Schedule windows, gridlines and the panel's baseline, under the series.
    private func drawPanelBackground(axis: ChartValueAxis, frame: PanelFrame, y: (Double) -> Double, isTopPanel: Bool,
                                     into svg: inout String) {
        for window in windows {
            let start = xPosition(window.start)
            let end = xPosition(window.end)
            svg += "<rect class=\"window\" x=\"\(c(start))\" y=\"\(c(frame.top))\" width=\"\(c(end - start))\" "
            svg += "height=\"\(c(frame.bottom - frame.top))\" fill=\"\(window.tint)\" fill-opacity=\"\(ChartPalette.windowOpacity)\">"
            svg += "<title>\(ChartFormatting.escaped(window.label))</title></rect>\n"
            let labelWidth = ChartFormatting.estimatedWidth(window.label, fontSize: 11)
            if isTopPanel, end - start >= labelWidth + 10 {
                svg += text(window.label, x: start + 5, y: frame.top + 14, size: 11, fill: ChartPalette.windowInk)
            }
        }
        svg += "<g shape-rendering=\"crispEdges\" fill=\"none\">\n"
        for tick in timeAxis.ticks {
            let x = c(xPosition(tick.time).rounded() + 0.5)
            let colour = tick.isDayBoundary ? ChartPalette.dayGrid : ChartPalette.grid
            svg += "<line x1=\"\(x)\" y1=\"\(c(frame.top))\" x2=\"\(x)\" y2=\"\(c(frame.bottom))\" stroke=\"\(colour)\"/>\n"
        }
        for tick in axis.ticks where tick != 0 {
            let tickY = c(y(tick).rounded() + 0.5)
            svg += "<line x1=\"\(c(plotLeft))\" y1=\"\(tickY)\" x2=\"\(c(plotRight))\" y2=\"\(tickY)\" stroke=\"\(ChartPalette.grid)\"/>\n"
        }
        svg += "</g>\n"
    }

    /// The value axis, the zero line, the unit, the panel's name and its legend, over the series.
    private func drawPanelLabels(name: String, unit: String, axis: ChartValueAxis, y: (Double) -> Double, frame: PanelFrame,
                                 legend: [LegendItem], into svg: inout String) {
        let zeroY = c(y(min(max(0, axis.lower), axis.upper)).rounded() + 0.5)
        svg += "<line x1=\"\(c(plotLeft))\" y1=\"\(zeroY)\" x2=\"\(c(plotRight))\" y2=\"\(zeroY)\" stroke=\"\(ChartPalette.axis)\" "
        svg += "shape-rendering=\"crispEdges\"/>\n"
        for tick in axis.ticks {
            svg += text(axis.label(tick), x: plotLeft - 8, y: y(tick) + 4, size: 11, fill: ChartPalette.mutedInk, anchor: "end")
        }
        svg += text(unit, x: plotLeft - 8, y: frame.top - 9, size: 11, fill: ChartPalette.mutedInk, anchor: "end", className: "unit")
        svg += text(name, x: 20, y: frame.legendBaselines[0], size: 14, weight: "600", fill: ChartPalette.ink, className: "panel-name")
        drawLegend(legend, nameWidth: ChartFormatting.estimatedWidth(name, fontSize: 14), baselines: frame.legendBaselines, into: &svg)
    }

    private func drawGaps(of series: ChartCleanSeries, frame: PanelFrame, into svg: inout String) {
        // Neighbouring gaps closer than a pixel are one hatched block: a flapping metric over a
        // week must not become thousands of rectangles.
        var blocks: [(start: Double, end: Double)] = []
        for gap in series.gaps {
            let start = xPosition(gap.lowerBound)
            let end = max(xPosition(gap.upperBound), start + 1)
            if let last = blocks.last, start <= last.end + 1 {
                blocks[blocks.count - 1].end = max(last.end, end)
            } else {
                blocks.append((start, end))
            }
        }
        for block in blocks {
            svg += "<rect class=\"no-data\" x=\"\(c(block.start))\" y=\"\(c(frame.top))\" width=\"\(c(block.end - block.start))\" "
            svg += "height=\"\(c(frame.bottom - frame.top))\" fill=\"url(#no-data)\"><title>no data</title></rect>\n"
        }
    }

    private func drawNoData(frame: PanelFrame, into svg: inout String) {
        svg += text("no data", x: (plotLeft + plotRight) / 2, y: (frame.top + frame.bottom) / 2 + 5, size: 14,
                    fill: ChartPalette.mutedInk, anchor: "middle")
    }

    /// The region above the target, as a clip path: the metric's area seen through it is the
    /// time the metric spent above target.
    private func aboveTargetClip(_ data: MetricPanelData, frame: PanelFrame, y: (Double) -> Double) -> String? {
        if let target = data.constantTarget {
            return "M\(c(plotLeft)),\(c(frame.top))H\(c(plotRight))V\(c(y(target)))H\(c(plotLeft))Z"
        }
        guard let targetSeries = data.targetSeries else { return nil }
        var path = ""
        for run in ChartPath.stepRuns(targetSeries, x: xPosition, y: y) where run.count > 1 {
            path += "M\(c(run[0].x)),\(c(frame.top))"
            for vertex in run { path += "L\(c(vertex.x)),\(c(vertex.y))" }
            path += "V\(c(frame.top))Z"
        }
        return path.isEmpty ? nil : path
    }

    // MARK: - The time axis

    private func drawTimeAxis(below bottom: Double, into svg: inout String) {
        guard hasTimes else { return }
        let labelY = bottom + 18
        let dateY = bottom + 34
        svg += "<g class=\"time-axis\">\n"
        var dateLabels: [(x: Double, text: String)] = []
        for tick in timeAxis.ticks {
            let x = xPosition(tick.time).rounded() + 0.5
            svg += "<line x1=\"\(c(x))\" y1=\"\(c(bottom))\" x2=\"\(c(x))\" y2=\"\(c(bottom + 5))\" stroke=\"\(ChartPalette.axis)\" "
            svg += "shape-rendering=\"crispEdges\"/>\n"
            svg += edgeAwareText(tick.label, x: x, y: labelY, size: 11, fill: ChartPalette.mutedInk,
                                 weight: tick.isDayBoundary && timeAxis.step < 86_400 ? "600" : nil)
            if let date = tick.date { dateLabels.append((x, date)) }
        }
        // The first tick's date gives way to a midnight's close by: that one starts the day.
        if dateLabels.count > 1, dateLabels[1].x - dateLabels[0].x < ChartFormatting.estimatedWidth(dateLabels[0].text, fontSize: 11) + 16 {
            dateLabels.removeFirst()
        }
        for date in dateLabels {
            svg += edgeAwareText(date.text, x: date.x, y: dateY, size: 11, fill: ChartPalette.ink, weight: "600")
        }
        let zoneTitle = "time (\(timeAxis.zone.name))"
        svg += text(zoneTitle, x: plotRight, y: bottom + 56, size: 11, fill: ChartPalette.mutedInk, anchor: "end", className: "axis-title")
        svg += "</g>\n"
    }

    /// A label centred on `x`, moved inward where it would run off the canvas.
    private func edgeAwareText(_ content: String, x: Double, y: Double, size: Double, fill: String, weight: String?) -> String {
        let halfWidth = ChartFormatting.estimatedWidth(content, fontSize: size) / 2
        if x - halfWidth < 4 { return text(content, x: max(x, 4), y: y, size: size, weight: weight, fill: fill) }
        if x + halfWidth > width - 4 { return text(content, x: min(x, width - 4), y: y, size: size, weight: weight, fill: fill, anchor: "end") }
        return text(content, x: x, y: y, size: size, weight: weight, fill: fill, anchor: "middle")
    }

    // MARK: - Legends

    private enum LegendSwatch {
        case line(colour: String, width: Double, dash: String?)
        case area(colour: String, opacity: Double, edge: String?)
        case hatch
    }

    private struct LegendItem {
        let swatch: LegendSwatch
        let label: String
    }

    private func legendItems(panelIndex: Int) -> [LegendItem] {
        guard panelIndex < metrics.count else {
            var items: [LegendItem] = []
            if let recorded = replicas.recorded {
                items.append(LegendItem(swatch: .area(colour: ChartPalette.recorded, opacity: 0.12, edge: ChartPalette.recorded),
                                        label: recorded.label))
            }
            for (index, policy) in replicas.policies.enumerated() {
                items.append(LegendItem(swatch: .line(colour: ChartPalette.policyColour(index), width: 2.5, dash: nil), label: policy.label))
            }
            if replicas.minimum != nil || replicas.maximum != nil {
                let label = replicas.minimum == nil ? "max" : replicas.maximum == nil ? "min" : "min / max"
                items.append(LegendItem(swatch: .line(colour: ChartPalette.bound, width: 1.2, dash: "2 3"), label: label))
            }
            return items
        }
        let data = metrics[panelIndex]
        var items = [LegendItem(swatch: .line(colour: ChartPalette.metric, width: 2, dash: nil), label: data.panel.seriesLabel)]
        if let target = data.constantTarget {
            items.append(LegendItem(swatch: .line(colour: ChartPalette.target, width: 1.6, dash: "7 4"),
                                    label: "target \(Self.shortNumber(target)) \(data.panel.unit)"))
        } else if data.targetSeries?.hasValues == true {
            items.append(LegendItem(swatch: .line(colour: ChartPalette.target, width: 1.6, dash: "7 4"), label: "target"))
        }
        if data.constantTarget != nil || data.targetSeries?.hasValues == true {
            items.append(LegendItem(swatch: .area(colour: ChartPalette.target, opacity: ChartPalette.aboveTargetOpacity, edge: nil), label: "above target"))
        }
        if data.series.hasGaps {
            items.append(LegendItem(swatch: .hatch, label: "no data"))
        }
        return items
    }

    private func panelNameWidth(_ panelIndex: Int) -> Double {
        let name = panelIndex < metrics.count ? metrics[panelIndex].panel.name : "replicas"
        return ChartFormatting.estimatedWidth(name, fontSize: 14)
    }

    private static let swatchWidth = 22.0
    private static let legendFontSize = 12.0

    private func itemWidth(_ item: LegendItem) -> Double {
        Self.swatchWidth + 6 + ChartFormatting.estimatedWidth(item.label, fontSize: Self.legendFontSize)
    }

    /// Legend items in rows, right-aligned: as many per row as fit between the panel's name
    /// and the right edge.
    private func layoutLegend(_ items: [LegendItem], nameWidth: Double) -> [[LegendItem]] {
        let available = plotRight - (20 + nameWidth + 32)
        var rows: [[LegendItem]] = []
        var row: [LegendItem] = []
        var rowWidth = 0.0
        for item in items {
            let needed = itemWidth(item) + (row.isEmpty ? 0 : 18)
            if !row.isEmpty, rowWidth + needed > available {
                rows.append(row)
                row = []
                rowWidth = 0
            }
            rowWidth += row.isEmpty ? itemWidth(item) : needed
            row.append(item)
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }

    private func drawLegend(_ items: [LegendItem], nameWidth: Double, baselines: [Double], into svg: inout String) {
        for (rowIndex, row) in layoutLegend(items, nameWidth: nameWidth).enumerated() where rowIndex < baselines.count {
            let baseline = baselines[rowIndex]
            let rowWidth = row.map(itemWidth).reduce(0, +) + 18 * Double(row.count - 1)
            var x = plotRight - rowWidth
            for item in row {
                let middle = baseline - 4
                switch item.swatch {
                case .line(let colour, let width, let dash):
                    svg += "<line x1=\"\(c(x))\" y1=\"\(c(middle))\" x2=\"\(c(x + Self.swatchWidth))\" y2=\"\(c(middle))\" "
                    svg += "stroke=\"\(colour)\" stroke-width=\"\(ChartFormatting.decimal(width, decimals: 1))\""
                    svg += dash.map { " stroke-dasharray=\"\($0)\"" } ?? " stroke-linecap=\"round\""
                    svg += "/>\n"
                case .area(let colour, let opacity, let edge):
                    svg += "<rect x=\"\(c(x))\" y=\"\(c(middle - 6))\" width=\"\(c(Self.swatchWidth))\" height=\"12\" fill=\"\(colour)\" "
                    svg += "fill-opacity=\"\(ChartFormatting.decimal(opacity, decimals: 2))\"/>\n"
                    if let edge {
                        svg += "<line x1=\"\(c(x))\" y1=\"\(c(middle - 6))\" x2=\"\(c(x + Self.swatchWidth))\" y2=\"\(c(middle - 6))\" "
                        svg += "stroke=\"\(edge)\" stroke-width=\"2.5\"/>\n"
                    }
                case .hatch:
                    svg += "<rect x=\"\(c(x))\" y=\"\(c(middle - 6))\" width=\"\(c(Self.swatchWidth))\" height=\"12\" fill=\"url(#no-data)\" "
                    svg += "stroke=\"\(ChartPalette.noDataHatch)\" stroke-width=\"0.5\"/>\n"
                }
                svg += text(item.label, x: x + Self.swatchWidth + 6, y: baseline, size: Self.legendFontSize,
                            fill: ChartPalette.legendInk, className: "legend")
                x += itemWidth(item) + 18
            }
        }
    }

    // MARK: - Scales and text

    private func xPosition(_ time: Double) -> Double {
        plotLeft + (time - timeAxis.start) / (timeAxis.end - timeAxis.start) * (plotRight - plotLeft)
    }

    private func valueScale(_ axis: ChartValueAxis, _ frame: PanelFrame) -> (Double) -> Double {
        let span = axis.upper - axis.lower
        return { value in frame.bottom - (value - axis.lower) / span * (frame.bottom - frame.top) }
    }

    private func c(_ value: Double) -> String { ChartFormatting.coordinate(value) }

    private func text(_ content: String, x: Double, y: Double, size: Double, weight: String? = nil, fill: String,
                      anchor: String? = nil, className: String? = nil) -> String {
        var element = "<text"
        if let className { element += " class=\"\(className)\"" }
        element += " x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\" fill=\"\(fill)\""
        if let weight { element += " font-weight=\"\(weight)\"" }
        if let anchor { element += " text-anchor=\"\(anchor)\"" }
        return element + ">\(ChartFormatting.escaped(content))</text>\n"
    }

    /// A target value as people write it: up to three decimals, no trailing zeros.
    static func shortNumber(_ value: Double) -> String {
        var text = ChartFormatting.decimal(value, decimals: 3)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// Colours from the Okabe–Ito palette, which stays distinguishable with the common forms of
/// colour blindness, and the greys around them.
enum ChartPalette {
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
    static let ink = "#1a1a1a"
    static let mutedInk = "#5f5f5f"
    static let legendInk = "#333333"
    static let windowInk = "#2f5f7f"
    static let grid = "#ececec"
    static let dayGrid = "#c8c8c8"
    static let axis = "#9a9a9a"
    static let noDataBackground = "#ffffff"
    static let noDataHatch = "#d0d0d0"

    static let metric = "#0072B2"  // blue
    static let target = "#D55E00"  // vermillion
    /// Strong enough to read as vermillion over the metric's own blue fill.
    static let aboveTargetOpacity = 0.42
    static let recorded = "#000000"
    static let bound = "#6f6f6f"
    /// Orange, bluish green, reddish purple, sky blue, blue, vermillion: the metric panels' blue
    /// and vermillion come last so the first policies never look like the metric or its target.
    private static let policies = ["#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#0072B2", "#D55E00"]

    static func policyColour(_ index: Int) -> String { policies[index % policies.count] }

    /// Sky blue, yellow, reddish purple, bluish green, translucent behind the data.
    static let windowTints = ["#56B4E9", "#F0E442", "#CC79A7", "#009E73"]
    static let windowOpacity = 0.14
}
