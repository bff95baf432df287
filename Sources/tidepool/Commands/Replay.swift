import ArgumentParser
import Controller
import Foundation
import Scaler

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Dry-run an HPA against recorded metrics: what it would have decided, step by step.",
        discussion: """
            --metrics takes a recording (JSON Lines observations, as `tidepool record` writes them), \
            a CSV table (timestamp,replicas,<metric>... with RFC 3339 or Unix-seconds timestamps), or \
            Prometheus query_range responses saved with curl (one file per metric, or one with \
            several series; --series picks them). Each sync (every --sync-period) uses the last \
            observation at or before it and carries the controller's history to the next, exactly \
            as the controller would. A gap in the data is a failed metric for those syncs, never a zero.

            A Resource metric with a Utilization target reads its CSV column or series as the \
            average utilization in percent; Resource and Pods metrics otherwise as the per-pod \
            average; Object and External metrics as their value.

            --hpa also takes a Tidepool autoscaler (its schedules apply) or a whole configuration \
            (FILE#NAME picks an autoscaler); --schedule applies day/night windows from a file.

            --mode recorded (the default) keeps the recorded replica count at every step and shows \
            what the HPA would have decided against what happened. --mode simulate lets the HPA's \
            own decisions drive the replica count, spreading the recorded demand over it (new \
            replicas ready after --startup-delay).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, jsonl, csv
    }

    @Option(help: ArgumentHelp("The HorizontalPodAutoscaler (YAML or JSON, as kubectl prints it, or a bare spec), or a Tidepool autoscaler.", valueName: "file"))
    var hpa: String

    @Option(parsing: .upToNextOption, help: ArgumentHelp("A recording, a CSV table, or saved query_range responses (several files allowed).", valueName: "file"))
    var metrics: [String]

    @Option(help: ArgumentHelp("Which series feeds a metric (or `replicas`): NAME=FILE, NAME=FILE{label=\"value\"} or NAME={label=\"value\"}.", valueName: "name=selector"))
    var series: [String] = []

    @Option(help: ArgumentHelp("Day/night windows replacing minReplicas and maxReplicas while active (a schedules: list).", valueName: "file"))
    var schedule: String?

    @Option(help: "recorded: keep the recorded replicas; simulate: follow the HPA's own decisions.")
    var mode: ReplayOptions.Mode = .recorded

    @Option(help: "table: a readable timeline and summary; jsonl: one object per step (summary on standard error); csv.")
    var format: Format = .table

    @Option(name: .customLong("sync-period"), help: "Seconds between controller syncs.")
    var syncPeriod: Double = 15

    @Option(name: .customLong("startup-delay"), help: "Seconds a simulated new replica takes to become ready.")
    var startupDelay: Double = 30

    @Option(help: ArgumentHelp("Also draw the metrics against their targets and the replicas over time as SVG.", valueName: "file.svg"))
    var plot: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Other HPAs to replay over the same data; their summaries print side by side.", valueName: "file"))
    var compare: [String] = []

    func validate() throws {
        guard syncPeriod >= 1, syncPeriod <= 3600 else { throw ValidationError("--sync-period must be between 1 and 3600 seconds.") }
        guard startupDelay >= 0 else { throw ValidationError("--startup-delay must not be negative.") }
    }

    func run() throws {
        do {
            var policy = try ReplayInputs.policy(hpa)
            if let schedule { policy.schedules = try ScheduleConfig.load(schedule) }
            let (metadata, spec) = (policy.metadata, policy.spec)
            let observations = try ReplayInputs.observations(metrics, policy: policy, seriesFlags: series)
            guard !observations.isEmpty else {
                printError("\(metrics.joined(separator: ", ")): the recording holds no observations")
                throw ExitCode(1)
            }
            let options = ReplayOptions(mode: mode, syncPeriod: .milliseconds(syncPeriod), startupDelay: .milliseconds(startupDelay),
                                        schedules: policy.schedules, staleAfter: Replay.stalenessHorizon(of: observations))
            let progress = ProgressLine(label: "replaying")
            let result = Replay.run(spec: spec, metadata: metadata, observations: observations, options: options, progress: progress.update)
            progress.finish()

            switch format {
            case .jsonl:
                var writer = JSONWriter(reservingCapacity: result.steps.count * 512)
                ReplayReport.jsonLines(result, to: &writer)
                FileHandle.standardOutput.write(Data(writer.bytes))
                FileHandle.standardError.write(Data((ReplayReport.summary(result.summary, syncPeriod: options.syncPeriod) + "\n").utf8))
            case .csv:
                FileHandle.standardOutput.write(Data(ReplayReport.csv(result)))
                FileHandle.standardError.write(Data((ReplayReport.summary(result.summary, syncPeriod: options.syncPeriod) + "\n").utf8))
            case .table:
                print(ReplayReport.table(result, mode: mode))
                print("")
                print(ReplayReport.summary(result.summary, syncPeriod: options.syncPeriod))
            }

            var compared: [(label: String, result: ReplayResult)] = []
            for other in compare {
                let otherPolicy = try ReplayInputs.policy(other)
                var otherOptions = options
                // A compared autoscaler brings its own schedules; a bare HPA runs under --schedule's.
                if otherPolicy.schedules != nil { otherOptions.schedules = otherPolicy.schedules }
                compared.append(((other as NSString).lastPathComponent,
                                 Replay.run(spec: otherPolicy.spec, metadata: otherPolicy.metadata, observations: observations, options: otherOptions)))
            }
            if let plot {
                let title = "\(metadata.name.isEmpty ? "HPA" : metadata.name): \(mode == .simulate ? "simulated" : "recorded") replay"
                let chart = ReplayReport.chart(title: title, spec: spec, result: result,
                                               policyLabel: (hpa as NSString).lastPathComponent,
                                               metricLabel: mode == .simulate ? "simulated" : "recorded", compared: compared)
                guard FileManager.default.createFile(atPath: plot, contents: Data(chart.svg().utf8)) else {
                    printError("\(plot): cannot be written")
                    throw ExitCode(1)
                }
            }
            if !compare.isEmpty {
                var rows = [(name: (hpa as NSString).lastPathComponent, summary: result.summary)]
                for (label, other) in compared { rows.append((label, other.summary)) }
                let table = "\n" + ReplayReport.comparison(rows) + "\n"
                if format == .table { print(table, terminator: "") } else { FileHandle.standardError.write(Data(table.utf8)) }
            }
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

extension ReplayOptions.Mode: ExpressibleByArgument {}

extension TimeSpan {
    static func milliseconds(_ seconds: Double) -> TimeSpan { TimeSpan(nanoseconds: Int64((seconds * 1e9).rounded())) }
}

/// A progress line on standard error, only when it is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(2) != 0
    private var shown = false

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        shown = true
        FileHandle.standardError.write(Data("\r\(label) \(done)/\(total) (\(done * 100 / total)%)".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
