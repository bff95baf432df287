import ArgumentParser
import Controller
import Foundation
import Logging
import Pool

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "The Kubernetes controller: scale workloads from TidepoolAutoscaler resources and the config file.",
        discussion: """
            Uses in-cluster credentials when it runs in a pod, else the kubeconfig (--kubeconfig, \
            $KUBECONFIG, ~/.kube/config). Watches TidepoolAutoscaler resources (tidepool.dev/v1alpha1) \
            in --namespace, or in every namespace, and runs the config file's autoscalers whose \
            target is {kubernetes: ...} or {kubectl: ...}. Replicas elect a leader on a Lease \
            (controller.leader_election); only the leader scales. The admin endpoint serves \
            /healthz, /readyz, /metrics and /status. SIGINT or SIGTERM stops and releases the lease.
            """
    )

    @Option(help: ArgumentHelp("The configuration file (YAML): controller settings and autoscalers.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("A kubeconfig file, instead of the in-cluster service account.", valueName: "file"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use, instead of its current-context.", valueName: "name"))
    var context: String?

    @Option(help: ArgumentHelp("Watch TidepoolAutoscalers in this namespace only (default: all namespaces).", valueName: "namespace"))
    var namespace: String?

    @Option(name: .customLong("admin-listen"), help: ArgumentHelp("Where the admin endpoint listens, overriding the configuration.", valueName: "host:port"))
    var adminListen: String?

    @Option(help: ArgumentHelp("The kubectl binary for {kubectl: ...} targets.", valueName: "path"))
    var kubectl: String = "kubectl"

    @Option(help: ArgumentHelp("This replica's name in the Lease (default: $POD_NAME or the host name, and a random suffix).", valueName: "name"))
    var identity: String?

    @Option(name: .customLong("log-level"), help: "debug, info, warning or error.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = try bootstrapLogging(levelNamed: logLevel)

        let settings: TidepoolConfig
        let connection: KubernetesConnection
        let client: KubernetesClient
        do {
            var loaded = try config.map { try TidepoolConfig.load(path: $0) } ?? TidepoolConfig()
            if let adminListen { loaded.admin.listen = try Run.listen(adminListen, flag: "--admin-listen") }
            settings = loaded
            connection = try KubernetesConnection.resolve(kubeconfig: kubeconfig, context: context)
            client = try KubernetesClient(connection: connection, logger: logger)
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(1)
        }
        let controller = KubernetesController(config: settings, client: client, watchNamespace: namespace,
                                              identity: identity ?? LeaderElector.defaultIdentity(), kubectl: kubectl, logger: logger)
        do {
            try controller.startConfiguredAutoscalers()
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        logger.info("controller_started", metadata: [
            "server": "\(connection.server)", "credentials": "\(connection.origin)", "identity": "\(controller.identity)",
            "namespace": "\(namespace ?? "all")",
        ])
        let admin = AdminServer(
            runtime: GatewayRuntime(servers: [], logger: logger), listen: settings.admin.listen, token: settings.admin.token,
            autoscalerStatus: { controller.autoscalerStatus }, readinessProblems: { controller.readinessProblems },
            extraStatus: { controller.controllerStatus }, extraMetrics: { controller.metricsExposition })
        let adminHost = settings.admin.listen.host
        let task = Task {
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await admin.run { port in
                        let line = "tidepool: controller admin endpoint http://\(adminHost):\(port) (/status /metrics /healthz /readyz)\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    }
                }
                group.addTask { await controller.run() }
                // The first to end (cancellation) ends both.
                _ = try? await group.next()
                group.cancelAll()
            }
        }
        let signals = Run.onTermination(graceful: { task.cancel() }, immediate: { Foundation.exit(1) })
        defer { signals.forEach { $0.cancel() } }
        await task.value
        await client.shutdown()
    }
}
