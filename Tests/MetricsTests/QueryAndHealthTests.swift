import TidepoolMetrics
import Testing

@Suite("Prometheus query responses")
struct PrometheusResponseTests {
    static func decode(_ text: String, status: UInt = 200) throws -> PrometheusQueryResult {
        try PrometheusClient.decode(Array(text.utf8), status: status)
    }

    @Test("vectors and matrices keep labels; values arrive as strings, NaN and Inf included")
    func vectorAndMatrix() throws {
        let vector = try Self.decode(#"""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"up","job":"node"},"value":[1700000000.5,"1"]},
              {"metric":{"job":"x"},"value":[1700000000.5,"+Inf"]},
              {"metric":{},"value":[1700000000.5,"NaN"]}]}}
            """#)
        guard case .vector(let series) = vector else {
            Issue.record("not a vector: \(vector)")
            return
        }
        #expect(series.count == 3)
        #expect(series[0].labels == ["__name__": "up", "job": "node"])
        #expect(series[0].points == [PrometheusPoint(time: 1700000000.5, value: 1)])
        #expect(series[1].points.first?.value == .infinity)
        #expect(series[2].points.first?.value.isNaN == true)

        let matrix = try Self.decode(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"1.5"],[2,"-Inf"]]}]}}"#)
        #expect(matrix == .matrix([PrometheusSeries(labels: ["a": "b"], points: [
            PrometheusPoint(time: 1, value: 1.5), PrometheusPoint(time: 2, value: -.infinity),
        ])]))
    }

    @Test("scalars and strings")
    func scalarAndString() throws {
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#)
            == .scalar(PrometheusPoint(time: 1700000000, value: 2)))
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}}"#)
            == .string(time: 1700000000, value: "hello"))
    }

    @Test("errors keep Prometheus's type and text; other failures say what is wrong")
    func errors() {
        #expect(throws: PrometheusError.api(errorType: "bad_data", message: "1:5: parse error: unclosed left parenthesis")) {
            try Self.decode(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}"#, status: 400)
        }
        #expect(throws: PrometheusError.httpStatus(code: 502, body: "<html>bad gateway</html>")) {
            try Self.decode("<html>bad gateway</html>", status: 502)
        }
        #expect(throws: PrometheusError.malformedResponse("\"fast\" is not a number")) {
            try Self.decode(#"{"status":"success","data":{"resultType":"scalar","result":[1,"fast"]}}"#)
        }
        #expect(throws: PrometheusError.malformedResponse("unknown resultType streams")) {
            try Self.decode(#"{"status":"success","data":{"resultType":"streams","result":[]}}"#)
        }
    }
}

@Suite("Target health")
struct TargetHealthTests {
    let start = ContinuousClock.now

    @Test("never scraped, fresh, stale by silence (left-open), stale at once after a failure")
    func staleness() {
        var health = TargetHealth(stalenessPeriod: .seconds(300))
        #expect(health.currentSamples(at: start) == nil)
        let samples = [Sample(name: "up", labels: [], value: 1)]
        health.recordSuccess(samples, at: start)
        #expect(health.currentSamples(at: start + .seconds(299)) == samples)
        #expect(health.currentSamples(at: start + .seconds(300)) == nil)
        health.recordFailure(.timedOut(url: "http://127.0.0.1:1/metrics", seconds: 1))
        #expect(health.currentSamples(at: start + .seconds(1)) == nil)
        #expect(health.consecutiveFailures == 1)
        health.recordSuccess(samples, at: start + .seconds(2))
        #expect(health.currentSamples(at: start + .seconds(3)) == samples)
        #expect(health.consecutiveFailures == 0)
    }
}
