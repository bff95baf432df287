import Foundation
import Scaler

/// One entry of the configuration's `autoscalers:` list: what to scale, by which
/// HorizontalPodAutoscaler, where each of its metrics comes from, and its schedules.
public struct AutoscalerConfig: Sendable {
    public var name: String
    public var target: ScaleTargetConfig?
    public var metadata: ObjectMeta
    public var spec: HorizontalPodAutoscalerSpec
    /// Where each metric named in the HPA comes from, by metric name.
    public var metricSources: [String: MetricSourceConfig]
    public var schedules: ScheduleSet?

    static let keys = ["name", "target", "hpa", "spec", "metrics", "schedules"]
}

/// What an autoscaler resizes.
public enum ScaleTargetConfig: Sendable, Equatable {
    case pool(String)
    case kubernetes(apiVersion: String, kind: String, name: String, namespace: String)
    case kubectl(kind: String, name: String, namespace: String?, context: String?)

    /// "pool/math", "Deployment/default/web": how status names the target.
    public var description: String {
        switch self {
        case .pool(let name): return "pool/\(name)"
        case .kubernetes(_, let kind, let name, let namespace): return "\(kind)/\(namespace)/\(name)"
        case .kubectl(let kind, let name, let namespace, _): return "\(kind)/\(namespace ?? "default")/\(name)"
        }
    }
}

/// Where one HPA metric's values come from.
public enum MetricSourceConfig: Sendable, Equatable {
    /// The gateway's own figures for the target pool ("inflight", "queue_length", ...).
    case gateway(String)
    /// A PromQL query whose result (a single value) is the metric.
    case prometheus(url: String, query: String)
    /// One series of an exposition scraped from a URL.
    case scrape(url: String, metric: String, labels: [String: String])
}

extension AutoscalerConfig {
    /// Decodes an autoscaler entry. `baseDirectory` resolves a relative `hpa:` file name.
    public static func decode(_ value: JSONValue, baseDirectory: String) throws(CaseError) -> AutoscalerConfig {
        let fields = try FieldReader(value, allowing: keys)
        let name = try fields.required("name", Read.string)
        let target = try fields.optional("target", ScaleTargetConfig.decode)
        let hpa: (metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec)
        switch (fields.value("hpa"), fields.value("spec")) {
        case (let file?, nil):
            let path = try at("hpa") { () throws(CaseError) -> String in
                let text = try Read.string(file)
                return text.hasPrefix("/") ? text : (baseDirectory as NSString).appendingPathComponent(text)
            }
            let document: JSONValue
            do {
                document = try DocumentLoader.load(path)
            } catch {
                throw CaseError(error.description, at: ["hpa"])
            }
            do {
                hpa = try HorizontalPodAutoscalerSpec.decode(document)
            } catch {
                throw CaseError("\(path): \(error.description)", at: ["hpa"])
            }
        case (nil, let inline?):
            hpa = try at("spec") { () throws(CaseError) in try HorizontalPodAutoscalerSpec.decode(inline) }
        case (nil, nil):
            throw CaseError("needs its HorizontalPodAutoscaler: a file under `hpa:` or the spec inline under `spec:`")
        case (_?, _?):
            throw CaseError("has both `hpa:` and `spec:`; give one").prefixed("spec")
        }
        var metadata = hpa.metadata
        if metadata.name.isEmpty { metadata.name = name }
        let sources = try fields.optional("metrics") { (value) throws(CaseError) -> [String: MetricSourceConfig] in
            guard case .object(let object) = value else { throw CaseError("expected an object of metric name to source, found \(value.typeName)") }
            var sources: [String: MetricSourceConfig] = [:]
            for entry in object.entries {
                sources[entry.key] = try at(entry.key) { () throws(CaseError) in try MetricSourceConfig.decode(entry.value) }
            }
            return sources
        } ?? [:]
        let schedules = try fields.optional("schedules") { (value) throws(CaseError) in try ScheduleConfig.decode(value, field: "schedules") }
        return AutoscalerConfig(name: name, target: target, metadata: metadata, spec: hpa.spec,
                                metricSources: sources, schedules: schedules)
    }
}

