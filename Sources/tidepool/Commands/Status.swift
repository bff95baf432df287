import ArgumentParser
import Controller
import Foundation
import Scaler
import TidepoolMetrics

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a running Tidepool is doing: members and their health, each autoscaler's last decision.",
        discussion: "Reads GET /status from the admin endpoint. --json prints it as it came."
    )

    @Option(help: ArgumentHelp("The admin endpoint.", valueName: "url"))
    var admin = "http://127.0.0.1:9090"

    @Option(help: ArgumentHelp("A bearer token for an admin endpoint that wants one.", valueName: "token"))
    var token: String?

    @Flag(help: "Print the JSON document instead of the summary.")
    var json = false

    func run() async throws {
        let url = admin.hasSuffix("/") ? admin + "status" : admin + "/status"
        let body: [UInt8]
        do {
            body = try await AdminClient.get(url, token: token)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if json {
            FileHandle.standardOutput.write(Data(body + [0x0A]))
            return
        }
        guard let document = try? JSONParser.parse(body) else {
            printError("\(url): the answer is not JSON")
            throw ExitCode(1)
        }
        print(StatusText.render(document), terminator: "")
    }
}

/// The status document for a person: one block per server and per autoscaler.
enum StatusText {
    static func render(_ document: JSONValue) -> String {
        var lines: [String] = []
        for server in elements(document["servers"]) {
            let desired = server["desiredReplicas"].map { " desired=\(text($0))" } ?? ""
            lines.append("server \(text(server["id"])) mode=\(text(server["mode"])) strategy=\(text(server["strategy"]))\(desired)")
            for member in elements(server["members"]) {
                lines.append("  \(text(member["id"])) \(text(member["state"])) inflight=\(text(member["inflight"])) \(text(member["endpoint"]))")
            }
        }
        for autoscaler in elements(document["autoscalers"]) {
            lines.append("")
            lines.append("autoscaler \(text(autoscaler["name"])) target=\(text(autoscaler["target"])) "
                + "current=\(text(autoscaler["currentReplicas"])) desired=\(text(autoscaler["desiredReplicas"])) "
                + "bounds=\(text(autoscaler["minReplicas"]))..\(text(autoscaler["maxReplicas"]))")
            lines.append("  last sync \(text(autoscaler["lastSyncTime"])), last scale \(text(autoscaler["lastScaleTime"]))")
            if let error = autoscaler["error"], error != .null { lines.append("  error: \(text(error))") }
            if let reason = autoscaler["reason"], text(reason) != "" { lines.append("  reason: \(text(reason))") }
            for line in elements(autoscaler["explanation"]) { lines.append("  \(text(line))") }
            for condition in elements(autoscaler["conditions"]) {
                lines.append("  \(text(condition["type"]))=\(text(condition["status"])) \(text(condition["reason"])): \(text(condition["message"]))")
            }
            if let schedule = autoscaler["schedule"] {
                let active = schedule["active"].map(text) ?? "-"
                var line = "  schedule: \(active == "-" ? "none active" : "\"\(active)\" active")"
                if let next = schedule["next"], next != .null { line += "; next \(text(next)): \(text(schedule["nextChange"]))" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func elements(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let elements)? = value { return elements }
        return []
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case nil, .null?: return "-"
        case let other?:
            var writer = JSONWriter(reservingCapacity: 64)
            writer.value(other)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }
}
