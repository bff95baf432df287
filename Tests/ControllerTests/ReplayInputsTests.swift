import Controller
import Foundation
import Scaler
import Testing

/// Files for one test, in a directory of their own, removed afterwards.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tidepool-replay-inputs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

private let hpaYAML = """
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web, namespace: shop}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 10
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
        - type: Pods
          pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: "100"}}
    """

/// A saved /api/v1/query_range answer with one series per entry of `series`.
private func matrix(_ series: [(labels: [String: String], points: [(Int, String)])]) -> String {
    let results = series.map { entry in
        let labels = entry.labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        let values = entry.points.map { "[\($0.0),\"\($0.1)\"]" }.joined(separator: ",")
        return "{\"metric\":{\(labels)},\"values\":[\(values)]}"
    }
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\(results.joined(separator: ","))]}}"
}

@Suite("Replay inputs: CSV and saved Prometheus queries")
struct ReplayInputsTests {
    let t0 = 1_795_219_200

    private func policy(_ directory: ScratchDirectory) throws -> ReplayPolicy {
        try ReplayInputs.policy(try directory.write("hpa.yaml", hpaYAML))
    }

    private func pods(_ observation: Observation, metric index: Int) -> [Int64]? {
        guard case .podValues(let samples) = observation.metrics[index] else { return nil }
        return samples.map(\.sample.milliValue)
    }

    @Test("CSV: a row per time, utilization in percent, per-pod averages, empty cells are gaps")
    func csvRows() throws {
        let directory = try ScratchDirectory()
        let csv = try directory.write("day.csv", """
            timestamp,replicas,cpu,rps
            2026-11-21T00:00:00Z,3,60,120
            \(t0 + 60),3,,90.5
            \(t0 + 120),4,45,NaN
            """)
        let observations = try ReplayInputs.observations([csv], policy: try policy(directory))
        #expect(observations.map(\.timestamp.floorSeconds) == [Int64(t0), Int64(t0 + 60), Int64(t0 + 120)])
        #expect(observations.map(\.scale.specReplicas) == [3, 3, 4])
        #expect(observations[2].pods.count == 4)
        // 60 % of a request of 100 units is a usage of 60 units on every pod.
        #expect(pods(observations[0], metric: 0) == [60_000, 60_000, 60_000])
        #expect(observations[0].pods[0].containers[0].requests["cpu"] == 100_000)
        #expect(pods(observations[1], metric: 1) == [90_500, 90_500, 90_500])
        guard case .error(let message) = observations[1].metrics[0] else {
            Issue.record("an empty cell must be a failed metric, found \(observations[1].metrics[0])")
            return
        }
        #expect(message.contains("gap"))
        guard case .error = observations[2].metrics[1] else {
            Issue.record("NaN must be a failed metric")
            return
        }
    }

    @Test("CSV errors name the file, the line and the column")
    func csvErrors() throws {
        let directory = try ScratchDirectory()
        let policy = try policy(directory)
        let cases: [(String, String)] = [
            ("timestamp,replicas,cpu,rps\n\(t0),3,sixty,1\n", "bad.csv:2: column cpu: \"sixty\" is not a number or quantity"),
            ("timestamp,replicas,cpu,rps\n\(t0),3,1\n", "bad.csv:2: 3 cells where the header has 4 columns"),
            ("timestamp,replicas,cpu,rps\nyesterday,3,1,1\n", "bad.csv:2: timestamp: \"yesterday\" is not an RFC 3339 timestamp"),
            ("timestamp,replicas,cpu,rps\n\(t0 + 60),3,1,1\n\(t0),3,1,1\n", "bad.csv:3: timestamp \(t0) is not after the row before"),
            ("when,replicas,cpu\n", "bad.csv:1: the first row names the columns and starts with timestamp"),
            ("timestamp,replicas,cpu,rqs\n\(t0),3,1,1\n", "column \"rqs\" is not a metric of this HPA (did you mean \"rps\"?)"),
            ("timestamp,cpu,rps\n\(t0),1,1\n", "no series for the replica count"),
        ]
        for (text, expected) in cases {
            let file = try directory.write("bad.csv", text)
            do {
                _ = try ReplayInputs.observations([file], policy: policy)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
            }
        }
    }

