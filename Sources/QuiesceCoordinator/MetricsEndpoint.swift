import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import QuiesceCore
import QuiesceRuntime
import Synchronization

/// `GET /metrics` in Prometheus's text format, served by Hummingbird on Swift's concurrency threads
/// from the registry the reactor records into (which locks its own values). Like the agent's health
/// endpoint it holds at most `connectionLimit` connections and closes idle ones, so that whoever
/// reaches the port cannot take the coordinator's descriptors.
final class MetricsEndpoint: Sendable {
    static let idleTimeoutSeconds: Int64 = 5
    static let connectionCeiling = 16

    /// Serves `registry` on `address`; returns once listening, or throws what kept it from listening.
    init(address: ListenAddress, registry: PrometheusCollectorRegistry, connectionLimit: Int, logger: Logger) throws {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let started = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let running = Mutex(false)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Self.idleTimeoutSeconds))),
            configuration: .init(
                address: .hostname(address.host, port: address.port), serverName: "quiesce-coordinator",
                availableConnectionsDelegate: .maximum(connectionLimit, logger: logger)),
            onServerRunning: { _ in
                running.withLock { $0 = true }
                started.signal()
            },
            logger: logger)
        Task.detached {
            do {
                try await application.run()
            } catch {
                failure.withLock { $0 = error }
                // A failure to start is the coordinator's to report; one later is only logged.
                if running.withLock({ $0 }) {
                    logger.error("The metrics endpoint stopped", metadata: ["error": "\(error)"])
                }
            }
            started.signal()
        }
        guard started.wait(timeout: .now() + .seconds(10)) == .success else {
            throw MetricsEndpointFailure(description: "the metrics endpoint on \(address) did not start within 10s")
        }
        if let error = failure.withLock({ $0 }) {
            switch error {
            case let error as IOError:
                throw ListenFailure(.metrics, address: address.description, code: error.errnoCode)
            case is SocketAddressError: throw ListenFailure(.metrics, address: address.description, code: ENODEV)
            default: break
            }
            throw MetricsEndpointFailure(
                description: "cannot serve metrics on \(address): \(error) (\(ListenFailure.Listener.metrics.setting))")
        }
        logger.info("Metrics served", metadata: ["address": "\(address)", "path": "/metrics"])
    }

}

/// The metrics endpoint could not listen (its port is in use, its address is not this host's): a
/// setting to fix, found before anything is started.
public struct MetricsEndpointFailure: Error, CustomStringConvertible {
    public var description: String
}
