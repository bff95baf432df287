import Controller
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Replay chart")
struct ReplayChartTests {
    /// 2025-11-03 00:00 UTC, a Monday.
    static let monday = 1_762_128_000.0

    /// A day at 15 s steps: a bursty metric with a 10-minute outage, recorded replicas and two
    /// policies, bounds and a night window.
    static func dayChart(title: String = "mcp-burst replay", policyLabel: String = "slow-down.yaml") -> ReplayChart {
        let times = (0...5760).map { monday + Double($0) * 15 }
        let requests = times.map { time -> ChartPoint in
            let hour = (time - monday) / 3600
            let outage = hour >= 15 && hour < 15 + 1.0 / 6
            return ChartPoint(time: time, value: outage ? nil : 60 + 40 * sin(hour / 3) + (hour > 9 && hour < 9.2 ? 200 : 0))
        }
        func replicas(_ offset: Double) -> [ChartPoint] {
            times.map { ChartPoint(time: $0, value: (3 + 3 * sin(($0 - monday) / 3600 / 3 + offset)).rounded()) }
        }
        return ReplayChart(
            title: title, subtitle: "--mode simulate",
            metricPanels: [ChartMetricPanel(name: "http_requests_per_second", unit: "req/s", series: requests, target: .constant(100))],
            replicas: ChartReplicasPanel(
                recorded: ChartStepSeries(label: "recorded", points: replicas(0)),
                policies: [ChartStepSeries(label: policyLabel, points: replicas(0.2)),
                           ChartStepSeries(label: "night-min-1.yaml", points: replicas(0.4))],
                minimum: [ChartPoint(time: monday, value: 1), ChartPoint(time: monday + 86_400, value: 1)],
                maximum: [ChartPoint(time: monday, value: 8), ChartPoint(time: monday + 86_400, value: 8)]),
            windows: [ChartWindow(label: "night", start: monday, end: monday + 6 * 3600)])
    }

    @Test("A day's chart is well-formed SVG with labelled axes, a legend and a path per series")
    func dayChartContents() throws {
        let document = try SVGDocument(ReplayChartTests.dayChart().svg())
        #expect(document.root?.name == "svg")
        #expect(document.root?.attributes["width"] == "1200")

        let texts = Set(document.texts)
        // Units on the value axes, times and dates on the time axis, the zone in its title.
        for label in ["req/s", "replicas", "00:00", "03:00", "12:00", "21:00", "Mon 3 Nov", "Tue 4 Nov", "time (UTC)", "100", "night"] {
            #expect(texts.contains(label), "missing axis label \(label)")
        }
        let legend = Set(document.elements.filter { $0.attributes["class"] == "legend" }.map(\.text))
        for entry in ["recorded", "target 100 req/s", "above target", "no data", "slow-down.yaml", "night-min-1.yaml", "min / max"] {
            #expect(legend.contains(entry), "missing legend entry \(entry)")
        }
        let labelledPaths = Set(document.elements.filter { $0.name == "path" }.compactMap { $0.attributes["data-label"] })
        #expect(labelledPaths.isSuperset(of: ["http_requests_per_second", "recorded", "slow-down.yaml", "night-min-1.yaml", "minimum", "maximum"]))
        #expect(document.elements.contains { $0.name == "path" && $0.attributes["class"] == "target" })
        #expect(document.elements.contains { $0.name == "rect" && $0.attributes["class"] == "window" })
    }

