import Controller
import Foundation
import Logging
import Pool
import Scaler
import Synchronization
import Testing

/// The reconcile loop's autoscaler against a target and metrics the test controls, with time
/// passed in: schedules across a daylight-saving change, durable state across a restart,
/// scale from zero, and the records it keeps.
@Suite("Autoscaler")
struct AutoscalerTests {
    /// A scale target whose pods are all ready and whose size is whatever was last set.
    final class FakeTarget: ScaleTarget {
        let replicas: Mutex<Int32>
        let scaleCalls = Mutex<[Int32]>([])

        init(replicas: Int32) {
            self.replicas = Mutex(replicas)
        }

        var description: String { "fake/web" }

        func snapshot() async throws -> TargetSnapshot {
            let count = replicas.withLock { $0 }
            let pods = (0..<count).map { Pod(name: "web-\($0)", startTime: Timestamp(secondsSinceEpoch: 0), ready: true) }
            return TargetSnapshot(scale: Scale(specReplicas: count, statusReplicas: count), pods: pods)
        }

        func scale(to replicas: Int32) async throws {
            self.replicas.withLock { $0 = replicas }
            scaleCalls.withLock { $0.append(replicas) }
        }
    }

    /// An External metric whose total the test sets: with an AverageValue target of 1, the
    /// total is the replica count the metric asks for.
    final class Demand: MetricsGathering {
        let total = Mutex<Int64>(0)

        func set(_ replicas: Int64) { total.withLock { $0 = replicas } }

        func gather(for snapshot: TargetSnapshot, now: Timestamp) async -> [MetricObservation] {
            [.values([Quantity(milli: total.withLock { $0 } * 1000)])]
        }
    }

    static func config(_ extra: String = "", minReplicas: Int = 1) throws -> AutoscalerConfig {
        let yaml = """
            name: web
            target: {pool: web}
            spec:
              minReplicas: \(minReplicas)
              maxReplicas: 10
              metrics:
                - type: External
                  external:
                    metric: {name: demand}
                    target: {type: AverageValue, averageValue: "1"}
              behavior:
                scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Pods, value: 10, periodSeconds: 15}]}
                scaleDown: {stabilizationWindowSeconds: 300}
            metrics:
              demand: {gateway: waiting}
            \(extra)
            """
        return try AutoscalerConfig.decode(try DocumentLoader.parse(Array(yaml.utf8), source: "test.yaml"), baseDirectory: "/")
    }

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func time(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-state-\(UUID().uuidString)").path
        return path
    }

    @Test("a night window caps maxReplicas until 08:00 Berlin time, which after the October change is 07:00 UTC")
    func scheduleAcrossDaylightSaving() async throws {
        let config = try Self.config("""
            schedules:
              - {name: night, start: "0 0 * * *", end: "0 8 * * *", timezone: Europe/Berlin, minReplicas: 1, maxReplicas: 2}
            """)
        let target = FakeTarget(replicas: 2)
        let demand = Demand()
        demand.set(6)
        let autoscaler = Autoscaler(config: config, target: target, gatherer: demand, store: nil, logger: Self.logger)

        // 2026-10-25 is the night Berlin goes from CEST (+02:00) back to CET (+01:00) at 03:00.
        // 01:30 CEST: night.
        let early = try #require(await autoscaler.sync(at: Self.time("2026-10-24T23:30:00Z")))
        #expect(early.desiredReplicas == 2)
        #expect(early.conditions.contains { $0.reason == "TooManyReplicas" })
        // 06:30 UTC is 07:30 CET: still night. (With the summer offset it would be 08:30.)
        let stillNight = try #require(await autoscaler.sync(at: Self.time("2026-10-25T06:30:00Z")))
        #expect(stillNight.desiredReplicas == 2)
        let status = try #require(autoscaler.status)
        #expect(status["schedule"]?["active"] == .string("night"))
        #expect(status["schedule"]?["next"] == .string("2026-10-25T08:00:00+01:00"))
        #expect(status["schedule"]?["nextChange"] == .string(#""night" ends: the autoscaler's own minReplicas and maxReplicas apply"#))
        // 07:00 UTC is 08:00 CET: the window is over and the HPA's own maxReplicas applies.
        let day = try #require(await autoscaler.sync(at: Self.time("2026-10-25T07:00:00Z")))
        #expect(day.desiredReplicas == 6)
        #expect(target.replicas.withLock { $0 } == 6)
        #expect(autoscaler.status?["schedule"]?["active"] == .null)
    }

