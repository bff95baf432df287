import Foundation
import TidepoolMetrics
import Testing

/// Real Prometheus and node_exporter (Debian's packages, installed by scripts/test-deps),
/// started on loopback ports for the duration of the suite.
@Suite("Prometheus and node_exporter on loopback", .serialized)
struct PrometheusTests {
    @Test("scrape node_exporter, then query Prometheus instant and range")
    func scrapeAndQuery() async throws {
        let servers = try LoopbackServers.start()
        defer { servers.stop() }

        // The scraper reads node_exporter as Prometheus would.
        let scraper = Scraper(timeout: .seconds(5))
        let response = try await scraper.scrape("http://127.0.0.1:\(servers.nodeExporterPort)/metrics")
        let exposition = try response.exposition()
        try await scraper.shutdown()
        #expect(response.format == .prometheusText)
        #expect(exposition.samples.count > 100)
        #expect(exposition.families.contains { $0.name == "node_cpu_seconds_total" && $0.type == .counter })

        let prometheus = PrometheusClient(baseURL: "http://127.0.0.1:\(servers.prometheusPort)", timeout: .seconds(5))
        // Wait (bounded) until Prometheus has scraped node_exporter at least twice.
        var scraped = false
        for _ in 0..<60 {
            if case .vector(let series)? = try? await prometheus.query("count_over_time(up{job=\"node\"}[1m])"),
               let count = series.first?.points.first?.value, count >= 2 {
                scraped = true
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(scraped, "Prometheus did not scrape node_exporter within 30 s\n\(servers.logs())")
        guard scraped else { return }

        guard case .vector(let up) = try await prometheus.query("up{job=\"node\"}") else {
            Issue.record("up is not a vector")
            return
        }
        #expect(up.count == 1)
        #expect(up.first?.labels["job"] == "node")
        #expect(up.first?.points.first?.value == 1)

        guard case .scalar(let two) = try await prometheus.query("1 + 1") else {
            Issue.record("1 + 1 is not a scalar")
            return
        }
        #expect(two.value == 2)

        guard case .scalar(let nan) = try await prometheus.query("NaN") else {
            Issue.record("NaN is not a scalar")
            return
        }
        #expect(nan.value.isNaN)

        let now = Date().timeIntervalSince1970
        guard case .matrix(let range) = try await prometheus.queryRange("up{job=\"node\"}", start: now - 20, end: now, step: 1) else {
            Issue.record("a range query is not a matrix")
            return
        }
        #expect(range.count == 1)
        #expect((range.first?.points.count ?? 0) >= 2)
        #expect(range.first?.points.allSatisfy { $0.value == 1 } == true)

        // Errors come back with Prometheus's type and text.
        await #expect {
            _ = try await prometheus.query("sum(")
        } throws: { error in
            guard case .api(let errorType, let message) = error as? PrometheusError else { return false }
            return errorType == "bad_data" && message.contains("parse error")
        }
    }

    @Test("a scrape that gets no answer times out and names the URL")
    func timeout() async throws {
        // A listener that accepts and never answers.
        let listener = try SilentListener()
        defer { listener.close() }
        let scraper = Scraper(timeout: .milliseconds(500))
        let url = "http://127.0.0.1:\(listener.port)/metrics"
        await #expect(throws: ScrapeError.timedOut(url: url, seconds: 0.5)) {
            _ = try await scraper.scrape(url)
        }
        try await scraper.shutdown()
    }
}

/// node_exporter and Prometheus on free loopback ports; stopped (and reaped) by `stop()`.
final class LoopbackServers: @unchecked Sendable {
    let nodeExporterPort: Int
    let prometheusPort: Int
    private let nodeExporter: Process
    private var prometheus: Process
    private let directory: URL

    private init(nodeExporterPort: Int, prometheusPort: Int, nodeExporter: Process, prometheus: Process, directory: URL) {
        self.nodeExporterPort = nodeExporterPort
        self.prometheusPort = prometheusPort
        self.nodeExporter = nodeExporter
        self.prometheus = prometheus
        self.directory = directory
    }

    static func start() throws -> LoopbackServers {
        for binary in ["/usr/bin/prometheus", "/usr/bin/prometheus-node-exporter"] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw ServerError("\(binary) is missing: run scripts/test-deps")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let nodePort = try freePort()
        let nodeExporter = try launch("/usr/bin/prometheus-node-exporter",
                                      ["--web.listen-address=127.0.0.1:\(nodePort)", "--no-collector.systemd"],
                                      log: directory.appendingPathComponent("node_exporter.log"))
        let prometheusPort = try freePort()
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ["127.0.0.1:\(nodePort)"]
            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let prometheus = try launch("/usr/bin/prometheus", [
            "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ], log: directory.appendingPathComponent("prometheus.log"))
        return LoopbackServers(nodeExporterPort: nodePort, prometheusPort: prometheusPort,
                               nodeExporter: nodeExporter, prometheus: prometheus, directory: directory)
    }

    /// Kills Prometheus (SIGKILL, as a crash or an evicted pod) and starts it again on the same
    /// port and data directory; returns once it is launched (not yet answering).
    func restartPrometheus(afterKillingFor downtime: Duration = .zero, whileDown: () async throws -> Void = {}) async throws {
        kill(prometheus.processIdentifier, SIGKILL)
        prometheus.waitUntilExit()
        try await whileDown()
        let configFile = directory.appendingPathComponent("prometheus.yml")
        prometheus = try Self.launch("/usr/bin/prometheus", [
            "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ], log: directory.appendingPathComponent("prometheus-restarted.log"))
    }

    func logs() -> String {
        ["node_exporter.log", "prometheus.log"].map { name in
            let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "--- \(name)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func stop() {
        for process in [prometheus, nodeExporter] where process.isRunning {
            process.terminate()
        }
        for process in [prometheus, nodeExporter] {
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func launch(_ path: String, _ arguments: [String], log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// A port the kernel just handed out on 127.0.0.1 (bound, read, released).
    static func freePort() throws -> Int {
        let (descriptor, port) = try LoopbackSocket.bind()
        close(descriptor)
        return port
    }
}

/// A TCP socket bound to 127.0.0.1 on a port of the kernel's choosing.
enum LoopbackSocket {
    static func bind() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw ServerError("bind() on 127.0.0.1 failed")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// A loopback TCP listener that accepts connections and never writes a byte.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        (descriptor, port) = try LoopbackSocket.bind()
        guard listen(descriptor, 8) == 0 else { throw ServerError("could not listen on loopback") }
    }

    func close() { _ = Glibc.close(descriptor) }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
