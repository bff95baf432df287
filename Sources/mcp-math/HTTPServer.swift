import Foundation
import Hummingbird
import Logging
import NIOCore

/// Streamable HTTP (MCP 2025-06-18), stateless: POST answers each request with one JSON body;
/// notifications and responses get 202. No sessions are issued, so GET (no server-initiated
/// stream) and DELETE answer 405.
struct HTTPServer: Sendable {
    let handler: MCPHandler
    let host: String
    let port: Int
    let path: String

    static let maximumBody = 4 << 20

    func run() async throws {
        let router = Router()
        let handler = self.handler
        router.post(RouterPath(path)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: Self.maximumBody)
            switch handler.handle(Data(buffer: body)) {
            case .none:
                return Response(status: .accepted)
            case .response(let message):
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(data: MCPHandler.encode(message))))
            }
        }
        router.get(RouterPath(path)) { _, _ in Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        router.delete(RouterPath(path)) { _, _ in Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                // The bound port on standard error, for --port 0 and for people.
                StandardError().write("mcp-math listening on http://\(host):\(channel.localAddress?.port ?? port)\(path)")
            },
            logger: .init(label: "mcp-math", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await application.runService()
    }
}