    @Test("query_range: series found by name, by file name and by --series; missing points are gaps")
    func queryRangeMapping() throws {
        let directory = try ScratchDirectory()
        let policy = try policy(directory)
        let minutes = Array(0..<10)
        // rps has a hole from minute 4 to 6; cpu is sampled 20 s later than the others.
        let rps = try directory.write("rps.json", matrix([([:], minutes.filter { !(4...6).contains($0) }.map { (t0 + 60 * $0, "150") })]))
        let replicas = try directory.write("state.json", matrix([
            (["__name__": "kube_deployment_spec_replicas", "deployment": "web"], minutes.map { (t0 + 60 * $0, "2") }),
        ]))
        let cpu = try directory.write("usage.json", matrix([
            (["__name__": "cpu_pct", "pod_group": "web"], minutes.map { (t0 + 60 * $0 + 20, "40") }),
            (["__name__": "cpu_pct", "pod_group": "db"], minutes.map { (t0 + 60 * $0 + 20, "90") }),
        ]))
        let observations = try ReplayInputs.observations([rps, replicas, cpu], policy: policy,
                                                         seriesFlags: ["cpu=usage.json{pod_group=\"web\"}"])
        // The union of the times: each minute and 20 s past it.
        #expect(observations.count == 20)
        #expect(observations.allSatisfy { $0.scale.specReplicas == 2 })
        let atMinute5 = try #require(observations.first { $0.timestamp.floorSeconds == Int64(t0 + 300) })
        guard case .error = atMinute5.metrics[1] else {
            Issue.record("a missing point must be a failed metric, found \(atMinute5.metrics[1])")
            return
        }
        #expect(pods(atMinute5, metric: 0) == [40_000, 40_000])  // cpu from 4:20 still holds at 5:00
        let atMinute3 = try #require(observations.first { $0.timestamp.floorSeconds == Int64(t0 + 180) })
        #expect(pods(atMinute3, metric: 1) == [150_000, 150_000])
    }

