import Foundation
import TidepoolMetrics
import Testing

@Suite("Scraper against a loopback fixture server")
struct ScraperTests {
    /// Runs Tests/metrics/fixture_server.py serving `body` with `contentType`; stops it after `body`.
    static func withServer<T>(serving text: String, contentType: String, _ body: (Int) async throws -> T) async throws -> T {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-\(UUID().uuidString).prom")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/metrics/fixture_server.py").path, file.path, contentType]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)), "the fixture server printed \(line)")
        return try await body(port)
    }

    @Test("gzip is accepted and undone; OpenMetrics is chosen from the Content-Type; Prometheus's Accept header is sent")
    func gzipAndFormat() async throws {
        let text = "# TYPE jobs counter\njobs_total 42 1520879607.789\n# EOF\n"
        try await Self.withServer(serving: text, contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") { port in
            let scraper = Scraper(timeout: .seconds(5))
            let response = try await scraper.scrape("http://127.0.0.1:\(port)/metrics")
            #expect(response.format == .openMetrics)
            #expect(String(decoding: response.body, as: UTF8.self) == text)
            let samples = try response.exposition().samples
            #expect(samples.first?.value == 42)
            #expect(samples.first?.timestampMilliseconds == 1520879607789)

            let requests = try await scraper.scrape("http://127.0.0.1:\(port)/requests").body
            let seen = String(decoding: requests, as: UTF8.self)
            #expect(seen.contains("application/openmetrics-text;version=1.0.0;q=0.5"))
            #expect(seen.contains("gzip"))
            try await scraper.shutdown()
        }
    }

    @Test("a malformed exposition from a URL names the URL, line and column")
    func malformed() async throws {
        try await Self.withServer(serving: "ok 1\nbad{ 2\n", contentType: "text/plain; version=0.0.4") { port in
            let scraper = Scraper(timeout: .seconds(5))
            let url = "http://127.0.0.1:\(port)/metrics"
            let response = try await scraper.scrape(url)
            #expect(throws: ScrapeError.malformed(url: url, error: ExpositionError(line: 2, column: 6, message: "expected a label name"))) {
                _ = try response.exposition()
            }
            try await scraper.shutdown()
        }
    }

    @Test("an address that is not http(s) is refused before any connection")
    func invalidURL() async throws {
        let scraper = Scraper(timeout: .seconds(1))
        await #expect(throws: ScrapeError.invalidURL("ftp://127.0.0.1/metrics")) {
            _ = try await scraper.scrape("ftp://127.0.0.1/metrics")
        }
        try await scraper.shutdown()
    }
}
