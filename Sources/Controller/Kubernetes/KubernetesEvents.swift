import Foundation
import Logging
import Scaler

/// Posts core/v1 Events about one object, as the HPA controller's event recorder does: on the
/// TidepoolAutoscaler for a custom resource, on the workload for an autoscaler of the config
/// file. An event that cannot be posted is logged at debug and dropped; it never holds up
/// the reconcile.
public struct KubernetesEventSink: AutoscalerEventSink {
    public struct InvolvedObject: Sendable {
        public var apiVersion: String
        public var kind: String
        public var name: String
        public var namespace: String
        public var uid: String?

        public init(apiVersion: String, kind: String, name: String, namespace: String, uid: String? = nil) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
            self.namespace = namespace
            self.uid = uid
        }
    }

    let client: KubernetesClient
    let involved: InvolvedObject
    let instance: String
    let logger: Logger

    public init(client: KubernetesClient, involved: InvolvedObject, instance: String, logger: Logger) {
        self.client = client
        self.involved = involved
        self.instance = instance
        self.logger = logger
    }

    public func record(_ type: AutoscalerEventType, reason: String, message: String) async {
        let now = Timestamp(Date())
        var object: [JSONObject.Entry] = [
            .init("apiVersion", .string(involved.apiVersion)), .init("kind", .string(involved.kind)),
            .init("name", .string(involved.name)), .init("namespace", .string(involved.namespace)),
        ]
        if let uid = involved.uid { object.append(.init("uid", .string(uid))) }
        let event = JSONValue.record([
            "apiVersion": .string("v1"), "kind": .string("Event"),
            "metadata": .record([
                // client-go's name: the object's name and the time in hexadecimal nanoseconds.
                "name": .string("\(involved.name).\(String(UInt64(bitPattern: now.nanosecondsSinceEpoch), radix: 16))"),
                "namespace": .string(involved.namespace),
            ]),
            "involvedObject": .object(JSONObject(object)),
            "reason": .string(reason), "message": .string(message), "type": .string(type.rawValue),
            "source": .record(["component": .string("tidepool")]),
            "reportingComponent": .string("tidepool"), "reportingInstance": .string(instance),
            "firstTimestamp": .string(now.rfc3339), "lastTimestamp": .string(now.rfc3339), "count": .number("1"),
        ])
        do {
            _ = try await client.create("/api/v1/namespaces/\(involved.namespace)/events", event)
        } catch {
            logger.debug("event_not_recorded", metadata: ["reason": "\(reason)", "error": "\(error)"])
        }
    }
}
