import Foundation
import TestSupport
import Testing

/// The Kubernetes API server fixture (Tests/kubernetes) is faithful where kubectl can tell:
/// the real /usr/bin/kubectl (1.32) reads, scales, applies, validates, watches and
/// authenticates against it, and the fixture's request log shows what kubectl sent.
extension RealProcesses {
@Suite("Kubernetes API fixture, driven by the real kubectl", .serialized,
       .enabled(if: KubernetesFixture.available, "needs /usr/bin/kubectl and python3"))
struct KubernetesFixtureTests {
    typealias Fixture = KubernetesFixture

    /// The Deployment most tests start from: pods labelled app=web,tier=a, selected by a label
    /// and an expression, so the Scale's selector string shows upstream's formatting.
    static func web(replicas: Int) -> [String: Any] {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web"]],
            "spec": [
                "replicas": replicas,
                "selector": ["matchLabels": ["app": "web"],
                             "matchExpressions": [["key": "tier", "operator": "In", "values": ["b", "a"]]]],
                "template": [
                    "metadata": ["labels": ["app": "web", "tier": "a"]],
                    "spec": ["containers": [["name": "web", "image": "nginx:1.27",
                                             "resources": ["requests": ["cpu": "500m", "memory": "64Mi"]]]]],
                ],
            ],
        ]
    }

    /// The pods of `web`, as `kubectl get pods -l app=web -o json` lists them.
    static func pods(_ fixture: Fixture) throws -> [[String: Any]] {
        let listed = try fixture.kubectl(["get", "pods", "-l", "app=web", "-o", "json"])
        return Fixture.json(listed.output)?["items"] as? [[String: Any]] ?? []
    }

    static func name(_ object: [String: Any]) -> String {
        (object["metadata"] as? [String: Any])?["name"] as? String ?? ""
    }

