import FuzzSupport
import Pool
import Scaler

/// The JSON-RPC framing of the gateway on arbitrary bytes:
/// - an HTTP body: `JSONRPCMessage.parse`, as the gateway reads a POST and a member's JSON answer;
/// - a `text/event-stream` body (a member's SSE answer): the bytes in chunks to
///   `ServerSentEventParser`, each event's data parsed as a message;
/// - a stdio member's output: the bytes in chunks to `LineSplitter`, each line parsed.
/// Errors (-32700, -32600) are expected; a crash, a trap, a hang or an ASan report is a
/// finding, and so is a broken invariant:
/// - -32700 exactly when the JSON parser rejects the bytes, at a line and column inside them;
/// - the error response the gateway would send is itself a valid JSON-RPC response;
/// - a parsed message with its id replaced (as the gateway forwards it) parses again, with the
///   new id and the same kind and method; `resultJSON` is the `result` member;
/// - lines and events do not depend on how the bytes were chunked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let bytes = Array(input)
    let seed = chunkingSeed(of: input)

    // An HTTP body, whole.
    exercise(bytes)

    // A stdio member's standard output, in chunks as the pipe delivers them.
    let lines = splitLines(input, seed: seed)
    check(lines == referenceLines(bytes), "LineSplitter: the lines depend on the chunking")
    for line in lines where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
        exercise(line)
    }

    // A text/event-stream body, in chunks as the connection delivers them.
    var whole = ServerSentEventParser()
    let expected = whole.feed(bytes)
    var chunked = ServerSentEventParser()
    var events: [ServerSentEventParser.Event] = []
    for range in chunks(count: bytes.count, seed: seed ^ 0x5555, maximum: 64) {
        events += chunked.feed(bytes[range])
    }
    check(events == expected, "ServerSentEventParser: the events depend on the chunking")
    for event in events where event.type == "message" { exercise(event.data) }
    return 0
}

@_cdecl("fuzz_jsonrpc_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv)
}

/// FNV-1a of the input: a seed that changes with every mutation, so the same input always
/// splits the same way (a crash reproduces) while different inputs split differently.
private func chunkingSeed(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// `count` bytes cut into consecutive ranges of 1 to `maximum` bytes (some empty ones too,
/// as a read can return nothing), the sizes drawn from `seed` by Pool's SplitMix64.
private func chunks(count: Int, seed: UInt64, maximum: Int) -> [Range<Int>] {
    var generator = SplitMix64(seed: seed)
    var ranges: [Range<Int>] = []
    var start = 0
    while start < count {
        let draw = Int(generator.next() % UInt64(maximum + 1))
        let end = min(count, start + draw)
        ranges.append(start..<end)
        start = end
    }
    return ranges
}

/// The lines LineSplitter hands over when `input` arrives in chunks.
private func splitLines(_ input: UnsafeBufferPointer<UInt8>, seed: UInt64) -> [[UInt8]] {
    var splitter = LineSplitter()
    var lines: [[UInt8]] = []
    let raw = UnsafeRawBufferPointer(input)
    for range in chunks(count: input.count, seed: seed, maximum: 32) {
        splitter.feed(UnsafeRawBufferPointer(rebasing: raw[range])) { lines.append($0) }
    }
    return lines
}

/// Each `\n`-terminated line, its trailing `\r` dropped; an unterminated tail is not a line.
private func referenceLines(_ bytes: [UInt8]) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
        var line = Array(bytes[start..<index])
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        lines.append(line)
        start = index + 1
    }
    return lines
}

private func exercise(_ bytes: [UInt8]) {
    let message: JSONRPCMessage
    do {
        message = try JSONRPCMessage.parse(bytes)
    } catch {
        checkRejection(error, of: bytes)
        return
    }
    check(message.bytes == bytes, "the message does not keep its bytes")
    guard case .object(let object) = message.value else {
        check(false, "a message that is not an object")
        return
    }
    switch message.kind {
    case .request: check(message.method != nil && message.id != nil, "a request without a method or an id")
    case .notification: check(message.method != nil && message.id == nil, "a notification with an id or without a method")
    case .response: check(message.method == nil && message.id != nil, "a response with a method or without an id")
    }
    _ = message.params
    _ = message.id?.integer
    _ = message.id?.description
    if let result = message.resultJSON {
        let parsed = try? JSONParser.parse(result)
        check(parsed != nil && parsed == object["result"], "resultJSON is not the result member: \(String(decoding: result, as: UTF8.self))")
    }

    // Forwarded under the gateway's ids, as the stdio and HTTP connections do, and back.
    guard message.id != nil else { return }
    for newID in [JSONRPCID(7), JSONRPCID(-9_007_199_254_740_993), JSONRPCID(text: Array(#""client-\"1\"""#.utf8))] {
        let spliced = message.replacingID(with: newID)
        let forwarded: JSONRPCMessage
        do {
            forwarded = try JSONRPCMessage.parse(spliced)
        } catch {
            check(false, "the message with id \(newID) does not parse: \(error)\n\(String(decoding: spliced, as: UTF8.self))")
            return
        }
        check(forwarded.id == newID, "the message with id \(newID) has id \(String(describing: forwarded.id))")
        check(forwarded.kind == message.kind && forwarded.method == message.method, "replacing the id changed the message's kind or method")
        let renamed = message.withID(newID)
        check(renamed.id == newID && renamed.bytes == spliced, "withID and replacingID disagree")
        let back = renamed.withID(message.id!)
        check(back.id == message.id, "the id did not come back")
        check((try? JSONRPCMessage.parse(back.bytes))?.id == message.id, "the message with its id restored has another id")
    }
}

/// A rejected body: -32700 for what the JSON parser rejects, -32600 for the rest, and an error
/// response that is valid JSON-RPC.
private func checkRejection(_ error: JSONRPCError, of bytes: [UInt8]) {
    let syntax: JSONSyntaxError?
    do {
        _ = try JSONParser.parse(bytes)
        syntax = nil
    } catch {
        syntax = error
    }
    if let syntax {
        check(error.code == .parseError, "the JSON parser rejects the bytes but the code is \(error.code.rawValue)")
        let newlines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        check(syntax.offset >= 0 && syntax.offset <= bytes.count, "JSON error offset \(syntax.offset) outside \(bytes.count) bytes")
        check(syntax.line >= 1 && syntax.line <= newlines + 1 && syntax.column >= 1, "JSON error at line \(syntax.line), column \(syntax.column) outside the input")
    } else {
        check(error.code == .invalidRequest, "valid JSON rejected with code \(error.code.rawValue)")
    }
    check(!error.message.isEmpty, "an error without a message")
    // `{"jsonrpc":"2.0","id":ID|null,"error":{"code":C,"message":M}}`.
    guard case .object(let response)? = try? JSONParser.parse(error.responseBytes),
          response["jsonrpc"] == .string("2.0"), case .object(let body)? = response["error"],
          body["code"] == .number(String(error.code.rawValue)), body["message"] == .string(error.message)
    else {
        check(false, "the error response is not a JSON-RPC error: \(String(decoding: error.responseBytes, as: UTF8.self))")
        return
    }
    if let id = error.id {
        let answer = try? JSONRPCMessage.parse(error.responseBytes)
        check(answer?.kind == .response && answer?.id == id, "the error response does not answer id \(id)")
    } else {
        check(response["id"] == .null, "the error response has an id but the error none")
    }
}
