import Foundation
import Pool
import Scaler

/// The whole configuration file (shared/spec/config.md): the gateway, the admin endpoint, the
/// MCP servers, the autoscalers and the controller loop.
public struct TidepoolConfig: Sendable {
    public var gateway: GatewaySettings
    public var admin: AdminSettings
    /// The `mcp_servers:` entries in file order.
    public var servers: [ServerConfig]
    public var autoscalers: [AutoscalerConfig]
    public var controller: ControllerSettings

    public init(
        gateway: GatewaySettings = GatewaySettings(), admin: AdminSettings = AdminSettings(), servers: [ServerConfig] = [],
        autoscalers: [AutoscalerConfig] = [], controller: ControllerSettings = ControllerSettings()
    ) {
        self.gateway = gateway
        self.admin = admin
        self.servers = servers
        self.autoscalers = autoscalers
        self.controller = controller
    }

    public func server(_ id: String) -> ServerConfig? {
        servers.first { $0.id == id }
    }

    static let keys = ["gateway", "admin", "mcp_servers", "autoscalers", "controller"]
}

/// `gateway:` — where MCP clients connect; each server is served at `/mcp/<id>`.
public struct GatewaySettings: Sendable, Equatable {
    public static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8000)

    public var listen: ListenAddress
    /// Nil: no authentication, every request is served.
    public var auth: GatewayAuth?

    public init(listen: ListenAddress = GatewaySettings.defaultListen, auth: GatewayAuth? = nil) {
        self.listen = listen
        self.auth = auth
    }
}

/// `gateway.auth:` — bearer tokens a client must send (`Authorization: Bearer <token>`).
/// Written `{tokens: [a, b]}`, or `{token_file: tokens.txt}` for a file of one token per line
/// (blank lines and `#` comments ignored) that is read when Tidepool starts, so secrets stay out of
/// the config.
public enum GatewayAuth: Sendable, Equatable {
    case tokens([String])
    /// The file's path, resolved against the config file's directory.
    case tokenFile(String)
}

/// `admin:` — /metrics, /healthz, /readyz and /status.
public struct AdminSettings: Sendable, Equatable {
    public static let defaultListen = ListenAddress(host: "127.0.0.1", port: 9090)

    public var listen: ListenAddress
    /// Required when `listen` is not a loopback address.
    public var token: String?

    public init(listen: ListenAddress = AdminSettings.defaultListen, token: String? = nil) {
        self.listen = listen
        self.token = token
    }
}

/// `controller:` — the reconcile loop of every autoscaler.
public struct ControllerSettings: Sendable, Equatable {
    public static let defaultSyncPeriod: Duration = .seconds(15)
    public static let defaultStateDirectory = ".tidepool"

    /// How often each autoscaler reconciles (at least one second), as the HPA controller's
    /// `--horizontal-pod-autoscaler-sync-period`.
    public var syncPeriod: Duration
    /// Durable recommendation and event history, resolved against the config file's directory.
    public var stateDirectory: String
    /// `tidepool controller`'s Lease; nil: `leader_election: {enabled: false}`, every replica
    /// scales (run one only).
    public var leaderElection: LeaderElectionSettings?

    public init(syncPeriod: Duration = ControllerSettings.defaultSyncPeriod,
                stateDirectory: String = ControllerSettings.defaultStateDirectory,
                leaderElection: LeaderElectionSettings? = LeaderElectionSettings()) {
        self.syncPeriod = syncPeriod
        self.stateDirectory = stateDirectory
        self.leaderElection = leaderElection
    }
}

