import Foundation
import Scaler

/// How to reach and authenticate to an API server: in-cluster (the pod's service account) or
/// from a kubeconfig file, as client-go's `rest.InClusterConfig` and `clientcmd` resolve it.
public struct KubernetesConnection: Sendable, Equatable {
    public enum Credentials: Sendable, Equatable {
        case none
        case token(String)
        /// Re-read before each request: the kubelet rotates projected service account tokens.
        case tokenFile(String)
        case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
        case basic(username: String, password: String)
    }

    /// `https://10.0.0.1:443`, without a trailing slash.
    public var server: String
    /// PEM certificates to trust instead of the system's; nil: the system's.
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var credentials: Credentials
    /// The context's namespace (in-cluster: the pod's), the default for objects named without one.
    public var namespace: String
    /// Where it came from, for messages: "in-cluster" or "kubeconfig FILE (context NAME)".
    public var origin: String

    public init(server: String, certificateAuthorityPEM: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
                credentials: Credentials = .none, namespace: String = "default", origin: String = "") {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.credentials = credentials
        self.namespace = namespace
        self.origin = origin
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster when the process runs in a pod (KUBERNETES_SERVICE_HOST is set and the service
    /// account token is mounted), else the kubeconfig: `kubeconfig`, then `$KUBECONFIG` (its
    /// first file), then `~/.kube/config`. The CLI spec's order.
    public static func resolve(kubeconfig: String?, context: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               serviceAccountDirectory: String = serviceAccountDirectory) throws(InputError) -> KubernetesConnection {
        if kubeconfig == nil, environment["KUBERNETES_SERVICE_HOST"] != nil,
           FileManager.default.fileExists(atPath: serviceAccountDirectory + "/token") {
            return try inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory)
        }
        let path: String
        if let kubeconfig {
            path = kubeconfig
        } else if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            path = String(first)
        } else if let home = environment["HOME"] {
            path = home + "/.kube/config"
        } else {
            throw InputError(source: "kubeconfig", message: "not running in a pod, and no --kubeconfig, $KUBECONFIG or $HOME to find one")
        }
        return try fromKubeconfig(path: path, context: context)
    }

    /// The pod's service account: the API server from KUBERNETES_SERVICE_HOST and _PORT, the
    /// CA bundle, the token (re-read as it rotates) and the namespace from the mounted secret.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 serviceAccountDirectory: String = serviceAccountDirectory) throws(InputError) -> KubernetesConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
              !host.isEmpty, !port.isEmpty else {
            throw InputError(source: "in-cluster configuration", message: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        let tokenPath = serviceAccountDirectory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw InputError(source: tokenPath, message: "no service account token is mounted (automountServiceAccountToken: false?)")
        }
        let ca = try? DocumentLoader.readBytes(serviceAccountDirectory + "/ca.crt")
        let namespace = (try? String(contentsOfFile: serviceAccountDirectory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubernetesConnection(
            server: "https://\(hostPart):\(port)", certificateAuthorityPEM: ca, credentials: .tokenFile(tokenPath),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", origin: "in-cluster")
    }

    /// A kubeconfig file's context (`context`, or its current-context): the cluster's server
    /// and CA, the user's token, token file, client certificate or basic credentials, and the
    /// context's namespace. Relative file names are relative to the kubeconfig's directory.
    public static func fromKubeconfig(path: String, context wanted: String? = nil) throws(InputError) -> KubernetesConnection {
        let document = try DocumentLoader.load(path)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            return try decodeKubeconfig(document, context: wanted, directory: directory, path: path)
        } catch {
            throw InputError(source: path, message: error.description)
        }
    }

    static func decodeKubeconfig(_ document: JSONValue, context wanted: String?, directory: String, path: String) throws(CaseError) -> KubernetesConnection {
        func named(_ list: String, _ name: String, entry: String) throws(CaseError) -> JSONValue {
            let items: [JSONValue]
            if let value = document[list] { items = try at(list) { () throws(CaseError) in try Read.array(value) } } else { items = [] }
            for (index, item) in items.enumerated() where item["name"] == .string(name) {
                guard let body = item[entry] else { throw CaseError("has no `\(entry)`", at: [list, "[\(index)]"]) }
                return body
            }
            let names = items.compactMap { if case .string(let name)? = $0["name"] { name } else { nil } }
            throw CaseError("no \(entry) named \"\(name)\" (found: \(names.isEmpty ? "none" : names.joined(separator: ", ")))", at: [list])
        }
        func resolved(_ file: String) -> String {
            file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
        }
        func fileOrData(_ fields: JSONValue, file: String, data: String, at path: [String]) throws(CaseError) -> [UInt8]? {
            if case .string(let encoded)? = fields[data] {
                guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                    throw CaseError("is not base64", at: path + [data])
                }
                return Array(decoded)
            }
            if case .string(let name)? = fields[file] {
                do {
                    return try DocumentLoader.readBytes(resolved(name))
                } catch {
                    throw CaseError(error.description, at: path + [file])
                }
            }
            return nil
        }

        let contextName: String
        if let wanted {
            contextName = wanted
        } else if case .string(let current)? = document["current-context"], !current.isEmpty {
            contextName = current
        } else {
            throw CaseError("has no current-context; pass a context", at: ["current-context"])
        }
        let context = try named("contexts", contextName, entry: "context")
        guard case .string(let clusterName)? = context["cluster"] else {
            throw CaseError("context \"\(contextName)\" names no cluster", at: ["contexts", contextName, "cluster"])
        }
        let cluster = try named("clusters", clusterName, entry: "cluster")
        guard case .string(let server)? = cluster["server"], !server.isEmpty else {
            throw CaseError("cluster \"\(clusterName)\" has no server", at: ["clusters", clusterName, "server"])
        }
        let clusterPath = ["clusters", clusterName]
        let ca = try fileOrData(cluster, file: "certificate-authority", data: "certificate-authority-data", at: clusterPath)
        let insecure = cluster["insecure-skip-tls-verify"] == .bool(true)

        var credentials = Credentials.none
        if case .string(let userName)? = context["user"], !userName.isEmpty {
            let user = try named("users", userName, entry: "user")
            let userPath = ["users", userName]
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw CaseError("uses an exec or auth-provider plugin, which Tidepool does not run; give it a token or a client certificate", at: userPath)
            }
            if case .string(let token)? = user["token"], !token.isEmpty {
                credentials = .token(token)
            } else if case .string(let file)? = user["tokenFile"] {
                credentials = .tokenFile(resolved(file))
            } else if let certificate = try fileOrData(user, file: "client-certificate", data: "client-certificate-data", at: userPath) {
                guard let key = try fileOrData(user, file: "client-key", data: "client-key-data", at: userPath) else {
                    throw CaseError("has a client certificate but no client-key", at: userPath)
                }
                credentials = .clientCertificate(certificatePEM: certificate, keyPEM: key)
            } else if case .string(let username)? = user["username"], case .string(let password)? = user["password"] {
                credentials = .basic(username: username, password: password)
            }
        }
        var namespace = "default"
        if case .string(let given)? = context["namespace"], !given.isEmpty { namespace = given }
        return KubernetesConnection(server: server, certificateAuthorityPEM: ca, insecureSkipTLSVerify: insecure,
                                    credentials: credentials, namespace: namespace,
                                    origin: "kubeconfig \(path) (context \(contextName))")
    }
}
