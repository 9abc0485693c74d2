import Foundation
import Testing

/// A stranger flooding the agent's health endpoint with idle connections: the endpoint holds only a
/// few of them and closes them when idle, and the agent's own work (its readiness check, its
/// coordinator, its service) goes on.
@Suite("Health endpoint flood", .serialized)
struct HealthFloodTests {
    /// More connections than the agent may open once its soft limit of 256 is raised to the hard 512.
    static let floodSize = 1_100

    @Test("1,100 idle connections to the health endpoint leave the agent's probe, coordinator and service working")
    func idleFlood() async throws {
        let healthPort = try FreePort.pick()
        let probed = try AcceptingListener()
        defer { probed.stop() }
        let fleet = try Fleet(
            config: """
                services:
                  database: {}
                  api: { depends_on: [database] }
                """,
            placement: ["api": ["/usr/bin/prlimit", "--nofile=256:512"]])
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        let agent = try fleet.startAgent(
            "api",
            extraArguments: [
                "--health-port", String(healthPort), "--ready-tcp", "127.0.0.1:\(probed.port)", "--ready-interval",
                "1s",
            ])
        await fleet.waitUntilStarted(["database", "api"])
        await fleet.waitUntil("/readyz answers 200") { httpStatus(port: healthPort, path: "/readyz") == 200 }

        let agentPID = agent.processIdentifier
        #expect(openFileLimit(of: agentPID) == 512, "the agent raised its soft limit to the hard one")
        let servicePID = try #require(startedPID("api", in: fleet))
        #expect(openFileLimit(of: servicePID) == 256, "the service has the soft limit the agent was started with")
        let descriptorsBefore = try #require(openDescriptors(of: agentPID))

        // Held for longer than the endpoint's idle limit (5 s) and twenty probe intervals, enough
        // for three failed checks in a row.
        let flood = try fleet.startHostilePeer(
            ["hold", "127.0.0.1", String(healthPort), String(Self.floodSize), "25", "silent"], log: "flood")
        defer { if flood.isRunning { kill(flood.processIdentifier, SIGKILL) } }
        var mostDescriptors = descriptorsBefore
        let watchedFor = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < watchedFor, flood.isRunning {
            mostDescriptors = max(mostDescriptors, openDescriptors(of: agentPID) ?? 0)
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(agent.isRunning, "the agent survived the flood")
        // The cap, plus connections accepted over it that the endpoint's loop has not closed yet: a
        // loaded machine delays that loop, and beside every other suite 7 more were seen than an idle
        // one shows. Without the cap the flood would hold over a thousand.
        #expect(
            mostDescriptors <= descriptorsBefore + 32 + 24,
            "the agent held \(mostDescriptors) descriptors, \(descriptorsBefore) before the flood")
        #expect(!fleet.coordinatorProgress().contains("api unready"), "the agent's own check kept passing")
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        #expect(status.terminationStatus == 0)
        #expect(fleet.output("status.out").components(separatedBy: "\"ready\"").count == 3, "both services ready")

        #expect(await fleet.waitForExit(flood, timeout: .seconds(60)) == 0, "\(fleet.output("flood.err"))")
        let closed = HostilePeer.summary(fleet.output("flood.out"))["closed_by_peer"] as? Int ?? 0
        // A whole batch of 32 closed proves the endpoint closes the connections it holds when idle.
        #expect(closed >= 32, "idle connections were closed: \(closed)")
        await fleet.waitUntil("/readyz answers 200 once the flood is gone") {
            httpStatus(port: healthPort, path: "/readyz") == 200
        }
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(await fleet.waitForExit(agent) == 0)
    }
}

/// The pid `service` recorded when it started.
private func startedPID(_ service: String, in fleet: Fleet) -> Int32? {
    for line in fleet.output("timeline.log").split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 4, parts[1] == service, parts[2] == "started" { return Int32(parts[3]) }
    }
    return nil
}

/// The soft limit on open files of process `pid`, from /proc.
private func openFileLimit(of pid: Int32) -> Int? {
    guard let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
        let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
    else { return nil }
    return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
}

/// How many descriptors process `pid` has open, from /proc.
private func openDescriptors(of pid: Int32) -> Int? {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
}

/// A TCP listener on a free loopback port that accepts every connection and closes it at once, on
/// its own thread: the target of a readiness check.
final class AcceptingListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let (listener, port) = try listenOnLoopback(backlog: 64)
        descriptor = listener
        self.port = port
        Thread.detachNewThread {
            while case let connection = accept(listener, nil, nil), connection >= 0 { close(connection) }
        }
    }

    /// Ends the accepting thread (its accept fails) and closes the listener.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