/// `controller.leader_election:` — the coordination.k8s.io Lease the replicas of `tidepool
/// controller` compete for, with client-go's timings by default.
public struct LeaderElectionSettings: Sendable, Equatable {
    public var leaseName: String = "tidepool"
    /// Nil: the namespace the controller runs in (in-cluster) or its kubeconfig context's.
    public var namespace: String?
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)

    public init() {}

    static let keys = ["enabled", "lease_name", "namespace", "lease_duration_s", "renew_deadline_s", "retry_period_s"]

    static func decode(_ value: JSONValue) throws(CaseError) -> LeaderElectionSettings? {
        let fields = try FieldReader(value, allowing: keys)
        if try fields.optional("enabled", Read.bool) == false { return nil }
        var settings = LeaderElectionSettings()
        if let name = try fields.optional("lease_name", Read.string) { settings.leaseName = name }
        settings.namespace = try fields.optional("namespace", Read.string)
        func seconds(_ key: String) throws(CaseError) -> Duration? {
            guard let span = try fields.optional(key, Read.seconds) else { return nil }
            guard span.nanoseconds > 0 else { throw CaseError("must be more than 0 seconds", at: [key]) }
            return .nanoseconds(span.nanoseconds)
        }
        if let duration = try seconds("lease_duration_s") { settings.leaseDuration = duration }
        if let deadline = try seconds("renew_deadline_s") { settings.renewDeadline = deadline }
        if let retry = try seconds("retry_period_s") { settings.retryPeriod = retry }
        // client-go's own checks: a leader must be able to renew before its lease runs out,
        // and to retry (with its 1.2 jitter) before the renew deadline.
        guard settings.leaseDuration > settings.renewDeadline else {
            throw CaseError("lease_duration_s must be greater than renew_deadline_s", at: ["lease_duration_s"])
        }
        guard settings.renewDeadline > settings.retryPeriod * 1.2 else {
            throw CaseError("renew_deadline_s must be greater than 1.2 × retry_period_s", at: ["renew_deadline_s"])
        }
        return settings
    }
}

