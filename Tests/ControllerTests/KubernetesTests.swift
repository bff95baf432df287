@testable import Controller
import Foundation
import Scaler
import Testing

@Suite("Kubernetes: connection, objects, the custom resource")
struct KubernetesTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "tidepool-k8s-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func parse(_ yaml: String) throws -> JSONValue {
        let directory = try temporaryDirectory()
        let path = directory + "/document.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try DocumentLoader.load(path)
    }

    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: local
          cluster:
            server: https://127.0.0.1:6443/
            certificate-authority-data: \(Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString())
        - name: other
          cluster:
            server: http://127.0.0.1:8001
            insecure-skip-tls-verify: true
        users:
        - name: alice
          user:
            token: s3cret
        - name: bob
          user:
            client-certificate: certs/bob.crt
            client-key-data: \(Data("KEY".utf8).base64EncodedString())
        - name: carol
          user:
            exec: {command: aws, args: [eks, get-token]}
        contexts:
        - name: dev
          context: {cluster: local, user: alice, namespace: team-a}
        - name: ops
          context: {cluster: other, user: bob}
        - name: cloud
          context: {cluster: local, user: carol}
        """

    @Test func kubeconfigCurrentContextWithToken() throws {
        let document = try Self.parse(Self.kubeconfig)
        let connection = try KubernetesConnection.decodeKubeconfig(document, context: nil, directory: "/etc/kube", path: "/etc/kube/config")
        #expect(connection.server == "https://127.0.0.1:6443")
        #expect(connection.credentials == .token("s3cret"))
        #expect(connection.namespace == "team-a")
        #expect(String(decoding: connection.certificateAuthorityPEM ?? [], as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(connection.insecureSkipTLSVerify == false)
        #expect(connection.origin == "kubeconfig /etc/kube/config (context dev)")
    }

    @Test func kubeconfigOtherContextWithClientCertificateFileRelativeToTheKubeconfig() throws {
        let directory = try Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
        try "CERT".write(toFile: directory + "/certs/bob.crt", atomically: true, encoding: .utf8)
        let document = try Self.parse(Self.kubeconfig)
        let connection = try KubernetesConnection.decodeKubeconfig(document, context: "ops", directory: directory, path: directory + "/config")
        #expect(connection.server == "http://127.0.0.1:8001")
        #expect(connection.insecureSkipTLSVerify)
        #expect(connection.credentials == .clientCertificate(certificatePEM: Array("CERT".utf8), keyPEM: Array("KEY".utf8)))
        #expect(connection.namespace == "default")
    }

    @Test func kubeconfigErrorsNameWhatIsWrong() throws {
        let document = try Self.parse(Self.kubeconfig)
        #expect {
            try KubernetesConnection.decodeKubeconfig(document, context: "prod", directory: "/", path: "/config")
        } throws: { error in
            "\(error)".contains("no context named \"prod\" (found: dev, ops, cloud)")
        }
        #expect {
            try KubernetesConnection.decodeKubeconfig(document, context: "cloud", directory: "/", path: "/config")
        } throws: { error in
            "\(error)".contains("exec or auth-provider plugin")
        }
        #expect {
            try KubernetesConnection.decodeKubeconfig(document, context: "ops", directory: "/nowhere", path: "/nowhere/config")
        } throws: { error in
            (error as? CaseError)?.path == "users.bob.client-certificate"
        }
    }

    @Test func inClusterReadsTheServiceAccountAndTheEnvironment() throws {
        let directory = try Self.temporaryDirectory()
        try "token-1\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "CA".write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        try "tidepool-system\n".write(toFile: directory + "/namespace", atomically: true, encoding: .utf8)
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let connection = try KubernetesConnection.resolve(kubeconfig: nil, environment: environment, serviceAccountDirectory: directory)
        #expect(connection.server == "https://[fd00::1]:443")
        #expect(connection.credentials == .tokenFile(directory + "/token"))
        #expect(connection.certificateAuthorityPEM == Array("CA".utf8))
        #expect(connection.namespace == "tidepool-system")
        #expect(connection.origin == "in-cluster")

        // An explicit kubeconfig wins over the pod's account; a missing one is named.
        #expect {
            try KubernetesConnection.resolve(kubeconfig: directory + "/missing", environment: environment, serviceAccountDirectory: directory)
        } throws: { error in
            "\(error)".contains("missing: no such file")
        }
        // Outside a pod, without a kubeconfig anywhere: a clear message.
        #expect {
            try KubernetesConnection.resolve(kubeconfig: nil, environment: [:], serviceAccountDirectory: directory)
        } throws: { error in
            "\(error)".contains("not running in a pod")
        }
    }

    @Test func podsReadAsTheReplicaCalculatorSeesThem() throws {
        let pod = try Self.parse("""
            metadata: {name: web-1, deletionTimestamp: "2026-12-03T10:00:05Z"}
            spec:
              initContainers:
              - {name: proxy, restartPolicy: Always, resources: {requests: {cpu: 100m}}}
              - {name: migrate, resources: {requests: {cpu: "1"}}}
              containers:
              - {name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}
            status:
              phase: Running
              startTime: "2026-12-03T09:00:00Z"
              conditions:
              - {type: PodScheduled, status: "True", lastTransitionTime: "2026-12-03T08:59:00Z"}
              - {type: Ready, status: "False", lastTransitionTime: "2026-12-03T09:00:20Z"}
            """)
        let parsed = try #require(KubernetesObjects.pod(pod))
        #expect(parsed.name == "web-1")
        #expect(parsed.phase == .running)
        #expect(parsed.deleted)
        #expect(parsed.ready == false)
        #expect(parsed.readyTransitionTime == Timestamp(rfc3339: "2026-12-03T09:00:20Z"))
        #expect(parsed.startTime == Timestamp(rfc3339: "2026-12-03T09:00:00Z"))
        #expect(parsed.containers == [Container(name: "app", requests: ["cpu": 500, "memory": 268_435_456_000])])
        #expect(parsed.initContainers.map(\.restartPolicy) == ["Always", nil])

        let pending = try #require(KubernetesObjects.pod(try Self.parse("metadata: {name: web-2}")))
        #expect(pending.phase == .pending)
        #expect(pending.ready == nil)
        #expect(pending.startTime == nil)
    }

    @Test func scaleSubresourceAndItsSelector() throws {
        let scale = try KubernetesObjects.scale(try Self.parse("""
            {kind: Scale, apiVersion: autoscaling/v1, metadata: {name: web, resourceVersion: "42"},
             spec: {replicas: 3}, status: {replicas: 2, selector: "app=web,tier=front"}}
            """))
        #expect(scale.specReplicas == 3)
        #expect(scale.statusReplicas == 2)
        #expect(scale.selector == "app=web,tier=front")
        #expect(scale.resourceVersion == "42")
        #expect(throws: ScaleTargetError.self) { try KubernetesObjects.scale(try Self.parse("{kind: Status, code: 404}")) }
    }

    @Test func podMetricsSumOverContainersAndAPodMissingOneIsMissing() throws {
        let item = try Self.parse("""
            metadata: {name: web-1}
            timestamp: "2026-12-03T10:00:00Z"
            window: 30s
            containers:
            - {name: app, usage: {cpu: 250m, memory: 64Mi}}
            - {name: proxy, usage: {cpu: 50m}}
            """)
        let (pod, usage) = try #require(KubernetesObjects.podUsage(item))
        #expect(pod == "web-1")
        #expect(usage.window == TimeSpan(nanoseconds: 30_000_000_000))
        #expect(usage.value(of: "cpu", container: nil) == 300)
        #expect(usage.value(of: "memory", container: nil) == nil)
        #expect(usage.value(of: "memory", container: "app") == 67_108_864_000)

        let observation = MetricGatherer.resourceValues("cpu", container: nil, from: .success(["web-1": usage]))
        #expect(observation == .podValues([PodValue(pod: "web-1", sample: PodSample(milliValue: 300, timestamp: usage.timestamp, window: usage.window))]))
        #expect(MetricGatherer.resourceValues("cpu", container: nil, from: .failure(ScaleTargetError("metrics API down")))
            == .error("metrics API down"))
        #expect(MetricGatherer.resourceValues("memory", container: nil, from: .success(["web-1": usage]))
            == .error("no memory metrics returned from the resource metrics API"))
    }

    static let resource = """
        apiVersion: tidepool.dev/v1alpha1
        kind: TidepoolAutoscaler
        metadata: {name: langgraph, namespace: mcp, uid: u-1, generation: 3}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: mcp-server-langgraph}
          minReplicas: 3
          maxReplicas: 10
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
          - type: External
            external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "30"}}
          metricSources:
            queue_depth: {prometheus: {url: "http://prometheus:9090", query: "sum(queue_depth)"}}
          schedules:
          - {name: night, start: "0 0 * * *", end: "0 8 * * *", timezone: UTC, minReplicas: 1, maxReplicas: 1}
        """

    @Test func customResourceBecomesAnAutoscaler() throws {
        let decoded = try AutoscalerResource.decode(try Self.parse(Self.resource))
        #expect(decoded.identity.key == "mcp/langgraph")
        #expect(decoded.uid == "u-1")
        #expect(decoded.generation == 3)
        #expect(decoded.config.name == "mcp/langgraph")
        #expect(decoded.config.target == .kubernetes(apiVersion: "apps/v1", kind: "Deployment", name: "mcp-server-langgraph", namespace: "mcp"))
        #expect(decoded.config.spec.minReplicas == 3)
        #expect(decoded.config.spec.maxReplicas == 10)
        #expect(decoded.config.spec.metrics.count == 2)
        #expect(decoded.config.metricSources["queue_depth"] == .prometheus(url: "http://prometheus:9090", query: "sum(queue_depth)"))
        #expect(decoded.config.schedules != nil)
    }

    @Test func customResourceErrorsNameTheField() throws {
        func error(_ replace: String, with replacement: String) throws -> String {
            let text = Self.resource.replacingOccurrences(of: replace, with: replacement)
            let document = try Self.parse(text)
            do {
                _ = try AutoscalerResource.decode(document)
                return "accepted"
            } catch {
                return "\(error.path): \(error.message)"
            }
        }
        #expect(try error("maxReplicas: 10", with: "maxReplicas: ten").hasPrefix("spec.maxReplicas"))
        #expect(try error("queue_depth: {prometheus", with: "other: {prometheus").contains("no source under metrics.queue_depth"))
        #expect(try error("kind: Deployment, ", with: "").hasPrefix("spec.scaleTargetRef"))
        #expect(try error("timezone: UTC", with: "timezone: Mars/Olympus").hasPrefix("spec.schedules[0]"))
    }

    @Test func statusCarriesTheHPAFieldsAndTheExplanation() throws {
        let entry = try Self.parse("""
            {name: mcp/langgraph, target: Deployment/mcp/web, lastSyncTime: "2026-12-03T10:00:00Z", minReplicas: 3, maxReplicas: 10,
             currentReplicas: 3, desiredReplicas: 5, recommendation: 5, reason: cpu above target, lastScaleTime: null,
             conditions: [{type: AbleToScale, status: "True", reason: SucceededRescale, message: ok}],
             currentMetrics: [], explanation: [cpu is 140% of its 70% target], schedule: {active: null, next: null, nextChange: null}, error: null}
            """)
        let status = AutoscalerResource.status(from: entry, observedGeneration: 3)
        guard case .object(let object) = status else { Issue.record("not an object"); return }
        #expect(object.keys == ["observedGeneration", "lastSyncTime", "currentReplicas", "desiredReplicas", "lastScaleTime",
                                "currentMetrics", "conditions", "explanation", "schedule", "error"])
        #expect(status["desiredReplicas"] == .number("5"))
        #expect(status["observedGeneration"] == .number("3"))
    }

    @Test func leaderElectionSettingsKeepClientGoInvariants() throws {
        let defaults = try #require(try LeaderElectionSettings.decode(try Self.parse("{}")))
        #expect(defaults.leaseDuration == .seconds(15))
        #expect(defaults.renewDeadline == .seconds(10))
        #expect(defaults.retryPeriod == .seconds(2))
        #expect(try LeaderElectionSettings.decode(try Self.parse("{enabled: false}")) == nil)
        let fast = try #require(try LeaderElectionSettings.decode(try Self.parse("{lease_duration_s: 3, renew_deadline_s: 2, retry_period_s: 0.5}")))
        #expect(fast.retryPeriod == .milliseconds(500))
        #expect(throws: CaseError.self) { try LeaderElectionSettings.decode(try Self.parse("{lease_duration_s: 5, renew_deadline_s: 10}")) }
        #expect(throws: CaseError.self) { try LeaderElectionSettings.decode(try Self.parse("{renew_deadline_s: 2, retry_period_s: 2}")) }
        #expect(throws: CaseError.self) { try LeaderElectionSettings.decode(try Self.parse("{lease_name: x, holder: y}")) }
    }

    @Test func leaseTimesAreMicroTime() {
        let time = Timestamp(nanosecondsSinceEpoch: 1_796_292_000_123_456_789)
        #expect(LeaderElector.microTime(time) == "2026-12-03T10:00:00.123456Z")
    }

    @Test func workloadPaths() {
        let deployment = WorkloadReference(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "prod")
        #expect(deployment.groupVersionPath == "/apis/apps/v1")
        #expect(deployment.description == "Deployment/prod/web")
        let controller = WorkloadReference(apiVersion: "v1", kind: "ReplicationController", name: "old", namespace: "default")
        #expect(controller.groupVersionPath == "/api/v1")
        #expect(KubernetesClient.percentEncoded("app=web,tier in (a,b)") == "app%3Dweb%2Ctier%20in%20%28a%2Cb%29")
    }

    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The documents of a manifest file, as text.
    static func documents(_ file: String) throws -> [String] {
        try String(contentsOfFile: repository + "/" + file, encoding: .utf8)
            .components(separatedBy: "\n---\n")
    }

    @Test("the manifests' config and example resource mean what they say to Tidepool itself")
    func manifestsDecode() throws {
        // The ConfigMap's tidepool.yaml, with the Secret's mount point replaced by a real file.
        let configMap = try Self.parse(try Self.documents("manifests/03-config.yaml")[0])
        guard case .string(var text)? = configMap.at("data", "tidepool.yaml") else { Issue.record("no tidepool.yaml"); return }
        let directory = try Self.temporaryDirectory()
        try "a-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        text = text.replacingOccurrences(of: "/etc/tidepool-admin/token", with: directory + "/token")
        let config = try TidepoolConfig.decode(try Self.parse(text), baseDirectory: "/")
        #expect(config.admin.listen == ListenAddress(host: "0.0.0.0", port: 9090))
        #expect(config.admin.token == "a-token")
        #expect(config.controller.syncPeriod == .seconds(15))
        #expect(config.controller.leaderElection?.leaseName == "tidepool")
        #expect(config.controller.leaderElection?.namespace == "tidepool-system")

        let example = try #require(try Self.documents("manifests/examples/mcp-server-langgraph.yaml")
            .first { $0.contains("kind: TidepoolAutoscaler") })
        let decoded = try AutoscalerResource.decode(try Self.parse(example))
        #expect(decoded.config.target == .kubernetes(apiVersion: "apps/v1", kind: "Deployment", name: "mcp-server-langgraph",
                                                     namespace: "mcp-server-langgraph"))
        #expect(decoded.config.spec.minReplicas == 3 && decoded.config.spec.maxReplicas == 10)
        // At 03:00 UTC the night schedule holds exactly one replica; at 08:30 the morning one at least five.
        let schedules = try #require(decoded.config.schedules)
        let night = schedules.effectiveBounds(minReplicas: 3, maxReplicas: 10, at: Timestamp(rfc3339: "2026-12-03T03:00:00Z")!)
        #expect(night.minReplicas == 1 && night.maxReplicas == 1 && night.activeSchedule == "night")
        let morning = schedules.effectiveBounds(minReplicas: 3, maxReplicas: 10, at: Timestamp(rfc3339: "2026-12-03T08:30:00Z")!)
        #expect(morning.minReplicas == 5 && morning.maxReplicas == 10)
        let day = schedules.effectiveBounds(minReplicas: 3, maxReplicas: 10, at: Timestamp(rfc3339: "2026-12-03T12:00:00Z")!)
        #expect(day.activeSchedule == nil && day.minReplicas == 3)
    }
}