    @Test("the stabilization window survives a restart: the saved history holds the scale-down")
    func restartKeepsStabilization() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AutoscalerStateStore(directory: directory)
        let config = try Self.config()
        let target = FakeTarget(replicas: 1)
        let demand = Demand()
        let start = Self.time("2026-11-20T12:00:00Z")

        let first = Autoscaler(config: config, target: target, gatherer: demand, store: store, logger: Self.logger)
        demand.set(5)
        #expect(await first.sync(at: start)?.desiredReplicas == 5)
        demand.set(1)
        // Within the 300 s window the high recommendation holds.
        #expect(await first.sync(at: start + .seconds(15))?.desiredReplicas == 5)

        // "Restart": a new autoscaler from what the store kept.
        let saved = try #require(try store.load("web"))
        #expect(saved.desiredReplicas == 5)
        #expect(saved.history.recommendations?.contains { $0.replicas == 5 && $0.timestamp == start } == true)
        let restarted = Autoscaler(config: config, target: target, gatherer: demand, store: store, restored: saved, logger: Self.logger)
        #expect(await restarted.sync(at: start + .seconds(60))?.desiredReplicas == 5)

        // The window goes on from the saved recommendations: 300 s after the last high one
        // (at +15 s) it scales down, not 300 s after the restart.
        #expect(await restarted.sync(at: start + .seconds(316))?.desiredReplicas == 1)
        // Without the saved history the window starts over at the restart (upstream seeds it
        // with the current size), and the scale-down comes later than the policy says.
        let amnesiac = Autoscaler(config: config, target: FakeTarget(replicas: 5), gatherer: demand, store: nil, logger: Self.logger)
        #expect(await amnesiac.sync(at: start + .seconds(60))?.desiredReplicas == 5)
        #expect(await amnesiac.sync(at: start + .seconds(316))?.desiredReplicas == 5)
        #expect(target.replicas.withLock { $0 } == 1)
    }

    @Test("the state file is replaced whole, and a damaged one is named in the error")
    func stateFile() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AutoscalerStateStore(directory: directory)
        let state = PersistedAutoscaler(desiredReplicas: 3, lastScaleTime: Self.time("2026-11-20T12:00:00Z"),
                                        history: ScaleHistory(recommendations: [TimestampedRecommendation(timestamp: Self.time("2026-11-20T12:00:00Z"), replicas: 3)],
                                                              scaleUpEvents: [ScaleEvent(timestamp: Self.time("2026-11-20T12:00:00Z"), change: 2)]))
        try store.save(state, for: "web", at: Self.time("2026-11-20T12:00:01Z"))
        #expect(try store.load("web") == state)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["web.json"])
        #expect(try store.load("other") == nil)

        try Data("{\"version\": 1, \"desiredReplicas\": -2}".utf8).write(to: URL(fileURLWithPath: store.path(for: "web")))
        #expect {
            try store.load("web")
        } throws: { error in
            "\(error)".contains("web.json") && "\(error)".contains("desiredReplicas")
        }
    }

    @Test("scale from zero: calls at a target at zero start the bounds' minimum (at least one) at once, recorded as a scale-up")
    func scaleFromZero() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AutoscalerStateStore(directory: directory)
        let target = FakeTarget(replicas: 0)
        let autoscaler = Autoscaler(config: try Self.config(minReplicas: 0), target: target, gatherer: Demand(), store: store, logger: Self.logger)
        let now = Self.time("2026-11-20T12:00:00Z")
        await autoscaler.scaleFromZero(at: now)
        #expect(target.replicas.withLock { $0 } == 1)
        // A second wave of waiting calls finds it no longer at zero: nothing more.
        await autoscaler.scaleFromZero(at: now + .seconds(1))
        #expect(target.scaleCalls.withLock { $0 } == [1])
        let saved = try #require(try store.load("web"))
        #expect(saved.history.scaleUpEvents == [ScaleEvent(timestamp: now, change: 1)])
        let log = try String(contentsOfFile: store.decisionLogPath, encoding: .utf8)
        #expect(log.contains(#""currentReplicas":0,"desiredReplicas":1,"rescale":true"#))
    }

    @Test("a decision log line for each change of outcome, not for every sync")
    func decisionLog() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AutoscalerStateStore(directory: directory)
        let demand = Demand()
        demand.set(3)
        let autoscaler = Autoscaler(config: try Self.config(), target: FakeTarget(replicas: 3), gatherer: demand, store: store, logger: Self.logger)
        let start = Self.time("2026-11-20T12:00:00Z")
        for step in 0..<5 { await autoscaler.sync(at: start + .seconds(Int64(step) * 15)) }
        demand.set(4)
        await autoscaler.sync(at: start + .seconds(75))
        let lines = try String(contentsOfFile: store.decisionLogPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.contains(#""desiredReplicas":4,"rescale":true"#) == true)
        for line in lines { #expect((try? JSONParser.parse(String(line))) != nil) }
    }

    /// A source that fails while `down` is set.
    final class FlakySource: MetricsGathering {
        let down = Mutex(false)
        let demand = Mutex<Int64>(1)

        func gather(for snapshot: TargetSnapshot, now: Timestamp) async -> [MetricObservation] {
            if down.withLock({ $0 }) { return [.error("demand: http://127.0.0.1:9/metrics: connection refused")] }
            return [.values([Quantity(milli: demand.withLock { $0 } * 1000)])]
        }
    }

    @Test("a metric source that goes down: no scale-down while it is down, the condition says why, scaling resumes when it returns")
    func metricSourceDown() async throws {
        let target = FakeTarget(replicas: 4)
        let source = FlakySource()
        let autoscaler = Autoscaler(config: try Self.config(), target: target, gatherer: source, store: nil, logger: Self.logger)
        let start = Self.time("2026-11-20T12:00:00Z")
        source.down.withLock { $0 = true }
        for step in 0..<30 {
            let decision = try #require(await autoscaler.sync(at: start + .seconds(Int64(step) * 15)))
            #expect(decision.desiredReplicas == 4 && !decision.rescale)
        }
        let status = try #require(autoscaler.status)
        guard case .array(let conditions)? = status["conditions"] else { Issue.record("no conditions"); return }
        let active = conditions.first { $0["type"] == .string("ScalingActive") }
        #expect(active?["status"] == .string("False"))
        #expect(active?["reason"] == .string("FailedGetExternalMetric"))
        guard case .string(let message)? = active?["message"] else { Issue.record("no message"); return }
        #expect(message.contains("connection refused"), "\(message)")
        // Back: the demand (1) is read again and, the window long past, the pool shrinks.
        source.down.withLock { $0 = false }
        #expect(await autoscaler.sync(at: start + .seconds(30 * 15))?.desiredReplicas == 1)
    }

    @Test("an unwritable state directory: the loop goes on scaling, logs an error each sync, and saves again once it can")
    func stateDirectoryUnwritable() async throws {
        let base = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        // A regular file where the state directory should be: nothing can be written there.
        let blocked = (base as NSString).appendingPathComponent("state")
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: blocked))
        let store = AutoscalerStateStore(directory: blocked)
        let output = KeyValueLogOutput(capturing: true)
        let logger = Logger(label: "test") { KeyValueLogHandler(label: $0, level: .info, output: output) }
        let target = FakeTarget(replicas: 1)
        let demand = Demand()
        demand.set(3)
        let autoscaler = Autoscaler(config: try Self.config(), target: target, gatherer: demand, store: store, logger: logger)
        let start = Self.time("2026-11-20T12:00:00Z")
        #expect(await autoscaler.sync(at: start)?.desiredReplicas == 3)
        #expect(target.replicas.withLock { $0 } == 3)
        #expect(output.captured.contains { $0.hasPrefix("ERROR state_not_saved autoscaler=web") }, "\(output.captured)")
        // Fixed: the next sync saves.
        try FileManager.default.removeItem(atPath: blocked)
        await autoscaler.sync(at: start + .seconds(15))
        #expect(try store.load("web")?.desiredReplicas == 3)
    }
}
