// The least SwiftNIO does to answer an HTTP/1.1 request: NIOHTTP1's codec and one handler that
// answers every request with the JSON-RPC result of add(2, 3), on one event loop. The gateway
// benchmark sets it against nginx answering the same bytes with `return 200`, to show the cost
// floor of the stack the gateway is built on (Benchmarks/gateway/run.sh, FLOOR=1).
//
//   nio-responder [--port N]    (0, the default: the kernel picks; the port is printed)
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Answers each request once its end has arrived; the body is ignored.
final class AddResultResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let body = #"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"5"}],"isError":false}}"#
    private var headers: HTTPHeaders = {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        return headers
    }()
    private var buffer: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        if buffer == nil { buffer = context.channel.allocator.buffer(string: Self.body) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer!))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

func writeError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var port = 0
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    guard argument == "--port", let value = arguments.popFirst().flatMap(Int.init), (0...65535).contains(value) else {
        writeError("usage: nio-responder [--port N]\n")
        exit(64)
    }
    port = value
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(AddResultResponder())
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
writeError("nio-responder listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n")
try channel.closeFuture.wait()
