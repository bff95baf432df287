/// Splits a `text/event-stream` body into events as its bytes arrive, in any chunking.
/// Only what MCP uses is kept: each event's `data` (lines joined with newlines) and its
/// `event` type; comments (keep-alives) are skipped. `package` so the HTTP framing fuzz target
/// (Fuzz/jsonrpc) can feed it.
package struct ServerSentEventParser {
    package struct Event: Equatable {
        package var type: String
        package var data: [UInt8]
    }

    package init() {}

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var type = ""
    private var lastWasCarriageReturn = false

    /// Feeds bytes; returns the events they complete.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && lastWasCarriageReturn {
                lastWasCarriageReturn = false
                continue  // the \n of a \r\n already ended the line
            }
            lastWasCarriageReturn = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            // A blank line dispatches the event, if it has data.
            defer {
                data.removeAll(keepingCapacity: true)
                hasData = false
                type = ""
            }
            return hasData ? Event(type: type.isEmpty ? "message" : type, data: data) : nil
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[..<colon]
        var valueStart = colon < line.endIndex ? colon + 1 : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            type = String(decoding: value, as: UTF8.self)
        }
        return nil
    }
}