/// A `host:port` to listen on: `127.0.0.1:8000`, `localhost:8000`, `[::1]:9090`, `0.0.0.0:9090`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Without brackets for IPv6.
    public var host: String
    /// 0 lets the system pick a free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(CaseError) {
        let example = "like 127.0.0.1:8000 or [::1]:8000"
        // "[::1]" alone has colons but no port.
        guard let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") else {
            throw CaseError("\"\(text)\" is not host:port (\(example))")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw CaseError("\"\(text)\" has no valid port after the colon (0 to 65535; \(example))")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 {
            host = String(host.dropFirst().dropLast())
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw CaseError("\"\(text)\" does not hold an IPv6 address between its brackets")
            }
        } else {
            guard !host.isEmpty else {
                throw CaseError("\"\(text)\" names no host: write 127.0.0.1 for this machine only, or 0.0.0.0 for every interface")
            }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw CaseError("\"\(text)\" is not host:port (\(example); an IPv6 host goes in brackets)")
            }
        }
        self.init(host: host, port: port)
    }

    /// Reachable from this machine only: `localhost`, 127.0.0.0/8 or `::1`.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension TidepoolConfig {
    /// Reads and checks a config file (YAML or JSON; `-` for standard input). Relative paths in
    /// it (HPA files, `token_file`, `state_dir`) are relative to the file's directory.
    public static func load(path: String) throws(InputError) -> TidepoolConfig {
        let document = try DocumentLoader.load(path)
        let baseDirectory = path == "-" ? "" : (path as NSString).deletingLastPathComponent
        do {
            return try decode(document, baseDirectory: baseDirectory)
        } catch {
            throw InputError(source: path == "-" ? "<stdin>" : path, message: error.description)
        }
    }

    /// Decodes a parsed config and cross-checks it: group members and autoscaler targets name
    /// existing entries, listen addresses parse, an exposed admin endpoint has a token.
    public static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> TidepoolConfig {
        let fields = try FieldReader(value, allowing: keys)
        var config = TidepoolConfig()
        config.gateway = try fields.optional("gateway") { (value) throws(CaseError) in
            try GatewaySettings.decode(value, baseDirectory: baseDirectory)
        } ?? GatewaySettings()
        config.admin = try fields.optional("admin") { (value) throws(CaseError) in
            try AdminSettings.decode(value, baseDirectory: baseDirectory)
        } ?? AdminSettings()
        config.servers = try fields.optional("mcp_servers", ServerConfig.decodeServers) ?? []
        config.autoscalers = try fields.optional("autoscalers") { (value) throws(CaseError) in
            try decodeAutoscalers(value, baseDirectory: baseDirectory, servers: config.servers)
        } ?? []
        config.controller = try fields.optional("controller") { (value) throws(CaseError) in
            try ControllerSettings.decode(value, baseDirectory: baseDirectory)
        } ?? ControllerSettings(stateDirectory: resolve(ControllerSettings.defaultStateDirectory, against: baseDirectory))
        return config
    }

    static func decodeAutoscalers(_ value: JSONValue, baseDirectory: String, servers: [ServerConfig]) throws(CaseError) -> [AutoscalerConfig] {
        let items = try Read.array(value)
        var autoscalers: [AutoscalerConfig] = []
        for (index, item) in items.enumerated() {
            let autoscaler = try at(index: index) { () throws(CaseError) in
                let autoscaler = try AutoscalerConfig.decode(item, baseDirectory: baseDirectory)
                if let earlier = autoscalers.firstIndex(where: { $0.name == autoscaler.name }) {
                    throw CaseError("\"\(autoscaler.name)\" is already the name of autoscalers[\(earlier)]", at: ["name"])
                }
                try checkTarget(of: autoscaler, servers: servers, earlier: autoscalers)
                try checkMetricSources(of: autoscaler)
                return autoscaler
            }
            autoscalers.append(autoscaler)
        }
        return autoscalers
    }

    /// A `{pool: X}` target must be a `mode: pool` entry that no earlier autoscaler resizes.
    static func checkTarget(of autoscaler: AutoscalerConfig, servers: [ServerConfig], earlier: [AutoscalerConfig]) throws(CaseError) {
        guard case .pool(let id) = autoscaler.target else { return }
        let path = ["target", "pool"]
        guard let server = servers.first(where: { $0.id == id }) else {
            let pools = servers.filter { if case .pool = $0.mode { true } else { false } }.map(\.id)
            let hint = FieldReader.nearest(to: id, among: pools).map { " (did you mean \"\($0)\"?)" }
                ?? (pools.isEmpty ? " (mcp_servers has no pool)" : " (pools: \(pools.joined(separator: ", ")))")
            throw CaseError("\"\(id)\" is not an mcp_servers entry\(hint)", at: path)
        }
        guard case .pool = server.mode else {
            throw CaseError("\"\(id)\" is mode \(server.mode.name), not pool: an autoscaler resizes a pool of members Tidepool runs", at: path)
        }
        if let other = earlier.firstIndex(where: { $0.target == autoscaler.target }) {
            throw CaseError("pool \"\(id)\" is already resized by autoscalers[\(other)] (\"\(earlier[other].name)\"); two autoscalers on one pool would undo each other", at: path)
        }
    }

    /// Each `metrics:` key names a metric of the HPA, and `{gateway: ...}` needs a pool target.
    static func checkMetricSources(of autoscaler: AutoscalerConfig) throws(CaseError) {
        let names = autoscaler.spec.metrics.compactMap(metricName)
        let targetsPool = if case .pool = autoscaler.target { true } else { false }
        for (name, source) in autoscaler.metricSources.sorted(by: { $0.key < $1.key }) {
            guard names.contains(name) else {
                let hint = FieldReader.nearest(to: name, among: names).map { " (did you mean \"\($0)\"?)" }
                    ?? " (its metrics: \(names.joined(separator: ", ")))"
                throw CaseError("\"\(name)\" is not a metric of this autoscaler's HPA\(hint)", at: ["metrics", name])
            }
            if case .gateway = source, !targetsPool {
                throw CaseError("the gateway's figures exist only for a pool target (target: {pool: NAME})", at: ["metrics", name, "gateway"])
            }
        }
        if targetsPool, let problem = MetricGatherer.problems(spec: autoscaler.spec, sources: autoscaler.metricSources, localPool: true).first {
            throw CaseError(problem)
        }
    }

    /// The name a metric goes by in `metrics:`: the resource or the metric's name.
    static func metricName(_ metric: MetricSpec) -> String? {
        switch metric {
        case .resource(let name, _), .containerResource(let name, _, _): name
        case .pods(let metric, _), .object(_, let metric, _), .external(let metric, _): metric.name
        case .unknown: nil
        }
    }

    static func resolve(_ path: String, against baseDirectory: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }
}

