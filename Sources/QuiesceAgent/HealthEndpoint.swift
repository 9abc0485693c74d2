import Hummingbird
import Logging
import Synchronization

/// `GET /healthz` (the agent and its service's process are alive) and `GET /readyz` (the service is
/// ready and not draining), for Kubernetes probes and compose healthchecks. Served by Hummingbird on
/// Swift's concurrency threads; the reactor publishes the answers through ``update(alive:ready:)``.
///
/// Whoever reaches the port may connect, so the endpoint holds at most `connectionLimit` connections
/// (it accepts no more until one closes; the rest wait in the kernel's backlog, using none of the
/// agent's descriptors) and closes a connection idle for `idleTimeoutSeconds`: a flood can keep the
/// endpoint busy, never take the descriptors the agent's own work needs.
final class HealthEndpoint: Sendable {
    /// How long a connection may stay open without a request before it is closed, in seconds.
    static let idleTimeoutSeconds: Int64 = 5
    /// The most connections held at once, whatever the descriptor limit.
    static let connectionCeiling = 64

    private let state = Mutex((alive: false, ready: false))

    /// Starts serving on `host:port` in the background, holding at most `connectionLimit` connections.
    init(host: String, port: Int, connectionLimit: Int, logger: Logger) {
        let router = Router()
        router.get("healthz") { [self] _, _ in
            Self.answer(state.withLock { $0.alive }, up: "alive", down: "not running")
        }
        router.get("readyz") { [self] _, _ in
            Self.answer(state.withLock { $0.ready }, up: "ready", down: "not ready")
        }
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Self.idleTimeoutSeconds))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "quiesce-agent",
                availableConnectionsDelegate: .maximum(connectionLimit, logger: logger)),
            logger: logger)
        Task.detached {
            do {
                try await application.run()
            } catch {
                logger.error("The health endpoint stopped", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Publishes what the endpoints answer from now on.
    func update(alive: Bool, ready: Bool) {
        state.withLock { $0 = (alive, ready) }
    }

    private static func answer(_ healthy: Bool, up: String, down: String) -> Response {
        Response(
            status: healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "text/plain"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: (healthy ? up : down) + "\n")))
    }
}