    @Test("Gaps (nil, NaN, ±Inf) break the line into one subpath per run and are never drawn as zero")
    func gapsBreakTheLine() throws {
        let values: [Double?] = [5, 5, nil, 5, 5, .nan, 5, 5, .infinity, -.infinity, 5, 5]
        let series = values.enumerated().map { ChartPoint(time: ReplayChartTests.monday + Double($0.offset) * 60, value: $0.element) }
        let chart = ReplayChart(
            title: "gaps", metricPanels: [ChartMetricPanel(name: "queue", unit: "messages", series: series)],
            replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "recorded", points: series), policies: []))
        let document = try SVGDocument(chart.svg())

        let line = try #require(document.path(labelled: "queue"))
        #expect(line.filter { $0 == "M" }.count == 4)
        let recorded = try #require(document.path(labelled: "recorded"))
        #expect(recorded.filter { $0 == "M" }.count == 4)
        // Every vertex of the metric line sits at the same height: a gap never dips to zero.
        let heights = Set(SVGDocument.coordinates(in: line).map(\.y))
        #expect(heights.count == 1)
        #expect(document.elements.filter { $0.attributes["class"] == "no-data" }.count == 3)
    }

    @Test("Titles, labels and units are escaped for XML")
    func textIsEscaped() throws {
        let title = "a < b & \"quoted\" 'single' <script>alert(1)</script>"
        let label = "policy <fast> & \"safe\"\u{0001}"
        let svg = ReplayChartTests.dayChart(title: title, policyLabel: label).svg()
        #expect(!svg.contains("<script>"))
        let document = try SVGDocument(svg)
        #expect(document.texts.contains(title))
        #expect(document.texts.contains("policy <fast> & \"safe\" "))
        #expect(document.elements.contains { $0.attributes["data-label"] == "policy <fast> & \"safe\" " })
    }

    @Test("A week at 15 s steps (40,320 points a series) stays under 2 MB")
    func weekStaysSmall() throws {
        let count = 40_320
        var generator = SystemRandomNumberGenerator()
        let times = (0..<count).map { ReplayChartTests.monday + Double($0) * 15 }
        let cpu = times.map { ChartPoint(time: $0, value: Double.random(in: 0.2...1.4, using: &generator)) }
        let requests = times.enumerated().map { ChartPoint(time: $0.element, value: $0.offset % 97 == 0 ? nil : Double.random(in: 0...2000, using: &generator)) }
        // Replicas that change at every sync: the worst case for step lines.
        func flapping() -> [ChartPoint] { times.map { ChartPoint(time: $0, value: Double(Int.random(in: 1...20, using: &generator))) } }
        let chart = ReplayChart(
            title: "a week", timeZone: .offset(seconds: 3600),
            metricPanels: [ChartMetricPanel(name: "cpu", unit: "cores", series: cpu, target: .constant(0.7)),
                           ChartMetricPanel(name: "requests", unit: "req/s", series: requests,
                                            target: .series(times.map { ChartPoint(time: $0, value: ($0 - ReplayChartTests.monday) < 302_400 ? 1000 : 800) }))],
            replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "recorded", points: flapping()),
                                         policies: [ChartStepSeries(label: "a", points: flapping()), ChartStepSeries(label: "b", points: flapping())]),
            windows: (0..<7).map { ChartWindow(label: "night", start: ReplayChartTests.monday + Double($0) * 86_400 - 7200, end: ReplayChartTests.monday + Double($0) * 86_400 + 21_600) })
        let svg = chart.svg()
        #expect(svg.utf8.count < 2_000_000, "\(svg.utf8.count) bytes")
        let document = try SVGDocument(svg)
        // Daily ticks in the display zone, each a date.
        #expect(document.texts.contains("Tue 4 Nov"))
        #expect(document.texts.contains("time (UTC+01:00)"))
        #expect(document.path(labelled: "requests")?.filter { $0 == "M" }.count ?? 0 > 100)
    }

    @Test("Empty series, a single point and all-equal values still make a readable chart")
    func degenerateInputs() throws {
        let empty = ReplayChart(title: "nothing", metricPanels: [ChartMetricPanel(name: "cpu", unit: "cores", series: [])],
                                replicas: ChartReplicasPanel(recorded: nil, policies: []))
        let single = ReplayChart(
            title: "one", metricPanels: [ChartMetricPanel(name: "cpu", unit: "cores", series: [ChartPoint(time: ReplayChartTests.monday, value: 0.5)], target: .constant(0.7))],
            replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "recorded", points: [ChartPoint(time: ReplayChartTests.monday, value: 3)]), policies: []))
        let flat = ReplayChart(
            title: "flat", metricPanels: [ChartMetricPanel(name: "cpu", unit: "cores", series: (0..<100).map { ChartPoint(time: ReplayChartTests.monday + Double($0) * 15, value: 0) })],
            replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "recorded", points: (0..<100).map { ChartPoint(time: ReplayChartTests.monday + Double($0) * 15, value: 2) }), policies: []))
        let onlyGaps = ReplayChart(
            title: "failed", metricPanels: [ChartMetricPanel(name: "cpu", unit: "cores", series: [ChartPoint(time: 0, value: .nan), ChartPoint(time: .infinity, value: 1)])],
            replicas: ChartReplicasPanel(recorded: nil, policies: []))

        for chart in [empty, single, flat, onlyGaps] {
            let svg = chart.svg()
            let document = try SVGDocument(svg)
            #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"), "\(chart.title) has a non-finite number")
            #expect(document.texts.contains("cores"))
            #expect(document.texts.contains("replicas"))
        }
        #expect(try SVGDocument(empty.svg()).texts.contains("no data"))
        // A lone point is a dot (a zero-length segment with round caps), not nothing.
        let dot = try #require(try SVGDocument(single.svg()).path(labelled: "cpu"))
        #expect(dot.hasPrefix("M623,") && dot.hasSuffix("h0") && dot.filter { $0 == "M" }.count == 1)
        // All-zero values still get an axis with round ticks.
        let flatTexts = try SVGDocument(flat.svg()).texts
        #expect(flatTexts.contains("0") && flatTexts.contains("1.0"))
    }

    @Test("Time ticks are round for the span: 15 minutes over two hours, 3 hours over a day")
    func timeTicks() throws {
        func tickLabels(span: Double) throws -> [String] {
            let points = [ChartPoint(time: ReplayChartTests.monday + 600, value: 1), ChartPoint(time: ReplayChartTests.monday + 600 + span, value: 2)]
            let chart = ReplayChart(title: "ticks", metricPanels: [], replicas: ChartReplicasPanel(recorded: ChartStepSeries(label: "r", points: points), policies: []))
            return try SVGDocument(chart.svg()).texts.filter { $0.count == 5 && $0.dropFirst(2).first == ":" }
        }
        #expect(try tickLabels(span: 7200) == ["00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45", "02:00"])
        #expect(try tickLabels(span: 86_400) == ["03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "00:00"])
    }
}

