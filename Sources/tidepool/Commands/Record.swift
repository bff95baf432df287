import ArgumentParser
import Controller
import Foundation
import Logging
import Pool
import Scaler
import Synchronization

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a configuration and record what one autoscaler observes, in the replay format.",
        discussion: """
            Runs everything the configuration runs (as tidepool run does) for --duration, and \
            writes one JSON line per sync of the autoscaler: its target's scale, the members as \
            pods, and each metric's values. tidepool replay --metrics FILE reads the result.
            """
    )

    @Option(help: ArgumentHelp("The configuration file (YAML).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The autoscaler whose observations to record.", valueName: "name"))
    var autoscaler: String

    @Option(help: ArgumentHelp("How long to record: 90s, 10m, 1h30m.", valueName: "duration"))
    var duration: String

    @Option(help: ArgumentHelp("Where to write the recording (JSON Lines).", valueName: "file"))
    var out: String

    @Option(name: .customLong("log-level"), help: "debug, info, warning or error.")
    var logLevel: String = "warning"

    func run() async throws {
        let logger = try bootstrapLogging(levelNamed: logLevel)
        guard let span = TimeSpan(goText: duration), span.nanoseconds > 0 else {
            throw ValidationError("--duration: \"\(duration)\" is not a duration like 90s, 10m or 1h30m")
        }
        let runtime: LocalRuntime
        do {
            runtime = try LocalRuntime(config: try TidepoolConfig.load(path: config), logger: logger)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        guard let recorded = runtime.reconcileLoop.autoscalers.first(where: { $0.name == autoscaler }) else {
            let names = runtime.reconcileLoop.autoscalers.map(\.name)
            printError("--autoscaler: no autoscaler of a local pool named \(autoscaler)"
                       + (names.isEmpty ? "" : " (configured: \(names.joined(separator: ", ")))"))
            throw ExitCode(1)
        }
        guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
            printError("\(out): cannot be written")
            throw ExitCode(1)
        }
        let writer = RecordingWriter(file: file)
        recorded.observe { observation in writer.append(observation) }

        let task = Task { try await runtime.run() }
        let signals = Run.onTermination(graceful: { runtime.stop() }, immediate: { task.cancel() })
        defer { signals.forEach { $0.cancel() } }
        let deadline = Task {
            try await Task.sleep(for: .nanoseconds(span.nanoseconds))
            runtime.stop()
        }
        printError("recording \(autoscaler) for \(duration) into \(out) (one line per sync)")
        do {
            try await task.value
        } catch is CancellationError {
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        deadline.cancel()
        try? file.close()
        printError("recorded \(writer.count) observations into \(out)")
    }
}

/// Appends observation lines to a file as they come.
final class RecordingWriter: Sendable {
    private let state: Mutex<(file: FileHandle, count: Int)>

    init(file: FileHandle) {
        state = Mutex((file, 0))
    }

    var count: Int { state.withLock { $0.count } }

    func append(_ observation: Observation) {
        var writer = JSONWriter(reservingCapacity: 2048)
        observation.write(to: &writer)
        let line = Data(writer.bytes + [0x0A])
        state.withLock { state in
            state.file.write(line)
            state.count += 1
        }
    }
}
