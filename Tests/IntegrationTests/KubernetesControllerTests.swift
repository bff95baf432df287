import Foundation
import TestSupport
import Testing

/// `tidepool controller` (the built binary) against the API server fixture: it scales a
/// Deployment from its pods' metrics, retries a conflict after a fresh read, waits out a 429's
/// Retry-After, acts through the real kubectl, speaks TLS with a rotating token, and hands
/// leadership from one process to another.
extension RealProcesses {
@Suite("tidepool controller against the API server fixture", .serialized, .enabled(if: KubernetesFixture.available, "needs kubectl and python3"))
struct KubernetesControllerTests {
    static let binary = RunCommandTests.binary
    typealias Child = RunCommandTests.Child

    /// A Deployment `web` (2 replicas, 128Mi of memory requested per pod) and a
    /// TidepoolAutoscaler on its memory at 50 % of requests, 1 to 6 replicas, scaling down at once.
    /// The fixture's usage is per pod, so it does not fall as pods are added: above the target
    /// the size climbs to maxReplicas, below it falls to minReplicas, within the tolerance it holds.
    static let workload = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: app
                image: example/web:1
                resources: {requests: {cpu: 250m, memory: 128Mi}}
        """

    static let autoscaler = """
        apiVersion: tidepool.dev/v1alpha1
        kind: TidepoolAutoscaler
        metadata: {name: web, namespace: default}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 6
          metrics:
          - type: Resource
            resource: {name: memory, target: {type: Utilization, averageUtilization: 50}}
          behavior:
            scaleDown: {stabilizationWindowSeconds: 0}
        """

    /// A controller config: 1 s syncs, a short lease so the tests see takeovers quickly.
    static func config(in directory: URL, extra: String = "") throws -> String {
        let path = directory.appendingPathComponent("tidepool-\(UUID().uuidString).yaml").path
        try """
            controller:
              sync_period_s: 1
              state_dir: \(directory.appendingPathComponent("state-\(UUID().uuidString)").path)
              leader_election: {lease_duration_s: 3, renew_deadline_s: 2, retry_period_s: 0.5, namespace: default}
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func apply(_ fixture: KubernetesFixture, _ yaml: String) throws {
        let file = fixture.directory.appendingPathComponent("object-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let result = try fixture.kubectl(["apply", "-f", file.path])
        #expect(result.succeeded, "\(result)")
    }

    static func replicas(_ fixture: KubernetesFixture) throws -> Int? {
        let result = try fixture.kubectl(["get", "deployment", "web", "-o", "json"])
        return (KubernetesFixture.json(result.output)?["spec"] as? [String: Any])?["replicas"] as? Int
    }

    static func startController(_ fixture: KubernetesFixture, config: String, kubeconfig: String? = nil, identity: String,
                                environment: [String: String] = [:]) throws -> Child {
        try Child(binary, ["controller", "--config", config, "--kubeconfig", kubeconfig ?? fixture.kubeconfig,
                           "--admin-listen", "127.0.0.1:0", "--identity", identity], environment: environment)
    }

    /// The scale-subresource writes the fixture answered, in order: (method, status).
    static func scaleWrites(_ fixture: KubernetesFixture) throws -> [(method: String, status: Int, time: Double)] {
        try fixture.requests().compactMap { request in
            guard let path = request["path"] as? String, path.hasSuffix("/deployments/web/scale"),
                  let method = request["method"] as? String, method == "PATCH" || method == "PUT" else { return nil }
            return (method, request["status"] as? Int ?? 0, seconds(request["time"] as? String ?? ""))
        }
    }

    /// The fixture logs times as RFC 3339 with milliseconds.
    static func seconds(_ text: String) -> Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970 ?? 0
    }

    @Test("scales a Deployment up and down from its pods' memory; status, conditions and events as the HPA writes them")
    func scalesFromMetrics() async throws {
        try await onOwnThread {
            let fixture = try KubernetesFixture.start()
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try Self.apply(fixture, Self.autoscaler)
            // 256Mi used of 128Mi requested: 200 % against 50 % asks for 4× the pods, capped at 6.
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "256Mi", "cpu": "100m"])
            let controller = try Self.startController(fixture, config: try Self.config(in: fixture.directory), identity: "solo")
            defer { controller.stop() }
            let scaledUp = try RunCommandTests.waitFor(30) { try Self.replicas(fixture) == 6 }
            #expect(scaledUp, "replicas: \(String(describing: try? Self.replicas(fixture)))\n\(controller.errors)")

