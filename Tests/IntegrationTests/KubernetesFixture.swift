import Foundation

/// A running Kubernetes API server fixture (`Tests/kubernetes/fake_apiserver.py`) on loopback,
/// with a kubeconfig and a kubectl cache of its own, for tests that drive it with the real
/// kubectl or with Tidepool's controller. The fixture's README lists its `/fixture` controls.
///
///     let fixture = try KubernetesFixture.start(arguments: ["--ready-delay-s", "1"])
///     defer { fixture.stop() }
///     let pods = try fixture.kubectl(["get", "pods", "-o", "json"])
final class KubernetesFixture: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/kubernetes/fake_apiserver.py").path
    static let manifests = root.appendingPathComponent("manifests").path
    static let kubectlPath = "/usr/bin/kubectl"

    /// python3 from PATH (as `/usr/bin/env python3` would find it), else /usr/bin/python3.
    static let python3: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/python3" } + ["/usr/bin/python3"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether the tests can run here: kubectl and python3 are installed.
    static var available: Bool { FileManager.default.isExecutableFile(atPath: kubectlPath) && python3 != nil }

    /// Who a kubeconfig says the user is.
    enum Credentials {
        case none
        case token(String)
        case clientCertificate(certificate: String, key: String)
    }

    /// The files of a TLS set-up made by `makeCertificates(in:)`.
    struct Certificates: Sendable {
        let authority: String
        let serverCertificate: String
        let serverKey: String
        let clientCertificate: String
        let clientKey: String
    }

    /// What one kubectl run printed and how it ended.
    struct KubectlResult: Sendable, CustomStringConvertible {
        let status: Int32
        let output: String
        let errors: String
        let timedOut: Bool
        var succeeded: Bool { status == 0 && !timedOut }
        var description: String { "exit \(status)\(timedOut ? " (timed out)" : "")\nstdout:\n\(output)\nstderr:\n\(errors)" }
    }

    enum FixtureError: Error, CustomStringConvertible {
        case notListening(String)
        case badReply(String)
        case openssl([String])
        var description: String {
            switch self {
            case .notListening(let log): "the fixture printed no `listening on` line; its standard error:\n\(log)"
            case .badReply(let text): "the fixture answered something that is not JSON: \(text)"
            case .openssl(let arguments): "openssl \(arguments.joined(separator: " ")) failed"
            }
        }
    }

    let child: RunCommandTests.Child
    /// The port it listens on, and `http(s)://127.0.0.1:PORT`.
    let port: Int
    let url: String
    /// The CA file a client trusts the server with (TLS only).
    let authority: String?
    /// A directory of its own: kubeconfigs, kubectl's discovery and OpenAPI cache, outputs.
    let directory: URL
    /// The kubeconfig `kubectl(_:)` uses unless told otherwise.
    let kubeconfig: String

    private init(child: RunCommandTests.Child, port: Int, url: String, authority: String?, directory: URL, credentials: Credentials) throws {
        self.child = child
        self.port = port
        self.url = url
        self.authority = authority
        self.directory = directory
        self.kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try writeKubeconfig(to: kubeconfig, credentials: credentials)
    }

    /// Starts the fixture on a free port with `arguments` (e.g. `--token-file F`, `--seed F`,
    /// `--ready-delay-s 1`) and waits for its `listening on` line (20 s at most). With
    /// `certificates` it serves HTTPS and accepts their client certificate.
    static func start(arguments: [String] = [], certificates: Certificates? = nil,
                      credentials: Credentials = .none) throws -> KubernetesFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var tlsArguments: [String] = []
        if let certificates {
            tlsArguments = ["--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey,
                            "--client-ca", certificates.authority]
        }
        let child = try RunCommandTests.Child(python3 ?? "/usr/bin/python3", [script, "--port", "0"] + tlsArguments + arguments,
                                              readsOutput: true)
        // Reading blocks; a watchdog ends the child (and so the read) if the line never comes.
        let watchdog = DispatchWorkItem { if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: watchdog)
        var printed = ""
        while !printed.contains("\n") {
            let chunk = child.output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        watchdog.cancel()
        guard let range = printed.range(of: #"listening on (https?)://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(printed[range].split(separator: ":").last ?? "") else {
            child.stop()
            throw FixtureError.notListening(child.errors)
        }
        let url = String(printed[range].dropFirst("listening on ".count))
        return try KubernetesFixture(child: child, port: port, url: url, authority: certificates?.authority,
                                     directory: directory, credentials: credentials)
    }

    /// Stops the fixture (SIGTERM, then SIGKILL after 10 s) and removes its directory and log
    /// (the child's own clean-up may not run before the test process exits).
    func stop() {
        child.stop()
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: child.errorFile)
    }

    /// Writes a kubeconfig for this fixture with `credentials` (the default namespace is
    /// `default`) and returns its path, for a second user next to the default kubeconfig.
    @discardableResult
    func writeKubeconfig(named name: String, credentials: Credentials) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try writeKubeconfig(to: path, credentials: credentials)
        return path
    }

    private func writeKubeconfig(to path: String, credentials: Credentials) throws {
        let user: String
        switch credentials {
        case .none: user = "{}"
        case .token(let token): user = "{token: \"\(token)\"}"
        case .clientCertificate(let certificate, let key): user = "{client-certificate: \"\(certificate)\", client-key: \"\(key)\"}"
        }
        let authorityLine = authority.map { "\n    certificate-authority: \"\($0)\"" } ?? ""
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fixture
              cluster:
                server: "\(url)"\(authorityLine)
            users:
            - name: fixture
              user: \(user)
            contexts:
            - name: fixture
              context: {cluster: fixture, user: fixture, namespace: default}
            current-context: fixture

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A kubectl started and not yet waited for, e.g. a watch while the test changes things.
    final class RunningKubectl: @unchecked Sendable {
        let process = Process()
        let outputFile: URL
        let errorFile: URL

        init(_ arguments: [String], in directory: URL) throws {
            let name = UUID().uuidString
            outputFile = directory.appendingPathComponent("kubectl-\(name).out")
            errorFile = directory.appendingPathComponent("kubectl-\(name).err")
            _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: KubernetesFixture.kubectlPath)
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outputFile)
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
        }

        /// What it printed so far.
        var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

        /// Waits for it to end, SIGKILL after `timeout` seconds.
        func wait(timeout: TimeInterval = 60) -> KubectlResult {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            let timedOut = process.isRunning
            if timedOut { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: errorFile)
            let printed = output
            try? FileManager.default.removeItem(at: outputFile)
            return KubectlResult(status: process.terminationStatus, output: printed, errors: errors, timedOut: timedOut)
        }
    }

    /// Starts `kubectl --kubeconfig K --cache-dir C arguments...` without waiting for it.
    func startKubectl(_ arguments: [String], kubeconfig: String? = nil) throws -> RunningKubectl {
        try RunningKubectl(["--kubeconfig", kubeconfig ?? self.kubeconfig,
                            "--cache-dir", directory.appendingPathComponent("kubectl-cache").path] + arguments, in: directory)
    }

    /// Runs kubectl against this fixture (its own kubeconfig and cache; standard input empty)
    /// and waits for it, `timeout` seconds at most.
    func kubectl(_ arguments: [String], kubeconfig: String? = nil, timeout: TimeInterval = 60) throws -> KubectlResult {
        try startKubectl(arguments, kubeconfig: kubeconfig).wait(timeout: timeout)
    }

    /// A `/fixture` control: POST with `body` (JSON), or GET without; the reply as JSON.
    @discardableResult
    func control(_ path: String, _ body: Any? = nil, method: String? = nil) throws -> Any {
        var arguments = ["-X", method ?? (body == nil ? "GET" : "POST"), "-H", "Expect:"]
        if let authority { arguments += ["--cacert", authority] }
        if let body {
            let data = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: data, as: UTF8.self)]
        }
        let reply = try RunCommandTests.curl(arguments + [url + path])
        let text = reply.range(of: "\r\n\r\n").map { String(reply[$0.upperBound...]) } ?? reply
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            throw FixtureError.badReply(reply)
        }
        return parsed
    }

    /// Every API request the fixture has answered so far (GET /fixture/requests): method,
    /// path, query, contentType, accept, userAgent, auth, status, body.
    func requests() throws -> [[String: Any]] {
        try control("/fixture/requests") as? [[String: Any]] ?? []
    }

    /// Empties the request log (POST /fixture/reset-requests).
    func resetRequests() throws {
        try control("/fixture/reset-requests", [String: Any]())
    }

    /// Creates or replaces an object as is (POST /fixture/objects), for test set-up.
    @discardableResult
    func put(_ object: [String: Any]) throws -> [String: Any] {
        try control("/fixture/objects", object) as? [String: Any] ?? [:]
    }

    /// Parses kubectl's JSON output.
    static func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    /// A CA, a server certificate for 127.0.0.1 and a client certificate (CN tidepool) signed
    /// by it, made with /usr/bin/openssl in `directory`.
    static func makeCertificates(in directory: URL) throws -> Certificates {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw FixtureError.openssl(arguments) }
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.crt"),
                     "-days", "1", "-subj", "/CN=fixture-ca"])
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=tidepool/O=tidepool-dev")] {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
                         "-subj", subject])
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                         "-CAcreateserial", "-out", path("\(name).crt"), "-days", "1", "-extfile", path("\(name).ext")])
        }
        return Certificates(authority: path("ca.crt"), serverCertificate: path("server.crt"), serverKey: path("server.key"),
                            clientCertificate: path("client.crt"), clientKey: path("client.key"))
    }
}