extension GatewaySettings {
    static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> GatewaySettings {
        let fields = try FieldReader(value, allowing: ["listen", "auth"])
        return GatewaySettings(
            listen: try fields.optional("listen", ListenAddress.decode) ?? GatewaySettings.defaultListen,
            auth: try fields.optional("auth") { (value) throws(CaseError) in try GatewayAuth.decode(value, baseDirectory: baseDirectory) })
    }
}

extension GatewayAuth {
    static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> GatewayAuth {
        let fields = try FieldReader(value, allowing: ["tokens", "token_file"])
        switch (fields.value("tokens"), fields.value("token_file")) {
        case (let list?, nil):
            return try at("tokens") { () throws(CaseError) in
                let items = try Read.array(list)
                guard !items.isEmpty else { throw CaseError("needs at least one token; leave out auth to serve without one") }
                var tokens: [String] = []
                for (index, item) in items.enumerated() {
                    tokens.append(try at(index: index) { () throws(CaseError) in
                        let token = try Read.string(item)
                        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
                            throw CaseError("a token must be non-empty and without spaces")
                        }
                        return token
                    })
                }
                return .tokens(tokens)
            }
        case (nil, let file?):
            return try at("token_file") { () throws(CaseError) in
                let path = TidepoolConfig.resolve(try Read.string(file), against: baseDirectory)
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw CaseError("\(path): no such readable file")
                }
                return .tokenFile(path)
            }
        case (nil, nil):
            throw CaseError("give tokens: [TOKEN, ...] or token_file: FILE")
        case (_?, _?):
            throw CaseError("give tokens or token_file, not both", at: ["token_file"])
        }
    }
}

extension AdminSettings {
    static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> AdminSettings {
        let fields = try FieldReader(value, allowing: ["listen", "token", "token_file"])
        var settings = AdminSettings(
            listen: try fields.optional("listen", ListenAddress.decode) ?? AdminSettings.defaultListen,
            token: try fields.optional("token") { (value) throws(CaseError) in
                let token = try Read.string(value)
                guard !token.isEmpty else { throw CaseError("must not be empty") }
                return token
            })
        // A file (a mounted Secret in a cluster) keeps the token out of the config; read once.
        if let file = try fields.optional("token_file", Read.string) {
            guard settings.token == nil else { throw CaseError("give token or token_file, not both", at: ["token_file"]) }
            let path = TidepoolConfig.resolve(file, against: baseDirectory)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CaseError("\(path): no such readable file", at: ["token_file"])
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
                throw CaseError("\(path) must hold one token without spaces", at: ["token_file"])
            }
            settings.token = token
        }
        if !settings.listen.isLoopback && settings.token == nil {
            throw CaseError(
                "\(settings.listen) is reachable from other machines, so admin.token is required: /status and /metrics describe every server, and without a token anyone on the network could read them",
                at: ["listen"])
        }
        return settings
    }
}

extension ControllerSettings {
    static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> ControllerSettings {
        let fields = try FieldReader(value, allowing: ["sync_period_s", "state_dir", "leader_election"])
        var settings = ControllerSettings()
        if let value = fields.value("leader_election") {
            settings.leaderElection = try at("leader_election") { () throws(CaseError) in try LeaderElectionSettings.decode(value) }
        }
        if let period = try fields.optional("sync_period_s", Read.seconds) {
            guard period >= .seconds(1) else {
                throw CaseError("must be at least 1 second, found \(period.seconds)", at: ["sync_period_s"])
            }
            settings.syncPeriod = .nanoseconds(period.nanoseconds)
        }
        let directory = try fields.optional("state_dir") { (value) throws(CaseError) in
            let text = try Read.string(value)
            guard !text.isEmpty else { throw CaseError("must name a directory") }
            return text
        } ?? ControllerSettings.defaultStateDirectory
        settings.stateDirectory = TidepoolConfig.resolve(directory, against: baseDirectory)
        return settings
    }
}

extension ListenAddress {
    static func decode(_ value: JSONValue) throws(CaseError) -> ListenAddress {
        try ListenAddress(parsing: try Read.string(value))
    }
}
