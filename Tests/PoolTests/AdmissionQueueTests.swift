import Foundation
import Pool
import Scaler
import Synchronization
import Testing

@Suite("AdmissionQueue and the overload settings")
struct AdmissionQueueTests {
    @Test("first come first served; a full queue refuses at once; the deadline ends a wait; cancellation leaves the queue")
    func queue() async throws {
        let queue = AdmissionQueue(settings: OverloadSettings(maxConcurrency: 1, maxQueue: 2, queueTimeout: .seconds(5)))
        let far = ContinuousClock.now + .seconds(30)
        final class Order: Sendable { let values = Mutex<[Int]>([]) }
        let order = Order()
        let first = Task { let outcome = await queue.wait(until: far); order.values.withLock { $0.append(1) }; return outcome }
        while queue.length < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let second = Task { let outcome = await queue.wait(until: far); order.values.withLock { $0.append(2) }; return outcome }
        while queue.length < 2 { try await Task.sleep(for: .milliseconds(1)) }
        // Full: the third is refused without waiting.
        #expect(await queue.wait(until: far) == .queueFull)
        queue.slotFreed()
        #expect(await first.value == .slotFreed)
        queue.slotFreed()
        #expect(await second.value == .slotFreed)
        #expect(order.values.withLock { $0 } == [1, 2])
        // A freed slot with nobody waiting is not saved up.
        queue.slotFreed()
        #expect(await queue.wait(until: .now + .milliseconds(20)) == .timedOut)
        let cancelled = Task { await queue.wait(until: far) }
        while queue.length < 1 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        #expect(await cancelled.value == .cancelled)
        #expect(queue.length == 0)
        let load = queue.load
        #expect(load.admitted == 2 && load.rejectedFull == 1 && load.rejectedTimeout == 1)
    }

    @Test("max_concurrency, max_queue and queue_timeout_ms decode, with defaults; the queue keys need max_concurrency")
    func config() throws {
        func decode(_ json: String) throws -> ServerConfig {
            try ServerConfig.decode(id: "math", try JSONParser.parse(json))
        }
        let limited = try decode(#"{"mode": "pool", "command": ["mcp-math"], "max_concurrency": 2, "max_queue": 4, "queue_timeout_ms": 250}"#)
        #expect(limited.overload == OverloadSettings(maxConcurrency: 2, maxQueue: 4, queueTimeout: .milliseconds(250)))
        let defaults = try decode(#"{"mode": "remote", "endpoint": "http://127.0.0.1:1/mcp", "max_concurrency": 8}"#)
        #expect(defaults.overload == OverloadSettings(maxConcurrency: 8, maxQueue: 64, queueTimeout: .seconds(1)))
        #expect(try decode(#"{"mode": "pool", "command": ["mcp-math"]}"#).overload == nil)
        #expect(OverloadSettings(maxConcurrency: 1, queueTimeout: .milliseconds(1500)).retryAfterSeconds == 2)
        #expect {
            try decode(#"{"mode": "pool", "command": ["mcp-math"], "max_queue": 4}"#)
        } throws: { error in
            "\(error)".contains("max_queue") && "\(error)".contains("add max_concurrency")
        }
        #expect {
            try decode(#"{"mode": "group", "members": [{"id": "a"}], "max_concurrency": 2}"#)
        } throws: { error in
            "\(error)".contains("max_concurrency") && "\(error)".contains("mode pool or remote")
        }
    }
}