    static func isReady(_ pod: [String: Any]) -> Bool {
        let conditions = (pod["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
        return conditions.contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }
    }

    /// Waits until `web` has `replicas` Ready pods and its status says so (the status is
    /// written just after the pods change, and moves the resourceVersion).
    static func waitForReady(_ fixture: Fixture, _ replicas: Int) throws -> Bool {
        try RunCommandTests.waitFor(20) {
            try pods(fixture).filter(isReady).count == replicas
                && fixture.kubectl(["get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}"]).output == "\(replicas)"
        }
    }

    /// A fixture (started with `arguments`) where `web` runs `replicas` Ready pods.
    static func startWithWeb(replicas: Int, arguments: [String] = []) throws -> Fixture {
        let fixture = try Fixture.start(arguments: arguments)
        do {
            try fixture.put(web(replicas: replicas))
            try #require(try waitForReady(fixture, replicas), "web did not get \(replicas) Ready pods")
        } catch {
            fixture.stop()
            throw error
        }
        return fixture
    }

    static func resourceVersion(_ fixture: Fixture, _ arguments: [String]) throws -> String {
        try fixture.kubectl(["get"] + arguments + ["-o", "jsonpath={.metadata.resourceVersion}"]).output
    }

    /// A table kubectl printed, as rows of columns.
    static func table(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    /// The lines of a watch stream (`kubectl get --raw '...?watch=true'`), each parsed.
    static func events(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { Fixture.json(String($0)) }
    }

    /// A string field of a logged request ("" when absent).
    static func text(_ entry: [String: Any]?, _ key: String) -> String {
        entry?[key] as? String ?? ""
    }

    static func writes(_ requests: [[String: Any]]) -> [[String: Any]] {
        requests.filter { ["POST", "PUT", "PATCH", "DELETE"].contains(text($0, "method")) }
    }

    @Test("kubectl get prints the deployment and its pods from server-side Tables; get -o json round-trips through replace")
    func getAndRoundTrip() async throws {
        try await onOwnThread {
            let fixture = try Self.startWithWeb(replicas: 2)
            defer { fixture.stop() }

            // kubectl's first run asked for aggregated discovery, got the legacy form and fell back to it.
            let discovery = try fixture.requests()
            #expect(discovery.contains { $0["path"] as? String == "/api" && Self.text($0, "accept").contains("as=APIGroupDiscoveryList") })
            #expect(discovery.contains { $0["path"] as? String == "/apis/apps/v1" && $0["status"] as? Int == 200 })

            try fixture.resetRequests()
            let deployments = try fixture.kubectl(["get", "deployments"])
            #expect(deployments.succeeded, "\(deployments)")
            let rows = Self.table(deployments.output)
            #expect(rows.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
            #expect(rows.count == 2 && Array(rows[1].prefix(4)) == ["web", "2/2", "2", "2"], "\(deployments.output)")
            let asked = try fixture.requests().first { $0["path"] as? String == "/apis/apps/v1/namespaces/default/deployments" }
            #expect(Self.text(asked, "accept").contains("as=Table;v=v1;g=meta.k8s.io"), "\(String(describing: asked))")

            let names = try Self.pods(fixture).map(Self.name).sorted()
            let pods = try fixture.kubectl(["get", "pods"])
            let podRows = Self.table(pods.output)
            #expect(podRows.first == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
            #expect(podRows.dropFirst().map { $0[0] }.sorted() == names, "\(pods.output)")
            #expect(podRows.dropFirst().allSatisfy { $0[1] == "1/1" && $0[2] == "Running" && $0[3] == "0" }, "\(pods.output)")
            #expect(names.allSatisfy { $0.range(of: #"^web-[a-z0-9]{5}$"#, options: .regularExpression) != nil }, "\(names)")

            // -o json prints the object as the server holds it; replace sends it back.
            let printed = try fixture.kubectl(["get", "deployment", "web", "-o", "json"])
            let object = try #require(Fixture.json(printed.output), "\(printed)")
            let raw = try #require(Fixture.json(try fixture.kubectl(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web"]).output))
            #expect(NSDictionary(dictionary: object).isEqual(to: raw))
            #expect((object["spec"] as? [String: Any])?["replicas"] as? Int == 2)
            // Replace it with one replica more; the same file again then carries a resourceVersion
            // that is no longer current. (Replacing with no change would not move it: as upstream,
            // a write that changes nothing is not stored.)
            var edited = object
            edited["spec"] = (object["spec"] as? [String: Any] ?? [:]).merging(["replicas": 3]) { _, new in new }
            let file = fixture.directory.appendingPathComponent("web.json")
            try JSONSerialization.data(withJSONObject: edited).write(to: file)
            try fixture.resetRequests()
            let replaced = try fixture.kubectl(["replace", "-f", file.path])
            #expect(replaced.succeeded && replaced.output.contains("deployment.apps/web replaced"), "\(replaced)")
            let put = try #require(Self.writes(try fixture.requests()).first)
            #expect(put["method"] as? String == "PUT" && put["path"] as? String == "/apis/apps/v1/namespaces/default/deployments/web")
            let sentVersion = ((put["body"] as? [String: Any])?["metadata"] as? [String: Any])?["resourceVersion"] as? String
            #expect(sentVersion == (object["metadata"] as? [String: Any])?["resourceVersion"] as? String)
            #expect(try RunCommandTests.waitFor(20) { try Self.pods(fixture).count == 3 })
            let again = try fixture.kubectl(["replace", "-f", file.path])
            #expect(!again.succeeded)
            #expect(again.errors.contains(#"Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again"#), "\(again)")
        }
    }

    @Test("kubectl scale: pods follow; a stale --resource-version stops in kubectl; the server's Conflict reaches kubectl patch; a 409 on the Scale is retried")
    func scale() async throws {
        try await onOwnThread {
            let fixture = try Self.startWithWeb(replicas: 2)
            defer { fixture.stop() }
            let stale = try Self.resourceVersion(fixture, ["deployment", "web"])

            try fixture.resetRequests()
            let scaled = try fixture.kubectl(["scale", "deployment", "web", "--replicas=4"])
            #expect(scaled.succeeded && scaled.output.contains("deployment.apps/web scaled"), "\(scaled)")
            let patch = try #require(Self.writes(try fixture.requests()).first)
            #expect(patch["method"] as? String == "PATCH" && patch["path"] as? String == "/apis/apps/v1/namespaces/default/deployments/web/scale")
            #expect(patch["contentType"] as? String == "application/merge-patch+json")
            #expect(NSDictionary(dictionary: patch["body"] as? [String: Any] ?? [:]).isEqual(to: ["spec": ["replicas": 4]]))
            #expect(try Self.waitForReady(fixture, 4))
            #expect(try Self.pods(fixture).allSatisfy { ($0["status"] as? [String: Any])?["phase"] as? String == "Running" })

            // kubectl checks --resource-version itself, against the Scale it reads first.
            try fixture.resetRequests()
            let refused = try fixture.kubectl(["scale", "deployment", "web", "--replicas=1", "--resource-version=\(stale)"])
            let current = try Self.resourceVersion(fixture, ["deployment", "web"])
            #expect(!refused.succeeded)
            #expect(refused.errors.contains("Expected resource version to be \(stale), was \(current)"), "\(refused)")
            #expect(Self.writes(try fixture.requests()).isEmpty)

            // A write with the stale resourceVersion gets the server's own Conflict.
            let conflict = try fixture.kubectl(["patch", "deployment", "web", "--subresource=scale", "--type=merge",
                                                "-p", #"{"metadata":{"resourceVersion":"\#(stale)"},"spec":{"replicas":1}}"#])
            #expect(!conflict.succeeded)
            #expect(conflict.errors.contains(#"Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again"#), "\(conflict)")
            let scaleNow = Fixture.json(try fixture.kubectl(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web/scale"]).output)
            #expect((scaleNow?["spec"] as? [String: Any])?["replicas"] as? Int == 4)

            // --current-replicas: GET the Scale, PUT it back; a 409 there is retried.
            try fixture.control("/fixture/faults", ["method": "PUT", "pathSuffix": "/scale", "status": 409, "count": 1])
            try fixture.resetRequests()
            let retried = try fixture.kubectl(["scale", "deployment", "web", "--current-replicas=4", "--replicas=3"])
            #expect(retried.succeeded, "\(retried)")
            let puts = Self.writes(try fixture.requests())
            #expect(puts.map { $0["status"] as? Int } == [409, 200], "\(puts)")
            let sent = try #require(puts.last?["body"] as? [String: Any])
            #expect(sent["kind"] as? String == "Scale" && sent["apiVersion"] as? String == "autoscaling/v1")
            #expect((sent["spec"] as? [String: Any])?["replicas"] as? Int == 3)
            #expect(try RunCommandTests.waitFor(20) { try Self.pods(fixture).count == 3 })
        }
    }

    @Test("get --raw: the Scale with upstream's selector string; PodMetrics with the usage set through /fixture/usage")
    func scaleAndMetrics() async throws {
        try await onOwnThread {
            let fixture = try Self.startWithWeb(replicas: 3)
            defer { fixture.stop() }

            let scale = try #require(Fixture.json(try fixture.kubectl(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web/scale"]).output))
            #expect(scale["kind"] as? String == "Scale" && scale["apiVersion"] as? String == "autoscaling/v1")
            #expect((scale["metadata"] as? [String: Any])?["name"] as? String == "web")
            #expect((scale["spec"] as? [String: Any])?["replicas"] as? Int == 3)
            #expect((scale["status"] as? [String: Any])?["replicas"] as? Int == 3)
            #expect((scale["status"] as? [String: Any])?["selector"] as? String == "app=web,tier in (a,b)")

            let names = try Self.pods(fixture).map(Self.name).sorted()
            let matched = try fixture.control("/fixture/usage", ["namespace": "default", "selector": "app=web", "cpu": "800m", "memory": "100Mi"])
            #expect(((matched as? [String: Any])?["matchedPods"] as? [String])?.sorted() == names)
            try fixture.control("/fixture/usage", ["namespace": "default", "pod": names[0], "cpu": "1200m"])

            let listed = try fixture.kubectl(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb"])
            let metrics = try #require(Fixture.json(listed.output), "\(listed)")
            #expect(metrics["kind"] as? String == "PodMetricsList")
            let items = metrics["items"] as? [[String: Any]] ?? []
            #expect(items.map(Self.name).sorted() == names)
            for item in items {
                #expect(item["kind"] as? String == "PodMetrics" && item["window"] as? String == "30s")
                let containers = item["containers"] as? [[String: Any]] ?? []
                let usage = containers.first?["usage"] as? [String: String]
                #expect(containers.count == 1 && containers.first?["name"] as? String == "web")
                #expect(usage == ["cpu": Self.name(item) == names[0] ? "1200m" : "800m", "memory": "100Mi"], "\(item)")
            }
            let one = Fixture.json(try fixture.kubectl(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/\(names[1])"]).output)
            #expect(one?["kind"] as? String == "PodMetrics" && one.map(Self.name) == names[1])
            let missing = try fixture.kubectl(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope"])
            #expect(!missing.succeeded && missing.errors.contains("NotFound"), "\(missing)")

            let top = try fixture.kubectl(["top", "pod", "-l", "app=web"])
            let topRows = Self.table(top.output)
            #expect(topRows.first == ["NAME", "CPU(cores)", "MEMORY(bytes)"], "\(top)")
            #expect(Set(topRows.dropFirst().map { [$0[0], $0[1], $0[2]] }) == Set(names.map { [$0, $0 == names[0] ? "1200m" : "800m", "100Mi"] }))

            // The selector rule also covers pods created after it.
            #expect(try fixture.kubectl(["scale", "deployment", "web", "--replicas=4"]).succeeded)
            #expect(try RunCommandTests.waitFor(20) { try Self.pods(fixture).count == 4 })
            let newest = try #require(try Self.pods(fixture).map(Self.name).first { !names.contains($0) })
            let added = Fixture.json(try fixture.kubectl(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/\(newest)"]).output)
            #expect(((added?["containers"] as? [[String: Any]])?.first?["usage"] as? [String: String])?["cpu"] == "800m")
        }
    }

    /// Every object in manifests/, as kubectl names it.
    static let manifestObjects = [
        "namespace/tidepool-system", "serviceaccount/tidepool",
        "customresourcedefinition.apiextensions.k8s.io/tidepoolautoscalers.tidepool.dev",
        "clusterrole.rbac.authorization.k8s.io/tidepool", "clusterrolebinding.rbac.authorization.k8s.io/tidepool",
        "role.rbac.authorization.k8s.io/tidepool-leader-election", "rolebinding.rbac.authorization.k8s.io/tidepool-leader-election",
        "configmap/tidepool-config", "deployment.apps/tidepool", "service/tidepool-metrics",
        "namespace/mcp-server-langgraph", "tidepoolautoscaler.tidepool.dev/mcp-server-langgraph",
    ]

    /// A Deployment with a misspelt field and a TidepoolAutoscaler with a string for an integer.
    static func brokenCopies(in directory: URL) throws -> (deployment: String, autoscaler: String) {
        let deployment = try String(contentsOfFile: Fixture.manifests + "/04-deployment.yaml", encoding: .utf8)
            .replacingOccurrences(of: "          image: ghcr.io/tidepool-dev/tidepool:0.1.0\n",
                                  with: "          image: ghcr.io/tidepool-dev/tidepool:0.1.0\n          imagePullPolicyy: Always\n")
        let autoscaler = try String(contentsOfFile: Fixture.manifests + "/examples/mcp-server-langgraph.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  minReplicas: 3\n  maxReplicas: 10\n", with: "  minReplicas: 3\n  maxReplicas: \"ten\"\n")
        let paths = (directory.appendingPathComponent("broken-deployment.yaml").path, directory.appendingPathComponent("broken-tpa.yaml").path)
        try deployment.write(toFile: paths.0, atomically: true, encoding: .utf8)
        try autoscaler.write(toFile: paths.1, atomically: true, encoding: .utf8)
        #expect(deployment.contains("imagePullPolicyy") && autoscaler.contains(#"maxReplicas: "ten""#))
        return paths
    }

    @Test("apply --dry-run=client accepts every manifest; broken copies are refused by the server's field validation, and by kubectl's own where the server has none")
    func dryRunAndValidation() async throws {
        try await onOwnThread {
            let fixture = try Fixture.start()
            defer { fixture.stop() }
            let dryRun = try fixture.kubectl(["apply", "--dry-run=client", "-f", Fixture.manifests, "-R"])
            #expect(dryRun.succeeded, "\(dryRun)")
            for object in Self.manifestObjects {
                #expect(dryRun.output.contains("\(object) created (dry run)"), "\(object) in \(dryRun.output)")
            }
            // kubectl's default validation looked for fieldValidation in each kind's OpenAPI v3
            // PATCH operation, found it, and so left validating to the server: nothing written.
            var requests = try fixture.requests()
            #expect(Self.writes(requests).isEmpty)
            #expect(requests.contains { $0["path"] as? String == "/openapi/v3" && $0["status"] as? Int == 200 })
            #expect(requests.contains { $0["path"] as? String == "/openapi/v3/apis/apps/v1" && Self.text($0, "query").contains("hash=") })
            #expect(requests.contains { $0["path"] as? String == "/openapi/v3/apis/tidepool.dev/v1alpha1" })
            #expect(!requests.contains { $0["path"] as? String == "/openapi/v2" })

            let broken = try Self.brokenCopies(in: fixture.directory)
            // As against any 1.27+ server, a client dry run checks no schema...
            #expect(try fixture.kubectl(["apply", "--dry-run=client", "-f", broken.deployment]).succeeded)
            // ...and the server refuses the broken copies: a strict decoding error, a schema error.
            #expect(try fixture.kubectl(["apply", "-f", Fixture.manifests + "/00-namespace.yaml", "-f", Fixture.manifests + "/01-crd.yaml"]).succeeded)
            #expect(try fixture.kubectl(["create", "namespace", "mcp-server-langgraph"]).succeeded)
            try fixture.resetRequests()
            let deployment = try fixture.kubectl(["apply", "--dry-run=server", "-f", broken.deployment])
            #expect(!deployment.succeeded)
            #expect(deployment.errors.contains(#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy""#), "\(deployment)")
            let autoscaler = try fixture.kubectl(["apply", "--dry-run=server", "-f", broken.autoscaler])
            #expect(!autoscaler.succeeded)
            #expect(autoscaler.errors.contains(#"The TidepoolAutoscaler "mcp-server-langgraph" is invalid: spec.maxReplicas: Invalid value: "string": spec.maxReplicas in body must be of type integer: "string""#), "\(autoscaler)")
            // (The Deployment's file also holds the metrics Service, which passes.)
            requests = Self.writes(try fixture.requests()).filter { $0["method"] as? String == "POST" }
            #expect(requests.map { "\(Self.text($0, "path")) \($0["status"] as? Int ?? 0)" } == [
                "/apis/apps/v1/namespaces/tidepool-system/deployments 400", "/api/v1/namespaces/tidepool-system/services 201",
                "/apis/tidepool.dev/v1alpha1/namespaces/mcp-server-langgraph/tidepoolautoscalers 422"])
            #expect(requests.allSatisfy { Self.text($0, "query").contains("dryRun=All") && Self.text($0, "query").contains("fieldValidation=Strict") })
            #expect(try fixture.kubectl(["get", "tpa", "-A", "-o", "name"]).output.isEmpty)

            // A server without field validation: kubectl validates against /openapi/v2 itself.
            let older = try Fixture.start(arguments: ["--no-field-validation"])
            defer { older.stop() }
            #expect(try older.kubectl(["apply", "-f", Fixture.manifests + "/01-crd.yaml"]).succeeded)
            let olderDryRun = try older.kubectl(["apply", "--dry-run=client", "-f", Fixture.manifests, "-R"])
            #expect(olderDryRun.succeeded, "\(olderDryRun)")
            #expect(olderDryRun.output.contains("tidepoolautoscaler.tidepool.dev/mcp-server-langgraph created (dry run)"))
            #expect(try older.requests().contains {
                $0["path"] as? String == "/openapi/v2" && Self.text($0, "accept").contains("protobuf") && $0["status"] as? Int == 200
            })
            try older.resetRequests()
            let clientDeployment = try older.kubectl(["apply", "--dry-run=client", "-f", broken.deployment])
            #expect(!clientDeployment.succeeded)
            #expect(clientDeployment.errors.contains(#"unknown field "imagePullPolicyy" in io.k8s.api.core.v1.Container"#), "\(clientDeployment)")
            let clientAutoscaler = try older.kubectl(["apply", "--dry-run=client", "-f", broken.autoscaler])
            #expect(!clientAutoscaler.succeeded)
            #expect(clientAutoscaler.errors.contains(#"invalid type for dev.tidepool.v1alpha1.TidepoolAutoscaler.spec.maxReplicas: got "string", expected "integer""#), "\(clientAutoscaler)")
            #expect(Self.writes(try older.requests()).isEmpty)
        }
    }

    @Test("apply the manifests for real: get tpa -A lists the example, the controller's pods run, a second apply changes nothing")
    func applyForReal() async throws {
        try await onOwnThread {
            let fixture = try Fixture.start()
            defer { fixture.stop() }
            let applied = try fixture.kubectl(["apply", "-f", Fixture.manifests, "-R"])
            #expect(applied.succeeded, "\(applied)")
            for object in Self.manifestObjects {
                #expect(applied.output.contains("\(object) created"), "\(object) in \(applied.output)")
            }

            let listed = try fixture.kubectl(["get", "tpa", "-A"])
            let rows = Self.table(listed.output)
            #expect(rows.first == ["NAMESPACE", "NAME", "TARGET", "MIN", "MAX", "CURRENT", "DESIRED", "AGE"], "\(listed)")
            #expect(rows.count == 2 && Array(rows[1].prefix(5)) == ["mcp-server-langgraph", "mcp-server-langgraph", "mcp-server-langgraph", "3", "10"], "\(listed)")

            let json = try #require(Fixture.json(try fixture.kubectl(["get", "tidepoolautoscalers", "-A", "-o", "json"]).output))
            let items = json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            let autoscaler = try #require(items.first)
            #expect(autoscaler["apiVersion"] as? String == "tidepool.dev/v1alpha1" && autoscaler["kind"] as? String == "TidepoolAutoscaler")
            let spec = autoscaler["spec"] as? [String: Any] ?? [:]
            #expect(spec["minReplicas"] as? Int == 3 && spec["maxReplicas"] as? Int == 10)
            #expect((spec["scaleTargetRef"] as? [String: String]) == ["apiVersion": "apps/v1", "kind": "Deployment", "name": "mcp-server-langgraph"])
            let metrics = spec["metrics"] as? [[String: Any]] ?? []
            #expect(metrics.compactMap { ($0["resource"] as? [String: Any])?["name"] as? String } == ["cpu", "memory"])
            let schedules = spec["schedules"] as? [[String: Any]] ?? []
            #expect(schedules.map { "\($0["name"] ?? "") \($0["start"] ?? "") \($0["end"] ?? "") \($0["minReplicas"] ?? "")-\($0["maxReplicas"] ?? "")" }
                    == ["night 0 0 * * * 0 8 * * * 1-1", "morning 0 8 * * * 0 9 * * * 5-10"])

            // The controller's Deployment runs two pods as the tidepool service account.
            #expect(try RunCommandTests.waitFor(20) {
                let pods = Fixture.json(try fixture.kubectl(["get", "pods", "-n", "tidepool-system", "-o", "json"]).output)?["items"] as? [[String: Any]] ?? []
                return pods.count == 2 && pods.allSatisfy { ($0["spec"] as? [String: Any])?["serviceAccountName"] as? String == "tidepool" }
            })

            try fixture.resetRequests()
            let again = try fixture.kubectl(["apply", "-f", Fixture.manifests, "-R"])
            #expect(again.succeeded, "\(again)")
            for object in Self.manifestObjects {
                #expect(again.output.contains("\(object) unchanged"), "\(object) in \(again.output)")
            }
            #expect(Self.writes(try fixture.requests()).isEmpty)
        }
    }

    @Test("authentication: a bearer token (its file re-read) or a client certificate over TLS; none, a rotated one, and plain HTTP fail with 401")
    func authentication() async throws {
        try await onOwnThread {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-tls-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let certificates = try Fixture.makeCertificates(in: directory)
            let tokenFile = directory.appendingPathComponent("token").path
            try "first-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let fixture = try Fixture.start(arguments: ["--token-file", tokenFile], certificates: certificates, credentials: .token("first-token"))
            defer { fixture.stop() }
            #expect(fixture.url == "https://127.0.0.1:\(fixture.port)")

            let withToken = try fixture.kubectl(["get", "namespaces"])
            #expect(withToken.succeeded && withToken.output.contains("kube-system"), "\(withToken)")
            var requests = try fixture.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0["auth"] as? String == "bearer" && $0["status"] as? Int == 200 })

            let certificateUser = try fixture.writeKubeconfig(named: "certificate",
                credentials: .clientCertificate(certificate: certificates.clientCertificate, key: certificates.clientKey))
            try fixture.resetRequests()
            let withCertificate = try fixture.kubectl(["get", "namespaces"], kubeconfig: certificateUser)
            #expect(withCertificate.succeeded && withCertificate.output.contains("default"), "\(withCertificate)")
            requests = try fixture.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0["auth"] as? String == "client-certificate" })

            // The token file is read on every request: the old token stops working at once.
            try "second-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let rotated = try fixture.kubectl(["get", "namespaces"])
            #expect(!rotated.succeeded)
            #expect(rotated.errors.contains("You must be logged in to the server (Unauthorized)"), "\(rotated)")
            let newUser = try fixture.writeKubeconfig(named: "new-token", credentials: .token("second-token"))
            #expect(try fixture.kubectl(["get", "namespaces"], kubeconfig: newUser).succeeded)

            // No credentials: kubectl would prompt for a username (its standard input is empty).
            let anonymous = try fixture.writeKubeconfig(named: "anonymous", credentials: .none)
            try fixture.resetRequests()
            #expect(!(try fixture.kubectl(["get", "namespaces"], kubeconfig: anonymous).succeeded))
            requests = try fixture.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0["auth"] is NSNull && $0["status"] as? Int == 401 }, "\(requests)")

            // Over plain HTTP kubectl does not send its token at all; the fixture would take it.
            let plain = try Fixture.start(arguments: ["--token", "plain-token"], credentials: .token("plain-token"))
            defer { plain.stop() }
            let overHTTP = try plain.kubectl(["get", "namespaces"])
            #expect(!overHTTP.succeeded && overHTTP.errors.contains("You must be logged in to the server"), "\(overHTTP)")
            requests = try plain.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0["auth"] is NSNull && $0["status"] as? Int == 401 })
            let byHand = try RunCommandTests.curl(["-H", "Authorization: Bearer plain-token", plain.url + "/api/v1/namespaces/default"])
            #expect(byHand.hasPrefix("HTTP/1.1 200"), "\(byHand)")
        }
    }

    @Test("watch: kubectl get --watch sees a scale; raw watch events, pods turning Ready after the delay; 410 Expired after compaction")
    func watch() async throws {
        try await onOwnThread {
            let fixture = try Self.startWithWeb(replicas: 1, arguments: ["--ready-delay-s", "2"])
            defer { fixture.stop() }

            let watching = try fixture.startKubectl(["get", "deployments", "--watch", "--request-timeout=5s"])
            #expect(try RunCommandTests.waitFor(10) { watching.output.contains("web") })
            #expect(try fixture.kubectl(["scale", "deployment", "web", "--replicas=3"]).succeeded)
            let watched = watching.wait(timeout: 30)
            #expect(!watched.timedOut)
            let rows = Self.table(watched.output)
            #expect(rows.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], "\(watched)")
            #expect(rows.dropFirst().first.map { Array($0.prefix(2)) } == ["web", "1/1"], "\(watched)")
            #expect(rows.dropFirst(2).contains { $0.first == "web" && $0.count > 1 && $0[1].hasSuffix("/3") }, "\(watched)")

            // Raw streams from a resourceVersion: the deployment's change, a new pod's life.
            #expect(try Self.waitForReady(fixture, 3))
            let version = try Self.resourceVersion(fixture, ["deployment", "web"])
            // The server's list carries its resourceVersion (kubectl's -o json List has none).
            let podList = Fixture.json(try fixture.kubectl(["get", "--raw", "/api/v1/namespaces/default/pods"]).output)
            let podsVersion = try #require((podList?["metadata"] as? [String: Any])?["resourceVersion"] as? String)
            let deploymentStream = try fixture.startKubectl(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments?watch=true&timeoutSeconds=3&resourceVersion=\(version)"])
            let podStream = try fixture.startKubectl(["get", "--raw", "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&timeoutSeconds=7&resourceVersion=\(podsVersion)"])
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try fixture.kubectl(["scale", "deployment", "web", "--replicas=4"]).succeeded)
            let deploymentEvents = Self.events(deploymentStream.wait(timeout: 30).output)
            #expect(deploymentEvents.contains {
                $0["type"] as? String == "MODIFIED" && (($0["object"] as? [String: Any])?["spec"] as? [String: Any])?["replicas"] as? Int == 4
            }, "\(deploymentEvents)")
            let podEvents = Self.events(podStream.wait(timeout: 30).output)
            let added = try #require(podEvents.first { $0["type"] as? String == "ADDED" }, "\(podEvents)")
            let newPod = Self.name(added["object"] as? [String: Any] ?? [:])
            let lifecycle = podEvents.filter { Self.name($0["object"] as? [String: Any] ?? [:]) == newPod }.map { event in
                let pod = event["object"] as? [String: Any] ?? [:]
                let phase = (pod["status"] as? [String: Any])?["phase"] as? String ?? "Pending"
                return "\(event["type"] as? String ?? "") \(phase) \(Self.isReady(pod) ? "ready" : "unready")"
            }
            #expect(lifecycle == ["ADDED Pending unready", "MODIFIED Running unready", "MODIFIED Running ready"], "\(lifecycle)")

            // After compaction, a watch from an old resourceVersion gets 410 Expired.
            let compacted = try fixture.control("/fixture/compact", [String: Any]()) as? [String: Any]
            let newest = compacted?["compactedResourceVersion"] as? String ?? ""
            let expired = try fixture.kubectl(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments?watch=true&timeoutSeconds=2&resourceVersion=\(version)"])
            let events = Self.events(expired.output)
            #expect(events.count == 1, "\(expired)")
            let status = events.first?["object"] as? [String: Any] ?? [:]
            #expect(events.first?["type"] as? String == "ERROR")
            #expect(status["kind"] as? String == "Status" && status["code"] as? Int == 410 && status["reason"] as? String == "Expired")
            #expect(status["message"] as? String == "too old resource version: \(version) (\(newest))")
        }
    }
}
}
