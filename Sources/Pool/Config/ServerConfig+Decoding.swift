import Scaler

extension ServerConfig {
    static let commonKeys = ["mode", "description", "circuit_breaker", "rate_limit"]
    static let healthKeys = ["health_check_interval_s", "max_consecutive_failures", "health_check", "http"]
    static let overloadKeys = ["max_concurrency", "max_queue", "queue_timeout_ms"]
    static let routingKeys = ["strategy", "affinity"]
    static let poolKeys = commonKeys + routingKeys + ["transport", "command", "env", "replicas", "resources", "drain_timeout_s", "path"] + healthKeys + overloadKeys
    static let remoteKeys = commonKeys + ["endpoint"] + healthKeys + overloadKeys
    static let groupKeys = commonKeys + routingKeys + ["members", "min_healthy"]
    static let modeKeys: [(mode: String, keys: [String])] = [("pool", poolKeys), ("remote", remoteKeys), ("group", groupKeys)]

    /// Decodes a whole `mcp_servers:` map, in file order, and checks that every group member
    /// names a pool or remote entry. Errors are relative to the map: `math.strategy: ...`.
    public static func decodeServers(_ value: JSONValue) throws(CaseError) -> [ServerConfig] {
        guard case .object(let object) = value else {
            throw CaseError("expected a map of server id to its settings, found \(value.typeName)")
        }
        var servers: [ServerConfig] = []
        for entry in object.entries {
            if servers.contains(where: { $0.id == entry.key }) {
                throw CaseError("is defined twice", at: [entry.key])
            }
            servers.append(try at(entry.key) { () throws(CaseError) in try decode(id: entry.key, entry.value) })
        }
        try checkGroupMembers(servers)
        return servers
    }

    /// Decodes one entry; `id` is its key under `mcp_servers:`. Errors are relative to the entry.
    public static func decode(id: String, _ value: JSONValue) throws(CaseError) -> ServerConfig {
        try checkID(id)
        guard case .object(let object) = value else {
            throw CaseError("expected the server's settings (mode: pool, remote or group), found \(value.typeName)")
        }
        guard let modeValue = object["mode"], modeValue != .null else {
            throw CaseError("is required: pool (Tidepool runs it), remote (somebody else does) or group (over other entries)", at: ["mode"])
        }
        let modeName = try at("mode") { () throws(CaseError) in try Read.modeName(modeValue) }
        // modeName is one of modeKeys' modes: Read.modeName checked it.
        let allowed = modeKeys.first { $0.mode == modeName }!.keys
        // A key of another mode is a misunderstanding, not a typo: say which mode it belongs to.
        for entry in object.entries where !allowed.contains(entry.key) {
            let owners = modeKeys.filter { $0.keys.contains(entry.key) }.map(\.mode)
            if !owners.isEmpty {
                throw CaseError("applies to mode \(owners.joined(separator: " or ")), and this server is mode \(modeName)", at: [entry.key])
            }
        }
        let fields = try FieldReader(value, allowing: allowed)

        let description = try fields.optional("description", Read.string)
        let mode: Mode
        switch modeName {
        case "pool": mode = .pool(try PoolSettings.decode(fields))
        case "remote": mode = .remote(try RemoteSettings.decode(fields))
        default: mode = .group(try GroupSettings.decode(fields, groupID: id))
        }
        return ServerConfig(
            id: id, description: description, mode: mode,
            health: try HealthSettings.decode(fields),
            circuitBreaker: try fields.optional("circuit_breaker", CircuitBreakerSettings.decode),
            http: try fields.optional("http", HTTPTimeouts.decode) ?? HTTPTimeouts(),
            strategy: try fields.optional("strategy") { (value) throws(CaseError) in try Read.choice(value, noun: "a strategy") } ?? .default,
            affinity: try fields.optional("affinity") { (value) throws(CaseError) in try Read.choice(value, noun: "an affinity") } ?? .none,
            overload: try OverloadSettings.decode(fields),
            rateLimit: try fields.optional("rate_limit", RateLimitSettings.decode))
    }

    /// The gateway serves each entry at `/mcp/<id>`, so an id must be safe in a URL path.
    static func checkID(_ id: String) throws(CaseError) {
        let allowed = id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
        guard !id.isEmpty, allowed, id != ".", id != ".." else {
            throw CaseError("\"\(id)\" cannot be a server id: the gateway serves it at /mcp/<id>, so use letters, digits, '-', '_' and '.'")
        }
    }

