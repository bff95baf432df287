import Foundation
import Logging
import Pool
import Scaler
import ServiceLifecycle
import Synchronization

/// `tidepool run`: every server and pool of the configuration, the gateway, the admin endpoint
/// (and, with `--stdio`, one entry on standard input and output), until cancelled; then it
/// stops admitting, drains in-flight calls and stops every member.
public final class LocalRuntime: Sendable {
    public let config: TidepoolConfig
    public let servers: GatewayRuntime
    /// The autoscalers of local pools, synced every `controller.sync_period_s`.
    public let reconcileLoop: ReconcileLoop
    private let logger: Logger
    /// `stop()` ends the run gracefully; cancelling the run's task ends it at once.
    private let stopRequests: AsyncStream<Void>
    private let stopRequester: AsyncStream<Void>.Continuation
    private let shutdownLogged = Mutex(false)

    /// `clock`: wall-clock time as the autoscalers see it (tests inject their own).
    public init(config: TidepoolConfig, logger: Logger, clock: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) throws(InputError) {
        self.config = config
        self.logger = logger
        self.servers = GatewayRuntime(servers: config.servers, logger: logger)
        self.reconcileLoop = try ReconcileLoop(config: config, runtime: servers, logger: logger, clock: clock)
        (stopRequests, stopRequester) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Stops gracefully (SIGTERM): refuse new requests, let the calls in flight finish (up to
    /// the longest `drain_timeout_s`), close the listeners once their answers are written, then
    /// stop every member.
    public func stop() {
        stopRequester.yield()
    }

    /// Calls on members or waiting for a first member.
    private var callsInFlight: Int {
        servers.entries.reduce(0) { $0 + $1.inflight } + servers.gateway.waitingCallCount
    }

    private var drainLimit: Duration {
        config.servers.compactMap { server -> Duration? in
            if case .pool(let pool) = server.mode { return pool.drainTimeout }
            return nil
        }.max() ?? .seconds(30)
    }

    /// How long a stop waits, once the calls are done, for their answers to be written.
    static let listenerCloseLimit = Duration.seconds(5)

    private func logShutdown() {
        guard shutdownLogged.withLock({ logged in defer { logged = true }; return !logged }) else { return }
        logger.info("shutting_down", metadata: ["inflight": "\(callsInFlight)"])
    }

    /// Serves until `stop()`, until the task is cancelled or, with `stdioServer`, until standard
    /// input ends.
    /// `onListening` gets the gateway's and the admin endpoint's bound ports.
    public func run(stdioServer: String? = nil, onListening: @escaping @Sendable (Int, Int) async -> Void = { _, _ in }) async throws {
        if let stdioServer, servers.gateway.entries[stdioServer] == nil {
            throw InputError(source: "--stdio", message: "no MCP server named \(stdioServer) (configured: \(config.servers.map(\.id).joined(separator: ", ")))")
        }
        await servers.start()
        let ports = PortPair()
        let gatewayServer = GatewayHTTPServer(
            gateway: servers.gateway,
            settings: .init(host: config.gateway.listen.host, port: config.gateway.listen.port, tokens: gatewayTokens()),
            logger: logger)
        let loop = reconcileLoop
        let admin = AdminServer(runtime: servers, listen: config.admin.listen, token: config.admin.token,
                                autoscalerStatus: { loop.status })
        // The listeners close gracefully at the end of a stop: a call's answer may have left its
        // member (so it no longer counts as in flight) and still be on its way to the client.
        // In a ServiceGroup, Hummingbird then stops accepting, writes every response under way
        // and closes each connection after it; cancelling would drop the connections at once.
        var quiet = logger
        quiet.logLevel = .critical
        let listeners = ServiceGroup(services: [
            ClosureService {
                try await gatewayServer.run { port in
                    if let both = ports.set(gateway: port) { await onListening(both.0, both.1) }
                }
            },
            ClosureService {
                try await admin.run { port in
                    if let both = ports.set(admin: port) { await onListening(both.0, both.1) }
                }
            },
        ], gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listeners.run() }
                group.addTask {
                    for await _ in self.stopRequests { break }
                    if Task.isCancelled { return }
                    self.logShutdown()
                    self.servers.gateway.stopAdmitting()
                    let deadline = ContinuousClock.now + self.drainLimit
                    while self.callsInFlight > 0, ContinuousClock.now < deadline, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    // The listeners' end ends the run; this bound is for a client that never
                    // reads its answer.
                    await listeners.triggerGracefulShutdown()
                    try? await Task.sleep(for: Self.listenerCloseLimit)
                }
                group.addTask {
                    await loop.run()
                    // Only cancellation ends the loop; until then it must not end the run.
                    try? await Task.sleep(for: .seconds(1_000_000_000))
                }
                if let stdioServer {
                    group.addTask { await StdioFrontend(gateway: self.servers.gateway, serverID: stdioServer).run() }
                }
                // The first to finish (the listeners closed by a stop, stdin closed, a listener
                // failed) ends the run.
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    private func shutdown() async {
        logShutdown()
        await servers.shutdown()
        logger.info("stopped")
    }

    private func gatewayTokens() -> [String] {
        switch config.gateway.auth {
        case .tokens(let tokens)?:
            return tokens
        case .tokenFile(let path)?:
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case nil:
            return []
        }
    }

    /// The configuration `tidepool run` uses without `--config`: a pool of the bundled demo
    /// server (`mcp-math`, found next to the tidepool executable), one to five members, scaled
    /// on the mean in-flight calls per member (two each) every five seconds; scale-down waits
    /// out a one-minute window so a pause in the load does not drop members at once.
    public static func embeddedDefault(mcpMath: String) throws(InputError) -> TidepoolConfig {
        let yaml = """
            gateway: {listen: "127.0.0.1:8000"}
            admin: {listen: "127.0.0.1:9090"}
            mcp_servers:
              math:
                mode: pool
                transport: stdio
                command: ["\(mcpMath)", "--stdio"]
                replicas: 1
                strategy: least_connections
                resources: {requests: {cpu: 500m}}
                health_check_interval_s: 5
                drain_timeout_s: 30
            autoscalers:
              - name: math
                target: {pool: math}
                spec:
                  minReplicas: 1
                  maxReplicas: 5
                  metrics:
                    - type: Pods
                      pods:
                        metric: {name: inflight_per_member}
                        target: {type: AverageValue, averageValue: "2"}
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 60}
                metrics:
                  inflight_per_member: {gateway: inflight}
            controller: {sync_period_s: 5, state_dir: .tidepool}
            """
        let document = try DocumentLoader.parse(Array(yaml.utf8), source: "embedded-default.yaml")
        do {
            return try TidepoolConfig.decode(document, baseDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            throw InputError(source: "the embedded default configuration", message: error.description)
        }
    }
}

/// The two listeners' ports, reported once both are known.
final class PortPair: Sendable {
    private let ports = Mutex<(Int?, Int?)>((nil, nil))

    func set(gateway: Int) -> (Int, Int)? {
        ports.withLock { ports in
            ports.0 = gateway
            return ports.1.map { (gateway, $0) }
        }
    }

    func set(admin: Int) -> (Int, Int)? {
        ports.withLock { ports in
            ports.1 = admin
            return ports.0.map { ($0, admin) }
        }
    }
}
