import Foundation
import Subprocess
import SystemPackage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a member's command as a child process for as long as the call lasts: its standard
/// output carries JSON-RPC (stdio members) or log lines (HTTP members), its standard error
/// goes to the logs and a short tail kept for crash reports.
enum MemberProcess {
    struct Launch: Sendable {
        var command: [String]
        var environment: [String: String]
    }

    /// What became of the process.
    struct Exit: Sendable, CustomStringConvertible {
        var status: String
        var stderrTail: [String]

        var description: String {
            stderrTail.isEmpty ? status : "\(status); last stderr: \(stderrTail.joined(separator: " | "))"
        }
    }

    /// Starts the process and serves its pipes until it exits. `stdio`, when given, is written
    /// to standard input and receives each standard output line; `started` gets the process
    /// id as soon as it runs. Cancelling the task sends SIGTERM, then SIGKILL after `grace`.
    static func run(
        _ launch: Launch, stdio: StdioConnection?, grace: Duration,
        started: @escaping @Sendable (pid_t) -> Void,
        stderrLine: @escaping @Sendable (String) -> Void
    ) async throws -> Exit {
        guard let program = launch.command.first else { throw ProcessLaunchError(reason: "the command is empty") }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in launch.environment {
            if let key = Environment.Key(rawValue: key) { updates[key] = value }
        }
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: grace)]
        let tail = StderrTail()
        let result = try await Subprocess.run(
            executable, arguments: Arguments(Array(launch.command.dropFirst())),
            environment: .inherit.updating(updates), platformOptions: options,
            input: .inputWriter, output: .sequence, error: .sequence
        ) { execution in
            started(execution.processIdentifier.value)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var splitter = LineSplitter()
                    for try await chunk in execution.standardOutput {
                        chunk.withUnsafeBytes { bytes in
                            splitter.feed(bytes) { line in
                                if let stdio { stdio.received(line: line) }
                            }
                        }
                    }
                }
                group.addTask {
                    var splitter = LineSplitter()
                    for try await chunk in execution.standardError {
                        chunk.withUnsafeBytes { bytes in
                            splitter.feed(bytes) { line in
                                let text = String(decoding: line, as: UTF8.self)
                                tail.append(text)
                                stderrLine(text)
                            }
                        }
                    }
                }
                let writer = execution.standardInputWriter
                if let stdio {
                    group.addTask {
                        for await line in stdio.lines {
                            _ = try await writer.write(line)
                        }
                        // The connection closed: closing stdin asks the child to exit.
                        try? await writer.finish()
                    }
                } else {
                    try? await writer.finish()
                }
                // Standard output ends when the child exits; then stop writing to it.
                try await group.next()
                group.cancelAll()
            }
        }
        stdio?.closeConnection(because: "the member exited (\(Self.describe(result.terminationStatus)))")
        return Exit(status: Self.describe(result.terminationStatus), stderrTail: tail.lines)
    }

    static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        @unknown default: return "\(status)"
        }
    }
}

/// The last few lines a child wrote on standard error, for the crash report.
final class StderrTail: Sendable {
    private let storage = Mutex<[String]>([])
    static let kept = 5

    func append(_ line: String) {
        storage.withLock { lines in
            lines.append(String(line.prefix(300)))
            if lines.count > Self.kept { lines.removeFirst(lines.count - Self.kept) }
        }
    }

    var lines: [String] { storage.withLock { $0 } }
}

struct ProcessLaunchError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Cuts a byte stream into lines (without their `\n`, a trailing `\r` dropped).
/// `package` so the stdio framing fuzz target (Fuzz/jsonrpc) can feed it.
package struct LineSplitter {
    private var partial: [UInt8] = []
    /// A line longer than this is a runaway; it is cut rather than buffered without end.
    package static let maximumLine = 64 << 20

    package init() {}

    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ line: ([UInt8]) -> Void) {
        var start = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            partial.append(contentsOf: bytes[start..<index])
            if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
            line(partial)
            partial.removeAll(keepingCapacity: true)
            start = index + 1
        }
        partial.append(contentsOf: bytes[start..<bytes.count])
        if partial.count > Self.maximumLine {
            line(partial)
            partial.removeAll()
        }
    }
}
