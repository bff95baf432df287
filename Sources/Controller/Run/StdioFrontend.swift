import Foundation
import Pool
import Synchronization

/// Serves one gateway entry on standard input and output (`tidepool run --stdio ID`), so an
/// MCP client can launch Tidepool as a stdio server: newline-delimited JSON-RPC, requests
/// handled concurrently, each answer written as one line.
public struct StdioFrontend: Sendable {
    public let gateway: Gateway
    public let serverID: String

    public init(gateway: Gateway, serverID: String) {
        self.gateway = gateway
        self.serverID = serverID
    }

    /// Returns when standard input ends (the client went away).
    public func run() async {
        let lines = Self.standardInputLines()
        let session = SessionBox()
        let output = LineWriter()
        await withTaskGroup(of: Void.self) { group in
            for await line in lines {
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
                let message: JSONRPCMessage
                do throws(JSONRPCError) {
                    message = try JSONRPCMessage.parse(line)
                } catch {
                    output.write(error.responseBytes)
                    continue
                }
                if message.method == "initialize" {
                    // The handshake comes first and alone: later requests need its session.
                    await handle(message, session: session, output: output)
                } else {
                    group.addTask { await handle(message, session: session, output: output) }
                }
            }
        }
    }

    private func handle(_ message: JSONRPCMessage, session: SessionBox, output: LineWriter) async {
        let current = session.id.withLock { $0 }
        switch await gateway.handle(message, serverID: serverID, sessionID: current, client: ClientIdentity(address: "stdio")) {
        case .response(let bytes, let newSession):
            if let newSession {
                if let old = session.id.withLock({ state -> String? in defer { state = newSession }; return state }) { gateway.end(old) }
            }
            output.write(bytes)
        case .accepted:
            break
        case .overloaded(let bytes, _):
            output.write(bytes)
        case .sessionNotFound, .sessionRequired:
            if let id = message.id {
                output.write(JSONRPCError(code: .invalidRequest, message: "no MCP session: send initialize first", id: id).responseBytes)
            }
        }
    }

    /// Standard input's lines, read on a thread of their own (a blocking read must not hold a
    /// task executor).
    static func standardInputLines() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(Array(line.utf8))
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}

/// The client's one session with the gateway, set by its initialize.
final class SessionBox: Sendable {
    let id = Mutex<String?>(nil)
}

/// Writes whole lines to standard output, one writer at a time.
final class LineWriter: Sendable {
    private let lock = Mutex(())

    func write(_ bytes: [UInt8]) {
        lock.withLock { _ in
            var line = bytes
            line.append(UInt8(ascii: "\n"))
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
