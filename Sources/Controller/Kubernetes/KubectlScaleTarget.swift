import Foundation
import Logging
import Scaler
import Subprocess
import Synchronization
import SystemPackage

/// A workload as a scale target through the real `kubectl`, acting with the user's own
/// kubeconfig and context: the same reads and writes as `KubernetesScaleTarget`, each an
/// argument vector (never a shell), so names cannot be interpreted as anything else.
public final class KubectlScaleTarget: ScaleTarget {
    public let kind: String
    public let name: String
    public let namespace: String?
    public let context: String?
    let kubectl: String
    let readsPodUsage: Bool
    let timeout: Duration
    let logger: Logger
    private let resourceVersion = Mutex<String?>(nil)

    public init(kind: String, name: String, namespace: String?, context: String?, kubectl: String = "kubectl",
                readsPodUsage: Bool, timeout: Duration = .seconds(20), logger: Logger) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.context = context
        self.kubectl = kubectl
        self.readsPodUsage = readsPodUsage
        self.timeout = timeout
        self.logger = logger
    }

    public var description: String { "\(kind)/\(namespace ?? "default")/\(name)" }

    /// `--context C -n NS`: the flags every call carries.
    var scope: [String] {
        (context.map { ["--context", $0] } ?? []) + (namespace.map { ["--namespace", $0] } ?? [])
    }

    public func snapshot() async throws -> TargetSnapshot {
        try await .kubernetes(
            scale: try await readScale(), target: description, readsPodUsage: readsPodUsage,
            listPods: { selector in try await self.json(["get", "pods", "--selector", selector, "--output", "json"]) },
            listPodMetrics: { selector in
                let namespace = try await self.currentNamespace()
                let query = "labelSelector=" + KubernetesClient.percentEncoded(selector)
                return try await self.json(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/\(namespace)/pods?\(query)"],
                                           scoped: false)
            })
    }

    /// `kubectl scale --resource-version`: refused when the workload changed since the read;
    /// then read again and retry, up to five times.
    public func scale(to replicas: Int32) async throws {
        var version = resourceVersion.withLock { $0 }
        for attempt in 1...5 {
            var arguments = ["scale", kind, name, "--replicas=\(replicas)"]
            if let version { arguments.append("--resource-version=\(version)") }
            do {
                _ = try await run(arguments)
                return
            } catch let error as KubectlError where error.isConflict && attempt < 5 {
                logger.info("scale_conflict", metadata: ["target": "\(description)", "attempt": "\(attempt)", "error": "\(error.stderr)"])
                version = try await readScale().resourceVersion
            }
        }
    }

    private func readScale() async throws -> KubernetesObjects.ScaleObject {
        let scale = try KubernetesObjects.scale(try await json(["get", kind, name, "--subresource=scale", "--output", "json"]))
        resourceVersion.withLock { $0 = scale.resourceVersion }
        return scale
    }

    /// The namespace kubectl acts in: the given one, else the context's.
    private func currentNamespace() async throws -> String {
        if let namespace { return namespace }
        let text = try await run(["config", "view", "--minify", "--output", "jsonpath={..namespace}"], scoped: false)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "default" : trimmed
    }

    private func json(_ arguments: [String], scoped: Bool = true) async throws -> JSONValue {
        let text = try await run(arguments, scoped: scoped)
        do {
            return try JSONParser.parse(text)
        } catch {
            throw KubectlError(arguments: arguments, status: "exit 0", stderr: "its output is not JSON: \(error)")
        }
    }

    /// Runs kubectl with `arguments` (and the scope flags), within `timeout`; its standard
    /// output on success, a `KubectlError` carrying its standard error otherwise.
    func run(_ arguments: [String], scoped: Bool = true) async throws -> String {
        let full = (scoped ? scope : (context.map { ["--context", $0] } ?? [])) + arguments
            + ["--request-timeout=\(timeout.nanoseconds / 1_000_000_000)s"]
        let executable: Executable = kubectl.contains("/") ? .path(FilePath(kubectl)) : .name(kubectl)
        let result = try await Subprocess.run(executable, arguments: Arguments(full),
                                              output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw KubectlError(arguments: full, status: "\(result.terminationStatus)",
                               stderr: result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.standardOutput
    }
}

public struct KubectlError: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: String
    public var stderr: String

    public var description: String { "kubectl \(arguments.joined(separator: " ")) failed (\(status)): \(stderr)" }

    /// What the API server says of a stale resourceVersion, as kubectl prints it.
    var isConflict: Bool { stderr.contains("the object has been modified") || stderr.contains("Conflict") }
}