            // The status subresource carries the HPA's fields and the explanation.
            let resource = try fixture.kubectl(["get", "tpa", "web", "-o", "json"])
            let status = KubernetesFixture.json(resource.output)?["status"] as? [String: Any] ?? [:]
            #expect(status["desiredReplicas"] as? Int == 6, "\(status)")
            #expect(status["observedGeneration"] as? Int == 1)
            let conditions = status["conditions"] as? [[String: Any]] ?? []
            #expect(conditions.contains { $0["type"] as? String == "AbleToScale" && $0["reason"] as? String == "SucceededRescale" }, "\(conditions)")
            #expect(!(status["explanation"] as? [String] ?? []).isEmpty)
            let table = try fixture.kubectl(["get", "tpa"])
            #expect(table.output.contains("web"), "\(table)")

            // Usage falls to 32Mi a pod (25 % of 50 %): with a 0 s window, 6 → 3 → 2 → 1, the minimum.
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "32Mi"])
            let settled = try RunCommandTests.waitFor(40) { try Self.replicas(fixture) == 1 }
            #expect(settled, "replicas \(String(describing: try? Self.replicas(fixture)))\n\(controller.errors)")
            #expect(controller.errors.contains("from=6") && controller.errors.contains("to=3"), "\(controller.errors)")

            let events = try fixture.kubectl(["get", "events", "-o", "json"])
            let items = KubernetesFixture.json(events.output)?["items"] as? [[String: Any]] ?? []
            let rescales = items.filter { $0["reason"] as? String == "SuccessfulRescale" }
            #expect(rescales.contains { ($0["message"] as? String ?? "").hasPrefix("New size: 6; reason: memory resource utilization") },
                    "\(rescales.map { $0["message"] ?? "" })")
            #expect(rescales.allSatisfy { ($0["involvedObject"] as? [String: Any])?["kind"] as? String == "TidepoolAutoscaler" })
            #expect(controller.errors.contains("INFO scaled autoscaler=default/web from=2"), "\(controller.errors)")
        }
    }

    @Test("autoscalers follow their resources as they are created, changed and deleted while the controller runs")
    func followsResources() async throws {
        try await onOwnThread {
            let fixture = try KubernetesFixture.start()
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "256Mi"])
            let controller = try Self.startController(fixture, config: try Self.config(in: fixture.directory), identity: "watcher")
            defer { controller.stop() }
            #expect(try RunCommandTests.waitFor(20) { controller.errors.contains("leader_elected") }, "\(controller.errors)")
            // Created after the list: the watch brings it.
            try Self.apply(fixture, Self.autoscaler.replacingOccurrences(of: "maxReplicas: 6", with: "maxReplicas: 3"))
            #expect(try RunCommandTests.waitFor(30) { try Self.replicas(fixture) == 3 }, "\(controller.errors)")
            // A new spec (generation 2): the autoscaler starts again with it.
            let patched = try fixture.kubectl(["patch", "tpa", "web", "--type=merge", "-p", #"{"spec":{"maxReplicas":5}}"#])
            #expect(patched.succeeded, "\(patched)")
            #expect(try RunCommandTests.waitFor(30) { try Self.replicas(fixture) == 5 }, "\(controller.errors)")
            #expect(controller.errors.components(separatedBy: "autoscaler_started autoscaler=default/web").count == 3,
                    "started once per generation: \(controller.errors)")
            let status = KubernetesFixture.json(try fixture.kubectl(["get", "tpa", "web", "-o", "json"]).output)?["status"] as? [String: Any]
            #expect(status?["observedGeneration"] as? Int == 2, "\(String(describing: status))")
            // Deleted: its autoscaler stops, and nothing scales the workload any more.
            #expect(try fixture.kubectl(["delete", "tpa", "web"]).succeeded)
            #expect(try RunCommandTests.waitFor(20) { controller.errors.contains("autoscaler_stopped autoscaler=default/web") },
                    "\(controller.errors)")
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "16Mi"])
            Thread.sleep(forTimeInterval: 3)
            #expect(try Self.replicas(fixture) == 5)
        }
    }

    @Test("a 409 Conflict on the scale write is retried after a fresh read; a 429 waits for its Retry-After")
    func conflictAndThrottling() async throws {
        try await onOwnThread {
            let fixture = try KubernetesFixture.start()
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try fixture.control("/fixture/faults", ["method": "PATCH", "pathSuffix": "/scale", "status": 409, "count": 2])
            try fixture.resetRequests()
            try Self.apply(fixture, Self.autoscaler)
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "128Mi"])
            let controller = try Self.startController(fixture, config: try Self.config(in: fixture.directory), identity: "retrier")
            defer { controller.stop() }
            // 100 % of 50 %: up from 2 (to 6 in the end), through two conflicts.
            let scaled = try RunCommandTests.waitFor(30) { (try Self.replicas(fixture) ?? 2) > 2 }
            #expect(scaled, "\(controller.errors)")
            let writes = try Self.scaleWrites(fixture)
            #expect(writes.map(\.status).prefix(3) == [409, 409, 200], "\(writes)")
            // Between the writes, fresh reads of the scale.
            let log = try fixture.requests().compactMap { request -> String? in
                guard let path = request["path"] as? String, path.hasSuffix("/deployments/web/scale") else { return nil }
                return "\(request["method"] ?? "") \(request["status"] ?? "")"
            }
            let firstConflict = try #require(log.firstIndex(of: "PATCH 409"))
            #expect(log[firstConflict + 1] == "GET 200", "\(log)")
            #expect(controller.errors.contains("scale_conflict"), "\(controller.errors)")

            // Throttled: at the maximum, usage falls; the first scale-down write gets a 429 with
            // Retry-After 1, and goes through a second later.
            #expect(try RunCommandTests.waitFor(30) { try Self.replicas(fixture) == 6 }, "\(controller.errors)")
            try fixture.resetRequests()
            try fixture.control("/fixture/faults", ["method": "PATCH", "pathSuffix": "/scale", "status": 429, "count": 1, "retryAfter": "1"])
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "16Mi"])
            let throttledScale = try RunCommandTests.waitFor(30) { (try Self.replicas(fixture) ?? 6) < 6 }
            #expect(throttledScale, "\(controller.errors)")
            let throttled = try Self.scaleWrites(fixture)
            let refused = try #require(throttled.first { $0.status == 429 }, "\(throttled)")
            let accepted = try #require(throttled.first { $0.status == 200 && $0.time > refused.time }, "\(throttled)")
            print("429 then 200 after \(accepted.time - refused.time) s: \(throttled)")
            #expect(accepted.time - refused.time >= 0.95)
            #expect(controller.errors.contains("api_retry") && controller.errors.contains("code=429"))
        }
    }

    @Test("a kubectl target: the config file's autoscaler acts through the real kubectl with the user's kubeconfig")
    func kubectlTarget() async throws {
        try await onOwnThread {
            let fixture = try KubernetesFixture.start()
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "192Mi"])
            let config = try Self.config(in: fixture.directory, extra: """
                autoscalers:
                  - name: web-kubectl
                    target: {kubectl: {kind: deployment, name: web, namespace: default, context: fixture}}
                    spec:
                      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                      minReplicas: 1
                      maxReplicas: 8
                      metrics:
                      - type: Resource
                        resource: {name: memory, target: {type: Utilization, averageUtilization: 50}}
                """)
            try fixture.resetRequests()
            // kubectl finds the user's kubeconfig in KUBECONFIG, as it would for them.
            let controller = try Self.startController(fixture, config: config, identity: "kubectl-user",
                                                      environment: ["KUBECONFIG": fixture.kubeconfig])
            defer { controller.stop() }
            // 150 % of 50 %: up from 2 to the maximum, 8.
            let scaled = try RunCommandTests.waitFor(40) { try Self.replicas(fixture) == 8 }
            #expect(scaled, "\(controller.errors)")
            let requests = try fixture.requests()
            // kubectl scale --resource-version writes the Scale with a PUT.
            let scaleWrite = requests.first { ($0["path"] as? String ?? "").hasSuffix("/deployments/web/scale") && $0["method"] as? String == "PUT" }
            let agent = scaleWrite?["userAgent"] as? String ?? ""
            #expect(agent.hasPrefix("kubectl"), "\(String(describing: scaleWrite))")
            let metricsRead = requests.contains { ($0["path"] as? String ?? "").hasPrefix("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods") }
            #expect(metricsRead)
            #expect(controller.errors.contains("INFO scaled autoscaler=web-kubectl from=2 reason=\"memory resource utilization"), "\(controller.errors)")
        }
    }

    @Test("TLS with the cluster's CA and a token file that rotates: every request after the rotation carries the new token")
    func tlsAndTokenRotation() async throws {
        try await onOwnThread {
            let certificates = try KubernetesFixture.makeCertificates(in: FileManager.default.temporaryDirectory
                .appendingPathComponent("tidepool-certs-\(UUID().uuidString)"))
            let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-token-\(UUID().uuidString)").path
            try "token-one\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let fixture = try KubernetesFixture.start(arguments: ["--token-file", tokenFile], certificates: certificates,
                                                      credentials: .clientCertificate(certificate: certificates.clientCertificate,
                                                                                      key: certificates.clientKey))
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try Self.apply(fixture, Self.autoscaler)
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "64Mi"])
            // The controller's kubeconfig: the fixture's CA, and the token file (re-read per request).
            let kubeconfig = fixture.directory.appendingPathComponent("controller-kubeconfig").path
            try """
                apiVersion: v1
                kind: Config
                current-context: fixture
                clusters: [{name: fixture, cluster: {server: "\(fixture.url)", certificate-authority: "\(certificates.authority)"}}]
                users: [{name: controller, user: {tokenFile: "\(tokenFile)"}}]
                contexts: [{name: fixture, context: {cluster: fixture, user: controller, namespace: default}}]
                """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            let controller = try Self.startController(fixture, config: try Self.config(in: fixture.directory), kubeconfig: kubeconfig,
                                                      identity: "tls")
            defer { controller.stop() }
            // 50 % of 50 %: the size it has (2) holds; the status shows the controller syncing.
            let syncing = try RunCommandTests.waitFor(30) {
                let status = KubernetesFixture.json(try fixture.kubectl(["get", "tpa", "web", "-o", "json"]).output)?["status"] as? [String: Any]
                return status?["currentReplicas"] as? Int == 2
            }
            #expect(syncing, "\(controller.errors)")
            // Rotate: the fixture accepts only the new token from now on.
            try "token-two\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try fixture.resetRequests()
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "128Mi"])
            let scaled = try RunCommandTests.waitFor(30) { (try Self.replicas(fixture) ?? 2) > 2 }
            #expect(scaled, "\(controller.errors)")
            let controllerRequests = try fixture.requests().filter { ($0["userAgent"] as? String ?? "").hasPrefix("tidepool") }
            #expect(!controllerRequests.isEmpty)
            #expect(controllerRequests.allSatisfy { $0["status"] as? Int != 401 }, "\(controllerRequests.filter { $0["status"] as? Int == 401 })")
            #expect(controllerRequests.allSatisfy { $0["auth"] as? String == "bearer" })
        }
    }

    @Test("two controllers: one leads; killed, the other takes the lease within a lease duration and scales; SIGTERM hands over at once")
    func leaderElection() async throws {
        try await onOwnThread {
            let fixture = try KubernetesFixture.start()
            defer { fixture.stop() }
            try Self.apply(fixture, Self.workload)
            try Self.apply(fixture, Self.autoscaler)
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "64Mi"])
            let config = try Self.config(in: fixture.directory)
            func holder() throws -> String? {
                let lease = KubernetesFixture.json(try fixture.kubectl(["get", "lease", "tidepool", "-o", "json"]).output)
                return ((lease?["spec"] as? [String: Any])?["holderIdentity"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            }
            var first: Child? = try Self.startController(fixture, config: config, identity: "alpha")
            #expect(try RunCommandTests.waitFor(20) { try holder() == "alpha" }, "holder \(String(describing: try? holder()))")
            let second = try Self.startController(fixture, config: config, identity: "beta")
            defer {
                first?.stop()
                second.stop()
            }
            #expect(try RunCommandTests.waitFor(20) { try holder() == "alpha" }, "holder \(String(describing: try? holder()))")
            // beta stands by: it watches, but never scales while alpha holds the lease.
            Thread.sleep(forTimeInterval: 2)
            #expect(try holder() == "alpha")
            #expect(!second.errors.contains("leader_elected"))

            // alpha dies without a word: beta waits out the 3 s lease it last saw renewed.
            let killedAt = Date()
            first?.stop(SIGKILL)
            first = nil
            #expect(try RunCommandTests.waitFor(10) { try holder() == "beta" })
            let takeover = Date().timeIntervalSince(killedAt)
            print("leadership passed \(takeover) s after the leader was killed (lease 3 s, retry 0.5 s)")
            #expect(takeover <= 3 + 0.5 * 1.2 + 1.5, "one lease duration, a retry period and the polling")
            // And the new leader acts.
            try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "memory": "128Mi"])
            #expect(try RunCommandTests.waitFor(20) { (try Self.replicas(fixture) ?? 2) > 2 }, "\(second.errors)")
            #expect(second.errors.contains("leader_elected identity=beta"))

            // A graceful stop releases the lease: a third candidate takes it within a retry period or two.
            let third = try Self.startController(fixture, config: config, identity: "gamma")
            defer { third.stop() }
            Thread.sleep(forTimeInterval: 1.5)
            let stoppedAt = Date()
            second.stop(SIGTERM)
            #expect(second.errors.contains("leader_released identity=beta"), "\(second.errors)")
            #expect(try RunCommandTests.waitFor(10) { try holder() == "gamma" })
            let handover = Date().timeIntervalSince(stoppedAt)
            print("leadership passed \(handover) s after the leader was stopped with SIGTERM")
            #expect(handover < 3, "a released lease is taken without waiting out its duration")
        }
    }
}
}