/// The elements of a parsed SVG document, flattened in document order.
private struct SVGDocument {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    let elements: [Element]
    var root: Element? { elements.first }
    /// The content of every `text` element.
    var texts: [String] { elements.filter { $0.name == "text" }.map(\.text) }

    init(_ svg: String) throws {
        let collector = ElementCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw ParseFailure(description: parser.parserError.map { "\($0)" } ?? "unknown XML error")
        }
        elements = collector.elements
    }

    func path(labelled label: String) -> String? {
        elements.first { $0.name == "path" && $0.attributes["data-label"] == label }?.attributes["d"]
    }

    /// The absolute points of path data made of M, L, H and V commands.
    static func coordinates(in data: String) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = []
        var current = (x: 0.0, y: 0.0)
        let scanner = Scanner(string: data)
        while !scanner.isAtEnd {
            guard let command = scanner.scanCharacter() else { break }
            switch command {
            case "M", "L":
                let x = scanner.scanDouble() ?? 0
                _ = scanner.scanString(",")
                current = (x, scanner.scanDouble() ?? 0)
            case "H": current.x = scanner.scanDouble() ?? 0
            case "V": current.y = scanner.scanDouble() ?? 0
            case "h": current.x += scanner.scanDouble() ?? 0
            default: continue
            }
            points.append(current)
        }
        return points
    }

    struct ParseFailure: Error, CustomStringConvertible {
        let description: String
    }

    private final class ElementCollector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }
    }
}