    static func checkGroupMembers(_ servers: [ServerConfig]) throws(CaseError) {
        let ids = servers.map(\.id)
        for server in servers {
            guard case .group(let group) = server.mode else { continue }
            for (index, member) in group.members.enumerated() {
                let path = [server.id, "members", "[\(index)]", "id"]
                guard let target = servers.first(where: { $0.id == member.id }) else {
                    let hint = FieldReader.nearest(to: member.id, among: ids).map { " (did you mean \"\($0)\"?)" }
                        ?? " (entries: \(ids.joined(separator: ", ")))"
                    throw CaseError("\"\(member.id)\" is not an mcp_servers entry\(hint)", at: path)
                }
                // Members are servers, never groups: that rules out cycles and keeps one level of routing.
                if case .group = target.mode {
                    throw CaseError("\"\(member.id)\" is a group; a group's members must be pool or remote servers", at: path)
                }
            }
        }
    }
}

extension HealthSettings {
    static func decode(_ fields: FieldReader) throws(CaseError) -> HealthSettings {
        var settings = HealthSettings()
        if let interval = try fields.optional("health_check_interval_s", Read.positiveSeconds) { settings.interval = interval }
        if let failures = try fields.optional("max_consecutive_failures", Read.positiveInt) { settings.maxConsecutiveFailures = failures }
        if let check = try fields.optional("health_check", { (value) throws(CaseError) -> Check in
            try Read.choice(value, noun: "a health check")
        }) {
            settings.check = check
        }
        return settings
    }
}

extension CircuitBreakerSettings {
    static func decode(_ value: JSONValue) throws(CaseError) -> CircuitBreakerSettings {
        let fields = try FieldReader(value, allowing: ["failure_threshold", "reset_timeout_s"])
        var settings = CircuitBreakerSettings()
        if let threshold = try fields.optional("failure_threshold", Read.positiveInt) { settings.failureThreshold = threshold }
        if let timeout = try fields.optional("reset_timeout_s", Read.secondsDuration) { settings.resetTimeout = timeout }
        return settings
    }
}

extension HTTPTimeouts {
    static func decode(_ value: JSONValue) throws(CaseError) -> HTTPTimeouts {
        let fields = try FieldReader(value, allowing: ["connect_timeout", "read_timeout"])
        var timeouts = HTTPTimeouts()
        if let connect = try fields.optional("connect_timeout", Read.positiveSeconds) { timeouts.connect = connect }
        if let read = try fields.optional("read_timeout", Read.positiveSeconds) { timeouts.read = read }
        return timeouts
    }
}

extension PoolSettings {
    static func decode(_ fields: FieldReader) throws(CaseError) -> PoolSettings {
        let transport = try fields.optional("transport") { (value) throws(CaseError) -> Transport in
            try Read.choice(value, noun: "a transport")
        } ?? .stdio
        var settings = PoolSettings(transport: transport, command: try fields.required("command", Read.command))
        settings.environment = try fields.optional("env", Read.environment) ?? [:]
        if let replicas = try fields.optional("replicas", Read.nonNegativeInt32) { settings.replicas = Int(replicas) }
        settings.requests = try fields.optional("resources", ResourceRequests.decodeResources) ?? ResourceRequests()
        if let drain = try fields.optional("drain_timeout_s", Read.secondsDuration) { settings.drainTimeout = drain }
        if let path = try fields.optional("path", Read.string) {
            guard transport == .http else {
                throw CaseError("applies to transport http only; a stdio member has no URL", at: ["path"])
            }
            guard path.hasPrefix("/"), !path.contains(where: \.isWhitespace) else {
                throw CaseError("\"\(path)\" is not a URL path (like \"/mcp\")", at: ["path"])
            }
            settings.path = path
        }
        let mentionsPort = settings.command.contains { $0.contains(portPlaceholder) }
            || settings.environment.values.contains { $0.contains(portPlaceholder) }
        switch transport {
        case .http where !mentionsPort:
            throw CaseError(
                "transport http needs \"\(portPlaceholder)\" in the command (or an env value), where each member's port is filled in, like [mcp-math, --port, \"\(portPlaceholder)\"]",
                at: ["command"])
        case .stdio where mentionsPort:
            throw CaseError("\"\(portPlaceholder)\" is filled in for transport http only, and this pool is transport stdio", at: ["command"])
        default:
            break
        }
        return settings
    }
}

extension ResourceRequests {
    static func decodeResources(_ value: JSONValue) throws(CaseError) -> ResourceRequests {
        let fields = try FieldReader(value, allowing: ["requests"])
        return try fields.optional("requests") { (value) throws(CaseError) in
            let requests = try FieldReader(value, allowing: ["cpu", "memory"])
            return ResourceRequests(cpu: try requests.optional("cpu", Read.positiveQuantity),
                                    memory: try requests.optional("memory", Read.positiveQuantity))
        } ?? ResourceRequests()
    }
}

extension RemoteSettings {
    static func decode(_ fields: FieldReader) throws(CaseError) -> RemoteSettings {
        RemoteSettings(endpoint: try fields.required("endpoint", Read.httpURL))
    }
}