    @Test("query_range: ambiguity, unknown names and Prometheus errors are explained")
    func queryRangeErrors() throws {
        let directory = try ScratchDirectory()
        let policy = try policy(directory)
        let two = try directory.write("cpu.json", matrix([
            (["__name__": "cpu", "pod": "a"], [(t0, "1")]), (["__name__": "cpu", "pod": "b"], [(t0, "1")]),
        ]))
        let rps = try directory.write("rps.json", matrix([([:], [(t0, "1")])]))
        let replicas = try directory.write("replicas.json", matrix([([:], [(t0, "3")])]))
        #expect(throws: InputError.self) { try ReplayInputs.observations([two, rps, replicas], policy: policy) }
        do {
            _ = try ReplayInputs.observations([two, rps, replicas], policy: policy)
        } catch {
            #expect(error.description.contains("2 series could be cpu"))
            #expect(error.description.contains("--series 'cpu=FILE{label=\"value\"}'"))
        }
        do {
            _ = try ReplayInputs.observations([two, rps, replicas], policy: policy, seriesFlags: ["cpuu=cpu.json{pod=\"a\"}"])
            Issue.record("an unknown metric name was accepted")
        } catch {
            #expect(error.description.contains("\"cpuu\" is not a metric of this HPA (did you mean \"cpu\"?)"))
        }
        let failed = try directory.write("failed.json", #"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#)
        do {
            _ = try ReplayInputs.observations([failed], policy: policy)
            Issue.record("a Prometheus error response was accepted")
        } catch {
            #expect(error.description == "\(failed): status: the saved response is a Prometheus error (bad_data): parse error at char 4")
        }
        let vector = try directory.write("vector.json", #"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
        do {
            _ = try ReplayInputs.observations([vector], policy: policy)
            Issue.record("an instant query was accepted")
        } catch {
            #expect(error.description.contains("data.resultType: is \"vector\"; replay needs a range query's \"matrix\""))
        }
    }

    @Test("a hole in the data fails the metrics for the syncs inside it, never reads zero")
    func gapsDuringReplay() throws {
        let directory = try ScratchDirectory()
        var rows = ["timestamp,replicas,cpu,rps"]
        for minute in 0..<30 where !(10..<20).contains(minute) {
            rows.append("\(t0 + 60 * minute),4,20,10")
        }
        let csv = try directory.write("holes.csv", rows.joined(separator: "\n"))
        let policy = try policy(directory)
        let observations = try ReplayInputs.observations([csv], policy: policy)
        let options = ReplayOptions(syncPeriod: .seconds(60), staleAfter: Replay.stalenessHorizon(of: observations))
        let result = Replay.run(spec: policy.spec, metadata: policy.metadata, observations: observations, options: options)
        #expect(result.steps.count == 30)
        for step in result.steps {
            let minute = (step.timestamp.floorSeconds - Int64(t0)) / 60
            if (12..<20).contains(minute) {
                // Low usage would scale down to 2; with no data the HPA holds its count.
                #expect(step.decision.recommendation == nil, "minute \(minute)")
                #expect(step.desiredReplicas == 4, "minute \(minute)")
            } else {
                #expect(step.decision.recommendation != nil, "minute \(minute)")
            }
        }
    }
}

@Suite("Replay policies and schedules")
struct ReplayPolicyTests {
    @Test("a Tidepool autoscaler brings its schedules; FILE#NAME picks one from a configuration")
    func autoscalerPolicy() throws {
        let directory = try ScratchDirectory()
        try directory.write("hpa.yaml", hpaYAML)
        let config = try directory.write("tidepool.yaml", """
            autoscalers:
              - name: web
                target: {kubernetes: {kind: Deployment, name: web}}
                hpa: hpa.yaml
                schedules:
                  - {name: night, start: "0 0 * * *", end: "0 8 * * *", timezone: Europe/Berlin, minReplicas: 1, maxReplicas: 2}
              - name: inline
                target: {pool: math}
                spec: {maxReplicas: 5, metrics: []}
            """)
        let web = try ReplayInputs.policy(config + "#web")
        #expect(web.metadata.name == "web")
        #expect(web.spec.maxReplicas == 10)
        #expect(web.schedules?.schedules.map(\.name) == ["night"])
        let inline = try ReplayInputs.policy(config + "#inline")
        #expect(inline.spec.maxReplicas == 5)
        #expect(inline.metadata.name == "inline")
        #expect(inline.schedules == nil)
        do {
            _ = try ReplayInputs.policy(config)
            Issue.record("two autoscalers and no name were accepted")
        } catch {
            #expect(error.description.contains("holds 2 autoscalers; pick one with \(config)#NAME (web, inline)"))
        }
    }

    @Test("configuration mistakes name the field and suggest the key meant")
    func autoscalerErrors() throws {
        let directory = try ScratchDirectory()
        let cases: [(String, String)] = [
            ("name: a\nspec: {maxReplicas: 3}\nschedules: [{name: n, start: '0 0 * * *', end: '0 8 * * *', timezone: Mars/Olympus, minReplicas: 1}]",
             "schedules[0].timezone: \"Mars/Olympus\" is not a known time zone"),
            ("name: a\nspec: {maxReplicas: 3}\nschedules: [{name: n, strat: '0 0 * * *', end: '0 8 * * *', timezone: UTC}]",
             "schedules[0].strat: unknown field (did you mean \"start\"?)"),
            ("name: a\nspec: {maxReplicas: 3}\nschedules: [{name: n, start: '0 25 * * *', end: '0 8 * * *', timezone: UTC, minReplicas: 1}]",
             "schedules[0].start:"),
            ("name: a\nspec: {maxReplicas: 3}\ntarget: {pool: x}\nmetrics: {q: {scrape: {url: 'http://x', metric: q, lables: {}}}}",
             "metrics.q.scrape.lables: unknown field (did you mean \"labels\"?)"),
            ("name: a\nhpa: missing.yaml\nschedules: []", "hpa: "),
        ]
        for (text, expected) in cases {
            let file = try directory.write("autoscaler.yaml", text)
            do {
                _ = try ReplayInputs.policy(file)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
            }
        }
    }

    @Test("a schedule file applies Berlin's night window across the autumn clock change")
    func scheduleAcrossDaylightSaving() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("schedule.yaml", """
            - {name: night, start: "0 1 * * *", end: "0 5 * * *", timezone: Europe/Berlin, maxReplicas: 2}
            """)
        let schedules = try ScheduleConfig.load(file)
        // 2026-10-25: Berlin goes from +02:00 to +01:00 at 03:00 local.
        let before = try #require(Timestamp(rfc3339: "2026-10-24T23:30:00Z"))  // 01:30 +02:00
        let after = try #require(Timestamp(rfc3339: "2026-10-26T00:30:00Z"))  // 01:30 +01:00
        #expect(schedules.activeWindow(at: before)?.schedule.name == "night")
        #expect(schedules.activeWindow(at: after)?.schedule.name == "night")
        // 05:00 local is 03:00Z in summer time and 04:00Z in winter time.
        #expect(schedules.activeWindow(at: try #require(Timestamp(rfc3339: "2026-10-25T02:59:00Z")))?.schedule.name == "night")
        #expect(schedules.activeWindow(at: try #require(Timestamp(rfc3339: "2026-10-25T03:30:00Z")))?.schedule.name == "night")
        #expect(schedules.activeWindow(at: try #require(Timestamp(rfc3339: "2026-10-25T04:00:00Z"))) == nil)
        let zone = try #require(SystemTimeZone(identifier: "Europe/Berlin"))
        #expect(zone.utcOffset(at: before) == 7200)
        #expect(zone.utcOffset(at: after) == 3600)
    }

    @Test("replay with a schedule: the window's bounds apply while it is active, and the steps say so")
    func replayUnderSchedule() throws {
        let directory = try ScratchDirectory()
        let policy = try ReplayInputs.policy(try directory.write("hpa.yaml", hpaYAML))
        var rows = ["timestamp,replicas,cpu,rps"]
        let start = 1_795_219_200  // 2026-11-21T00:00:00Z
        for minute in 0..<120 { rows.append("\(start + 60 * minute),4,50,100") }
        let observations = try ReplayInputs.observations([try directory.write("flat.csv", rows.joined(separator: "\n"))], policy: policy)
        let schedules = try ScheduleConfig.load(try directory.write("s.yaml", """
            schedules:
              - {name: burst, start: "30 0 * * *", end: "0 1 * * *", timezone: UTC, minReplicas: 6}
            """))
        let result = Replay.run(spec: policy.spec, metadata: policy.metadata, observations: observations,
                                options: ReplayOptions(syncPeriod: .seconds(60), schedules: schedules))
        for step in result.steps {
            let minute = (step.timestamp.floorSeconds - Int64(start)) / 60
            if (30..<60).contains(minute) {
                #expect(step.activeSchedule == "burst", "minute \(minute)")
                #expect(step.desiredReplicas == 6, "minute \(minute)")
            } else {
                #expect(step.activeSchedule == nil, "minute \(minute)")
                #expect(step.desiredReplicas == 4, "minute \(minute)")
            }
        }
    }
}
