import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The agent's `/healthz` and `/readyz`, and the drain before a stop.
@Suite("Health endpoint and drain", .serialized)
struct HealthEndpointTests {
    @Test("/readyz turns 503 when the drain begins, before the service gets its stop signal")
    func drainBeforeSignal() async throws {
        let healthPort = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  api: { drain: 15s }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent(
            "api", stopDelay: 0.1, extraArguments: ["--health-port", String(healthPort), "--health-host", "127.0.0.1"])
        await fleet.waitUntilStarted(["api"])
        await fleet.waitUntil("/readyz answers 200") { httpStatus(port: healthPort, path: "/readyz") == 200 }
        #expect(httpStatus(port: healthPort, path: "/healthz") == 200)

        // The drain is long enough that a poll slowed by a loaded machine still sees 503 before it ends:
        // beside every other suite on two cores, 6 s were not.
        let shutdownAt = Date().timeIntervalSince1970
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("/readyz answers 503") { httpStatus(port: healthPort, path: "/readyz") == 503 }
        let notReadyAt = Date().timeIntervalSince1970
        #expect(httpStatus(port: healthPort, path: "/healthz") == 200, "the process is still alive while draining")
        #expect(await fleet.waitForExit(coordinator) == 0)

        let signalled = try #require(fleet.time("api", "stop-begin"))
        #expect(notReadyAt < signalled, "the stop signal came before /readyz turned 503")
        #expect(signalled - shutdownAt >= 15.0, "the stop signal came before the 15 s drain was over")
    }

    @Test("/healthz answers 503 when the service's process is not running")
    func healthzWithoutProcess() async throws {
        let healthPort = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent(
            "api", extraArguments: ["--health-port", String(healthPort), "--health-host", "127.0.0.1"])
        await fleet.waitUntil("the health endpoint answers") { httpStatus(port: healthPort, path: "/healthz") != nil }

        #expect(httpStatus(port: healthPort, path: "/healthz") == 503, "api waits for database: no process yet")
        #expect(httpStatus(port: healthPort, path: "/readyz") == 503)
        #expect(await fleet.shutDown(coordinator) == 1)
    }
}

/// The HTTP status of `GET http://127.0.0.1:port/path`, or `nil` when nothing answers.
func httpStatus(port: Int, path: String) -> Int? {
    let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
    let result = HTTPResult()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: URLRequest(url: url, timeoutInterval: 2)) { _, response, _ in
        result.status = (response as? HTTPURLResponse)?.statusCode
        done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + 3)
    return result.status
}

private final class HTTPResult: @unchecked Sendable {
    var status: Int?
}