extension ScaleTargetConfig {
    static func decode(_ value: JSONValue) throws(CaseError) -> ScaleTargetConfig {
        let fields = try FieldReader(value, allowing: ["pool", "kubernetes", "kubectl"])
        if let pool = try fields.optional("pool", Read.string) { return .pool(pool) }
        if let reference = fields.value("kubernetes") {
            return try at("kubernetes") { () throws(CaseError) in
                let object = try FieldReader(reference, allowing: ["apiVersion", "kind", "name", "namespace"])
                return .kubernetes(apiVersion: try object.optional("apiVersion", Read.string) ?? "apps/v1",
                                   kind: try object.required("kind", Read.string),
                                   name: try object.required("name", Read.string),
                                   namespace: try object.optional("namespace", Read.string) ?? "default")
            }
        }
        if let reference = fields.value("kubectl") {
            return try at("kubectl") { () throws(CaseError) in
                let object = try FieldReader(reference, allowing: ["kind", "name", "namespace", "context"])
                return .kubectl(kind: try object.required("kind", Read.string), name: try object.required("name", Read.string),
                                namespace: try object.optional("namespace", Read.string),
                                context: try object.optional("context", Read.string))
            }
        }
        throw CaseError("names no target: give one of pool, kubernetes or kubectl")
    }
}

extension MetricSourceConfig {
    static func decode(_ value: JSONValue) throws(CaseError) -> MetricSourceConfig {
        let fields = try FieldReader(value, allowing: ["gateway", "prometheus", "scrape"])
        guard fields.object.entries.count == 1 else {
            throw CaseError("give exactly one source: gateway, prometheus or scrape")
        }
        if let figure = try fields.optional("gateway", Read.string) { return .gateway(figure) }
        if let query = fields.value("prometheus") {
            return try at("prometheus") { () throws(CaseError) in
                let object = try FieldReader(query, allowing: ["url", "query"])
                return .prometheus(url: try object.required("url", Read.string), query: try object.required("query", Read.string))
            }
        }
        let scrape = fields.value("scrape")!
        return try at("scrape") { () throws(CaseError) in
            let object = try FieldReader(scrape, allowing: ["url", "metric", "labels"])
            let labels = try object.optional("labels") { (value) throws(CaseError) -> [String: String] in
                guard case .object(let pairs) = value else { throw CaseError("expected an object of label name to value, found \(value.typeName)") }
                var labels: [String: String] = [:]
                for entry in pairs.entries { labels[entry.key] = try at(entry.key) { () throws(CaseError) in try Read.string(entry.value) } }
                return labels
            } ?? [:]
            return .scrape(url: try object.required("url", Read.string), metric: try object.required("metric", Read.string), labels: labels)
        }
    }
}

/// Schedules as the configuration writes them (../spec/config.md): a list of
/// `{name, start, end, timezone, minReplicas, maxReplicas}`.
public enum ScheduleConfig {
    static let keys = ["name", "start", "end", "timezone", "minReplicas", "maxReplicas"]

    /// A `schedules:` list; `field` names it in errors.
    public static func decode(_ value: JSONValue, field: String) throws(CaseError) -> ScheduleSet {
        let items = try Read.array(value)
        var definitions: [ScheduleDefinition] = []
        for (index, item) in items.enumerated() {
            definitions.append(try at(index: index) { () throws(CaseError) in
                let fields = try FieldReader(item, allowing: keys)
                return ScheduleDefinition(
                    name: try fields.required("name", Read.string), start: try fields.required("start", Read.string),
                    end: try fields.required("end", Read.string), timezone: try fields.optional("timezone", Read.string),
                    minReplicas: try fields.optional("minReplicas", Read.int32), maxReplicas: try fields.optional("maxReplicas", Read.int32))
            })
        }
        do {
            return try ScheduleSet(parsing: definitions, field: "", timeZones: SystemTimeZone.rules(named:))
        } catch {
            // The set names items "[1].start"; the caller's path already ends at the list.
            throw CaseError(error.problem, at: pathComponents(error.field))
        }
    }

    /// A schedule file for `replay --schedule`: the list itself, or an object with `schedules:`
    /// (so an autoscaler's file works too).
    public static func load(_ path: String) throws(InputError) -> ScheduleSet {
        let document = try DocumentLoader.load(path)
        do {
            if case .object(let object) = document, let list = object["schedules"] {
                return try at("schedules") { () throws(CaseError) in try decode(list, field: "schedules") }
            }
            return try decode(document, field: "")
        } catch {
            throw InputError(source: path, message: error.description)
        }
    }

    /// "[1].start" -> ["[1]", "start"].
    private static func pathComponents(_ field: String) -> [String] {
        var components: [String] = []
        for part in field.split(separator: ".") {
            var rest = Substring(part)
            while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
                if open > rest.startIndex { components.append(String(rest[..<open])) }
                components.append(String(rest[open...close]))
                rest = rest[rest.index(after: close)...]
            }
            if !rest.isEmpty { components.append(String(rest)) }
        }
        return components
    }
}