extension GroupSettings {
    static func decode(_ fields: FieldReader, groupID: String) throws(CaseError) -> GroupSettings {
        let members = try fields.required("members") { (value) throws(CaseError) -> [GroupMember] in
            let items = try Read.array(value)
            guard !items.isEmpty else { throw CaseError("a group needs at least one member") }
            var members: [GroupMember] = []
            for (index, item) in items.enumerated() {
                let member = try at(index: index) { () throws(CaseError) in try GroupMember.decode(item) }
                if member.id == groupID {
                    throw CaseError("a group cannot be its own member", at: ["[\(index)]", "id"])
                }
                if let earlier = members.firstIndex(where: { $0.id == member.id }) {
                    throw CaseError("\"\(member.id)\" is listed twice (also members[\(earlier)])", at: ["[\(index)]", "id"])
                }
                members.append(member)
            }
            return members
        }
        let minHealthy = try fields.optional("min_healthy") { (value) throws(CaseError) -> Int in
            let count = Int(try Read.nonNegativeInt32(value))
            guard count <= members.count else {
                throw CaseError("\(count) is more than the number of members (\(members.count)), so the group could never be ready")
            }
            return count
        } ?? 1
        return GroupSettings(members: members, minHealthy: minHealthy)
    }
}

extension GroupMember {
    static func decode(_ value: JSONValue) throws(CaseError) -> GroupMember {
        let fields = try FieldReader(value, allowing: ["id", "weight", "priority"])
        let id = try fields.required("id", Read.string)
        guard !id.isEmpty else { throw CaseError("must name an mcp_servers entry", at: ["id"]) }
        var member = GroupMember(id: id)
        if let weight = try fields.optional("weight", Read.positiveInt) { member.weight = weight }
        if let priority = try fields.optional("priority", Read.int32) { member.priority = Int(priority) }
        return member
    }
}

extension Read {
    /// A value from a closed set, suggesting the one meant: `"least_conn" is not a strategy
    /// (did you mean "least_connections"?)`.
    static func choice<Choice: RawRepresentable & CaseIterable>(_ value: JSONValue, noun: String) throws(CaseError) -> Choice
    where Choice.RawValue == String {
        let text = try string(value)
        if let choice = Choice(rawValue: text) { return choice }
        let names = Choice.allCases.map(\.rawValue)
        let hint = FieldReader.nearest(to: text, among: names).map { " (did you mean \"\($0)\"?)" }
            ?? " (one of: \(names.joined(separator: ", ")))"
        throw CaseError("\"\(text)\" is not \(noun)\(hint)")
    }

    static func modeName(_ value: JSONValue) throws(CaseError) -> String {
        let text = try string(value)
        let names = ServerConfig.modeKeys.map(\.mode)
        if names.contains(text) { return text }
        // Hangar's other modes start a process; in Tidepool that is a pool.
        if text == "subprocess" || text == "docker" {
            throw CaseError("\"\(text)\" is not a mode: a server Tidepool starts is mode pool (with transport stdio or http)")
        }
        let hint = FieldReader.nearest(to: text, among: names).map { " (did you mean \"\($0)\"?)" }
            ?? " (one of: \(names.joined(separator: ", ")))"
        throw CaseError("\"\(text)\" is not a mode\(hint)")
    }

    static func positiveInt(_ value: JSONValue) throws(CaseError) -> Int {
        let number = try int32(value)
        guard number >= 1 else { throw CaseError("must be at least 1, found \(number)") }
        return Int(number)
    }

    /// Seconds as an integer or a decimal (Hangar writes `10.0`), or Go duration text.
    static func secondsDuration(_ value: JSONValue) throws(CaseError) -> Duration {
        .nanoseconds(try seconds(value).nanoseconds)
    }

    /// Seconds that must be more than zero: an interval or timeout of 0 would spin or fail at once.
    static func positiveSeconds(_ value: JSONValue) throws(CaseError) -> Duration {
        let duration = try secondsDuration(value)
        guard duration > .zero else { throw CaseError("must be more than 0 seconds") }
        return duration
    }

    static func positiveQuantity(_ value: JSONValue) throws(CaseError) -> Quantity {
        let amount = try quantity(value)
        guard amount.milliValue > 0 else { throw CaseError("must be more than 0, found \(amount)") }
        return amount
    }

    /// A list of arguments, or a plain string as a program without arguments. A string is never
    /// split: shell quoting rules would be guesswork, so one with spaces is refused.
    static func command(_ value: JSONValue) throws(CaseError) -> [String] {
        let example = "like [mcp-math, --port, \"{port}\"]"
        let arguments: [String]
        switch value {
        case .string(let program):
            guard !program.contains(where: \.isWhitespace) else {
                throw CaseError("give the program and its arguments as a list, \(example): a string is one program name and is never split")
            }
            arguments = [program]
        case .array(let items):
            var collected: [String] = []
            for (index, item) in items.enumerated() {
                collected.append(try at(index: index) { () throws(CaseError) in try argumentText(item) })
            }
            arguments = collected
        default:
            throw CaseError("expected the program and its arguments as a list, \(example), found \(value.typeName)")
        }
        guard let program = arguments.first, !program.isEmpty else {
            throw CaseError("must name a program to run, \(example)")
        }
        return arguments
    }

