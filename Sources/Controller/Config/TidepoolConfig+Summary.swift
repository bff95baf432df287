import Pool
import Scaler

extension TidepoolConfig {
    /// What `tidepool validate` prints: one line per server and per autoscaler, so a reader can
    /// check the file means what they meant.
    public var summary: String {
        var lines = [
            "gateway  \(gateway.listen)\(gateway.auth == nil ? " (no auth)" : " (bearer tokens)")",
            "admin    \(admin.listen)\(admin.token == nil ? "" : " (token)")",
        ]
        let idWidth = servers.map(\.id.count).max() ?? 0
        lines.append(servers.isEmpty ? "servers: none" : "servers:")
        for server in servers {
            let padding = String(repeating: " ", count: idWidth - server.id.count)
            lines.append("  \(server.id)\(padding)  \(server.mode.name.padding(6))  \(Self.details(of: server))")
        }
        lines.append(autoscalers.isEmpty ? "autoscalers: none" : "autoscalers:")
        for autoscaler in autoscalers {
            let target = autoscaler.target?.description
                ?? "\(autoscaler.spec.scaleTargetRef.kind)/\(autoscaler.metadata.namespace)/\(autoscaler.spec.scaleTargetRef.name) (the HPA's scaleTargetRef)"
            var parts = ["replicas \(autoscaler.spec.effectiveMinReplicas)-\(autoscaler.spec.maxReplicas)",
                         Self.count(autoscaler.spec.metrics.count, "metric")]
            if let schedules = autoscaler.schedules { parts.append(Self.count(schedules.schedules.count, "schedule")) }
            lines.append("  \(autoscaler.name) -> \(target): \(parts.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    static func details(of server: ServerConfig) -> String {
        switch server.mode {
        case .pool(let pool):
            return "\(server.strategy.rawValue), \(count(pool.replicas, "replica")), transport \(pool.transport.rawValue), affinity \(server.affinity.rawValue)"
        case .remote(let remote):
            return remote.endpoint
        case .group(let group):
            return "\(server.strategy.rawValue), \(count(group.members.count, "member")) (min_healthy \(group.minHealthy)), affinity \(server.affinity.rawValue)"
        }
    }

    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
