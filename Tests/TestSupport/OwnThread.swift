import Foundation

/// Runs blocking test code (processes, sockets, sleeps) on a thread of its own, so it does not
/// hold one of the concurrency runtime's few threads while the code under test needs them.
///
/// The body stays in the calling task: it runs there with a task executor preference for a
/// dedicated thread. So the task's locals go with it, and an expectation that fails inside is
/// recorded against the running test (on a bare `Thread` it would belong to no test).
public func onOwnThread<Value: Sendable, Failure: Error>(
    _ body: @Sendable () throws(Failure) -> Value
) async throws(Failure) -> Value {
    let executor = DedicatedThreadExecutor()
    defer { executor.finish() }
    return try await withTaskExecutorPreference(executor) { () async throws(Failure) -> Value in
        try await runOnPreferredExecutor(body)
    }
}

/// `@concurrent`: the closure above runs where its caller does; this function leaves for the
/// task's preferred executor, the dedicated thread.
@concurrent
private func runOnPreferredExecutor<Value: Sendable, Failure: Error>(
    _ body: @Sendable () throws(Failure) -> Value
) async throws(Failure) -> Value {
    try body()
}

/// A task executor with one thread that runs its jobs in order, until `finish()`.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Invariant: `jobs` and `finished` are touched only with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    init() {
        let thread = Thread { [self] in runJobs() }
        thread.stackSize = 4 << 20
        thread.start()
    }

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs it has are run.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