    /// `env:`: names to values; numbers and booleans are taken as written (`WORKERS: 4`).
    static func environment(_ value: JSONValue) throws(CaseError) -> [String: String] {
        guard case .object(let object) = value else {
            throw CaseError("expected a map of variable name to value, found \(value.typeName)")
        }
        var environment: [String: String] = [:]
        for entry in object.entries {
            guard !entry.key.isEmpty, !entry.key.contains("=") else {
                throw CaseError("\"\(entry.key)\" cannot be an environment variable name", at: [entry.key])
            }
            environment[entry.key] = try at(entry.key) { () throws(CaseError) in try argumentText(entry.value) }
        }
        return environment
    }

    /// A string, or a YAML number or boolean as its text: `--port, 8080` means the text "8080".
    static func argumentText(_ value: JSONValue) throws(CaseError) -> String {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: throw CaseError("expected a string, found \(value.typeName)")
        }
    }

    /// An http:// or https:// URL with a host (and a valid port, if it names one).
    static func httpURL(_ value: JSONValue) throws(CaseError) -> String {
        let text = try string(value)
        let invalid = CaseError("\"\(text)\" is not an http or https URL (like http://127.0.0.1:8080/mcp)")
        let lowered = text.lowercased()
        let schemeLength = lowered.hasPrefix("http://") ? 7 : lowered.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0, !text.contains(where: \.isWhitespace) else { throw invalid }
        let authority = text.dropFirst(schemeLength).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        // "[::1]:8080" keeps its colons inside the brackets.
        let portStart = hostAndPort.lastIndex(of: ":").flatMap { colon in
            hostAndPort[colon...].contains("]") ? nil : colon
        }
        let host = portStart.map { hostAndPort[..<$0] } ?? hostAndPort
        guard !host.isEmpty else { throw invalid }
        if let portStart {
            guard let port = Int(hostAndPort[hostAndPort.index(after: portStart)...]), (1...65535).contains(port) else { throw invalid }
        }
        return text
    }
}

extension OverloadSettings {
    /// `max_concurrency` turns the limit on; `max_queue` and `queue_timeout_ms` shape its queue
    /// and mean nothing without it.
    static func decode(_ fields: FieldReader) throws(CaseError) -> OverloadSettings? {
        let maxQueue = try fields.optional("max_queue") { (value) throws(CaseError) -> Int in
            let number = try Read.int32(value)
            guard number >= 0 else { throw CaseError("must be 0 (refuse at once) or more, found \(number)") }
            return Int(number)
        }
        let timeout = try fields.optional("queue_timeout_ms") { (value) throws(CaseError) -> Duration in
            let number = try Read.int32(value)
            guard number >= 1 else { throw CaseError("must be at least 1 millisecond, found \(number)") }
            return .milliseconds(Int64(number))
        }
        guard let maxConcurrency = try fields.optional("max_concurrency", Read.positiveInt) else {
            if maxQueue != nil || timeout != nil {
                let key = maxQueue != nil ? "max_queue" : "queue_timeout_ms"
                throw CaseError("shapes the queue of max_concurrency, which is not set: add max_concurrency (calls per member at once)", at: [key])
            }
            return nil
        }
        return OverloadSettings(maxConcurrency: maxConcurrency, maxQueue: maxQueue ?? defaultMaxQueue,
                                queueTimeout: timeout ?? defaultQueueTimeout)
    }
}

extension RateLimitSettings {
    /// `{requests_per_second, burst, per}`: burst defaults to one second's worth (at least 1),
    /// per to `client`.
    static func decode(_ value: JSONValue) throws(CaseError) -> RateLimitSettings {
        let fields = try FieldReader(value, allowing: ["requests_per_second", "burst", "per"])
        let rate = try fields.required("requests_per_second") { (value) throws(CaseError) -> Double in
            let number = try Read.float64(value)
            guard number > 0, number.isFinite else { throw CaseError("must be more than 0, found \(number)") }
            return number
        }
        let burst = try fields.optional("burst", Read.positiveInt) ?? max(1, Int(rate.rounded(.up)))
        let per = try fields.optional("per") { (value) throws(CaseError) -> Scope in
            let text = try Read.string(value)
            guard let scope = Scope(rawValue: text) else {
                throw CaseError("\"\(text)\" is not one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return scope
        } ?? .client
        return RateLimitSettings(requestsPerSecond: rate, burst: burst, per: per)
    }
}
