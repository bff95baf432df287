import ArgumentParser
import Controller
import Dispatch
import Foundation
import Logging
import Pool
import Synchronization

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway, every MCP server and pool of the configuration, and the admin endpoint.",
        discussion: """
            With no --config, runs the embedded default: a pool named math of the bundled demo \
            server (mcp-math), balanced by least_connections, served at \
            http://127.0.0.1:8000/mcp/math, with the admin endpoint on 127.0.0.1:9090. \
            SIGINT or SIGTERM stops admitting, drains in-flight calls and stops every member.
            """
    )

    @Option(help: ArgumentHelp("The configuration file (YAML).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Also serve this MCP server or group on standard input and output.", valueName: "server"))
    var stdio: String?

    @Option(name: .customLong("gateway-listen"), help: ArgumentHelp("Where the gateway listens, overriding the configuration.", valueName: "host:port"))
    var gatewayListen: String?

    @Option(name: .customLong("admin-listen"), help: ArgumentHelp("Where the admin endpoint listens, overriding the configuration.", valueName: "host:port"))
    var adminListen: String?

    @Option(name: .customLong("log-level"), help: "debug, info, warning or error.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = try bootstrapLogging(levelNamed: logLevel)

        var settings: TidepoolConfig
        do {
            if let config {
                settings = try TidepoolConfig.load(path: config)
            } else {
                let mcpMath = Self.siblingExecutable("mcp-math")
                guard FileManager.default.isExecutableFile(atPath: mcpMath) else {
                    throw InputError(source: "the embedded default", message: "its demo server \(mcpMath) is missing: build it with `swift build` (or `swift build --product mcp-math`), or give --config")
                }
                settings = try LocalRuntime.embeddedDefault(mcpMath: mcpMath)
            }
            if let gatewayListen { settings.gateway.listen = try Self.listen(gatewayListen, flag: "--gateway-listen") }
            if let adminListen { settings.admin.listen = try Self.listen(adminListen, flag: "--admin-listen") }
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(1)
        }
        let settled = settings
        let runtime: LocalRuntime
        do {
            runtime = try LocalRuntime(config: settled, logger: logger)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let stdioServer = stdio
        let quietStdout = stdio != nil
        let task = Task {
            try await runtime.run(stdioServer: stdioServer) { gatewayPort, adminPort in
                let servers = settled.servers.map(\.id)
                let lines = [
                    "tidepool: gateway listening on http://\(settled.gateway.listen.host):\(gatewayPort)",
                    "tidepool: servers: " + servers.map { "http://\(settled.gateway.listen.host):\(gatewayPort)/mcp/\($0)" }.joined(separator: ", "),
                    "tidepool: admin endpoint http://\(settled.admin.listen.host):\(adminPort) (/status /metrics /healthz /readyz)",
                    "tidepool: try: curl -s -X POST -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' "
                        + "-d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}' "
                        + "-i http://\(settled.gateway.listen.host):\(gatewayPort)/mcp/\(servers.first ?? "math")",
                ]
                // Standard output belongs to the MCP client in --stdio mode.
                let text = lines.joined(separator: "\n") + "\n"
                (quietStdout ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
            }
        }
        let signals = Self.onTermination(graceful: { runtime.stop() }, immediate: { task.cancel() })
        defer { signals.forEach { $0.cancel() } }
        do {
            try await task.value
        } catch is CancellationError {
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(1)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    static func listen(_ text: String, flag: String) throws -> ListenAddress {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw InputError(source: flag, message: error.description)
        }
    }

    /// A program installed next to this one (the bundled demo server).
    static func siblingExecutable(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// The first SIGINT or SIGTERM runs `graceful` (drain, then stop); a second one, for an
    /// operator who will not wait, runs `immediate`.
    static func onTermination(graceful: @escaping @Sendable () -> Void, immediate: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        let received = Mutex(0)
        return [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let count = received.withLock { count in
                    count += 1
                    return count
                }
                if count == 1 { graceful() } else { immediate() }
            }
            source.resume()
            return source
        }
    }
}
