import AsyncHTTPClient
import Foundation
import Hummingbird
import Pool
import Synchronization
import Testing

/// A client that goes away mid-call: over HTTP the gateway tells the member with
/// notifications/cancelled naming the request it sent, since a dropped connection alone does
/// not cancel anything in MCP.
@Suite("Upstream cancellation over HTTP")
struct UpstreamCancellationTests {
    /// A member that holds tools/call for thirty seconds and records every message it is sent.
    final class SlowMember: Sendable {
        /// What it was sent: the method, the id (nil for a notification), params.requestId.
        struct Message: Sendable {
            var method: String
            var id: Int?
            var requestID: Int?
        }
        let received = Mutex<[Message]>([])

        func messages(_ method: String) -> [Message] {
            received.withLock { $0.filter { $0.method == method } }
        }
    }

    @Test("cancelling a call in flight sends notifications/cancelled with the upstream request id")
    func cancelledCall() async throws {
        let member = SlowMember()
        let router = Router()
        router.post("/mcp") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            guard let message = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                return Response(status: .badRequest)
            }
            let recorded = SlowMember.Message(method: message["method"] as? String ?? "", id: message["id"] as? Int,
                                              requestID: (message["params"] as? [String: Any])?["requestId"] as? Int)
            member.received.withLock { $0.append(recorded) }
            if message["method"] as? String == "tools/call" {
                try await Task.sleep(for: .seconds(30))
                let id = message["id"] as? Int ?? 0
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#)))
            }
            return Response(status: .accepted)
        }
        let port = Mutex<Int?>(nil)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let server = Task { try await app.run() }
        defer { server.cancel() }
        for _ in 0..<200 where port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        let bound = try #require(port.withLock { $0 })

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let connection = HTTPConnection(endpoint: "http://127.0.0.1:\(bound)/mcp", client: client)
        let call = try JSONRPCMessage.parse(Array(#"{"jsonrpc":"2.0","id":"client-7","method":"tools/call","params":{"name":"work","arguments":{"ms":10000}}}"#.utf8))
        let task = Task { try await connection.send(call, timeout: .seconds(30)) }
        for _ in 0..<200 where member.messages("tools/call").isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let sent = try #require(member.messages("tools/call").first)
        let cancelledAt = ContinuousClock.now
        task.cancel()
        await #expect(throws: (any Error).self) { try await task.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(10), "the call ended when cancelled, not when the member answered")
        for _ in 0..<300 where member.messages("notifications/cancelled").isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let cancelled = try #require(member.messages("notifications/cancelled").first, "no notifications/cancelled reached the member")
        #expect(sent.id != nil)
        #expect(cancelled.requestID == sent.id, "\(cancelled) for \(sent)")
        #expect(cancelled.id == nil, "a notification has no id")
        try await client.shutdown()
    }
}
