import ServiceLifecycle

/// An HTTP listener as a `Service`, so that a `ServiceGroup` can close it gracefully:
/// Hummingbird then stops accepting, finishes writing every response under way and closes each
/// connection after it (task cancellation, by contrast, drops the connections at once).
struct ListenerService: Service {
    let serve: @Sendable () async throws -> Void

    init(_ serve: @escaping @Sendable () async throws -> Void) {
        self.serve = serve
    }

    func run() async throws {
        try await serve()
    }
}
