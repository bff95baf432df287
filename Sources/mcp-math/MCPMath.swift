import ArgumentParser
import Foundation

/// `mcp-math`: the demo MCP server Tidepool's embedded default runs. Tools `add`, `multiply`,
/// `work` (burns CPU for `ms` milliseconds, so load is real) and `identify` (which member
/// answered, so balancing can be seen). Serves newline-delimited JSON-RPC on standard
/// input/output, or Streamable HTTP with `--port`.
@main
struct MCPMath: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-math",
        abstract: "A small MCP server with the tools add, multiply, work and identify.",
        discussion: "With --port it serves Streamable HTTP at --path; otherwise JSON-RPC lines on standard input and output."
    )

    @Flag(help: "Serve JSON-RPC lines on standard input/output (the default without --port).")
    var stdio = false

    @Option(help: "Serve Streamable HTTP on this port (0 picks a free one and prints it).")
    var port: Int?

    @Option(help: "The address to listen on with --port.")
    var host = "127.0.0.1"

    @Option(help: "The HTTP path of the MCP endpoint.")
    var path = "/mcp"

    @Option(help: "The name this server reports (serverInfo.name and identify).")
    var name = "mcp-math"

    @Flag(help: "Log each request to standard error.")
    var verbose = false

    func validate() throws {
        if stdio && port != nil { throw ValidationError("--stdio and --port exclude each other") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        guard path.hasPrefix("/") else { throw ValidationError("--path must start with /") }
    }

    func run() async throws {
        let handler = MCPHandler(name: name, log: verbose ? StandardError() : nil)
        if let port {
            try await HTTPServer(handler: handler, host: host, port: port, path: path).run()
        } else {
            await StdioServer(handler: handler).run()
        }
    }
}

/// Writes diagnostic lines to standard error (standard output may be the protocol channel).
struct StandardError: Sendable {
    func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
