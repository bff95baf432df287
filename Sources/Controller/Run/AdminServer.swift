import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Pool
import Scaler

/// The admin endpoint: /healthz (the process is alive), /readyz (every group has its
/// min_healthy members), /metrics (Prometheus text) and /status (JSON, as the CLI spec shows).
public struct AdminServer: Sendable {
    public let runtime: GatewayRuntime
    public let listen: ListenAddress
    /// When set, /metrics and /status want `Authorization: Bearer <token>`.
    public let token: String?
    /// Extra status sections (the autoscalers), written into the /status object.
    public let autoscalerStatus: @Sendable () -> JSONValue
    /// What else keeps the process from being ready (the controller's first list), besides
    /// the groups' min_healthy.
    public let readinessProblems: @Sendable () -> [String]
    /// More sections for /status (`controller`), and more exposition lines for /metrics.
    public let extraStatus: @Sendable () -> [JSONObject.Entry]
    public let extraMetrics: @Sendable () -> [UInt8]

    public init(runtime: GatewayRuntime, listen: ListenAddress, token: String?,
                autoscalerStatus: @escaping @Sendable () -> JSONValue = { .array([]) },
                readinessProblems: @escaping @Sendable () -> [String] = { [] },
                extraStatus: @escaping @Sendable () -> [JSONObject.Entry] = { [] },
                extraMetrics: @escaping @Sendable () -> [UInt8] = { [] }) {
        self.runtime = runtime
        self.listen = listen
        self.token = token
        self.autoscalerStatus = autoscalerStatus
        self.readinessProblems = readinessProblems
        self.extraStatus = extraStatus
        self.extraMetrics = extraMetrics
    }

    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        let server = self
        router.get("/healthz") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/readyz") { _, _ in
            let problems = server.runtime.readiness.problems + server.readinessProblems()
            let text = problems.isEmpty ? "ready\n" : problems.joined(separator: "\n") + "\n"
            return Response(status: problems.isEmpty ? .ok : .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/metrics") { request, _ in
            if let refusal = server.authorize(request) { return refusal }
            let bytes = server.runtime.metrics.exposition(entries: server.runtime.entries, gateway: server.runtime.gateway)
                + server.extraMetrics()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/status") { request, _ in
            if let refusal = server.authorize(request) { return refusal }
            var writer = JSONWriter(reservingCapacity: 4096)
            StatusReport.write(runtime: server.runtime, autoscalers: server.autoscalerStatus(), extra: server.extraStatus(), to: &writer)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
        }
        var quiet = Logger(label: "tidepool.admin.http")
        quiet.logLevel = .critical
        // Idle and half-sent requests are dropped after a minute, as on the gateway.
        let app = Application(router: router, server: .http1(configuration: .init(idleTimeout: .seconds(60))),
                              configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: quiet)
        try await app.run()
    }

    private func authorize(_ request: Request) -> Response? {
        guard let token else { return nil }
        let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        if let presented, presented.utf8.count == token.utf8.count,
           zip(presented.utf8, token.utf8).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 {
            return nil
        }
        return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }
}

/// `/status` as JSON: every server with its members, then the autoscalers.
public enum StatusReport {
    public static func write(runtime: GatewayRuntime, autoscalers: JSONValue, extra: [JSONObject.Entry] = [], to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("servers")
        writer.beginArray()
        for entry in runtime.entries {
            writer.beginObject()
            writer.key("id"); writer.value(entry.id)
            switch entry {
            case let pool as PoolServer:
                writer.key("mode"); writer.value("pool")
                writer.key("strategy"); writer.value(pool.strategy.rawValue)
                writer.key("desiredReplicas"); writer.value(pool.desiredReplicas)
                writer.key("readyReplicas"); writer.value(pool.readyReplicas)
            case let group as GroupServer:
                writer.key("mode"); writer.value("group")
                writer.key("strategy"); writer.value(group.strategy.rawValue)
                writer.key("minHealthy"); writer.value(group.minHealthy)
                writer.key("healthyMembers"); writer.value(group.healthyEntries)
                writer.key("entries")
                writer.beginArray()
                for member in group.entries {
                    writer.beginObject()
                    writer.key("id"); writer.value(member.server.id)
                    writer.key("weight"); writer.value(member.weight)
                    writer.key("priority"); writer.value(member.priority)
                    writer.endObject()
                }
                writer.endArray()
            default:
                writer.key("mode"); writer.value("remote")
            }
            writer.key("sessions"); writer.value(runtime.gateway.sessionCount(for: entry.id))
            if !(entry is GroupServer) {
                writer.key("members")
                writer.beginArray()
                for member in entry.members {
                    writer.beginObject()
                    writer.key("id"); writer.value(member.id)
                    writer.key("state"); writer.value(member.phase.rawValue)
                    writer.key("inflight"); writer.value(member.inflight)
                    writer.key("sessions"); writer.value(member.sessions)
                    writer.key("served"); writer.value(member.served)
                    writer.key("endpoint"); writer.value(member.endpoint)
                    if let pid = member.processID { writer.key("pid"); writer.value(Int(pid)) }
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("autoscalers"); writer.value(autoscalers)
        for entry in extra {
            writer.key(entry.key); writer.value(entry.value)
        }
        writer.endObject()
    }
}
