import Foundation
import QuiesceTestSupport
import Testing

/// The standby demo (`compose/standby`): two coordinators that elect their leader in one etcd, played
/// with etcd from Debian's package.
extension ComposeDemoTests {
    @Test(
        "standby: of two coordinators one leads and the other stands by; stopped as compose stops them, the leader stops the fleet in three waves and the standby ends alone",
        .enabled(if: LocalEtcd.isInstalled, "needs etcd and etcdctl (apt-get install etcd-server etcd-client)"))
    func standby() async throws {
        let player = try DemoPlayer("standby")
        defer { player.tearDown() }
        let (leader, standby, leading, standing) = try await Self.playStandbyDemo(player)
        let role = try #require(
            try await Self.statusDocument(of: player, coordinator: standby)["leadership"] as? [String: Any])
        #expect(role["role"] as? String == "standby")
        #expect(role["leader"] as? String == "tcp://\(leader):7700", "the standby names the leader by its --advertise")

        // `docker compose stop` signals both coordinators at once: they depend on every service.
        kill(standing.processIdentifier, SIGTERM)
        try await Self.shutDownThroughCoordinator(player, coordinator: leading, named: leader)
        #expect(await Fleet.waitForExit(standing, timeout: .seconds(60)) == 0, "\(player.output(standby))")
        #expect(
            player.output(standby).contains("a signal ends this standby coordinator only"),
            "\(standby) ended as a standby:\n\(player.output(standby))")
        let waves = (try player.report(of: leader)["services"] as? [[String: Any]] ?? []).compactMap {
            $0["wave"] as? Int
        }
        #expect(Set(waves) == Set(1...3))
        Self.expectEachStoppedOnce(player)
        try Self.expectStoppedBeforeDependencies(player)
    }

    @Test(
        "standby: the leader killed once the first wave has stopped; the standby takes over, finishes the shutdown in order and reports every service, nothing stopped twice",
        .enabled(if: LocalEtcd.isInstalled, "needs etcd and etcdctl (apt-get install etcd-server etcd-client)"))
    func standbyTakesOver() async throws {
        let player = try DemoPlayer("standby")
        defer { player.tearDown() }
        let (leader, standby, leading, standing) = try await Self.playStandbyDemo(player)
        kill(leading.processIdentifier, SIGTERM)
        await Fleet.waitUntil("the first wave has stopped", timeout: .seconds(60)) {
            // The shutdown's line, not the startup's "startup wave 2/3".
            player.output(leader).split(separator: "\n").contains { $0.hasPrefix("wave 2/3: stopping") }
                || !leading.isRunning
        }
        try #require(leading.isRunning, "\(leader) ended before it was killed:\n\(player.output(leader))")
        kill(leading.processIdentifier, SIGKILL)
        #expect(await Fleet.waitForExit(leading, timeout: .seconds(30)) != nil)
        #expect(await Fleet.waitForExit(standing, timeout: .seconds(180)) == 0, "\(player.output(standby))")
        #expect(player.output(standby).contains("Leading the fleet"), "\(standby) took over")
        try await Self.expectOrderedShutdown(player, reportedBy: standby)
        Self.expectEachStoppedOnce(player)
        try Self.expectStoppedBeforeDependencies(player)
    }

    /// Brings the demo up and waits until one coordinator leads, the other stands by and the fleet
    /// is playing; returns the two coordinators' names and processes.
    static func playStandbyDemo(
        _ player: DemoPlayer
    ) async throws -> (leader: String, standby: String, leading: ChildProcess, standing: ChildProcess) {
        _ = try await player.up()
        let (leader, standby) = try await waitUntilOneLeads(player)
        let leading = try #require(player.processes[leader])
        let standing = try #require(player.processes[standby])
        try await waitUntilPlaying(player, coordinator: leading, named: leader, working: ("edge", "listening"))
        return (leader, standby, leading, standing)
    }

    /// Waits until one of the demo's coordinators leads and the other stands by, by their logs, and
    /// returns their names.
    static func waitUntilOneLeads(_ player: DemoPlayer) async throws -> (leader: String, standby: String) {
        let names = player.coordinators
        try #require(names.count == 2, "the standby demo has two coordinators: \(names)")
        await Fleet.waitUntil("one coordinator leads and the other stands by", timeout: .seconds(120)) {
            names.contains { player.output($0).contains("Leading the fleet") }
                && names.contains { player.output($0).contains("standing by: ") }
        }
        let leader = try #require(
            names.first { player.output($0).contains("Leading the fleet") },
            "no coordinator leads:\n\(names.map { player.output($0) }.joined(separator: "\n"))")
        let standby = try #require(names.first { $0 != leader })
        #expect(!player.output(standby).contains("Leading the fleet"), "both coordinators led")
        return (leader, standby)
    }

    /// Every service's own last line ("stopped") came before each of its dependencies began to stop,
    /// by the timestamps the services wrote.
    static func expectStoppedBeforeDependencies(_ player: DemoPlayer) throws {
        let graph = try player.configuration().graph
        for service in player.services where service.managed {
            let stopped = try #require(
                time(of: " \(service.name) stopped ", in: player.output(service.name), format: .iso8601),
                "\(service.name) logged no stop:\n\(player.output(service.name))")
            for dependency in graph.dependencies(of: service.name) {
                let began = try #require(
                    time(of: " \(dependency) stop-begin", in: player.output(dependency), format: .iso8601),
                    "\(dependency) logged no stop-begin:\n\(player.output(dependency))")
                #expect(stopped < began, "\(dependency) began to stop before \(service.name) had stopped")
            }
        }
    }

    /// Every service began to stop once and stopped once, by its own log.
    static func expectEachStoppedOnce(_ player: DemoPlayer) {
        for service in player.services where service.managed {
            let lines = player.output(service.name).split(separator: "\n")
            for event in ["stop-begin", "stopped"] {
                let count = lines.filter { $0.contains(" \(service.name) \(event)") }.count
                #expect(count == 1, "\(service.name) logged \(event) \(count) times:\n\(player.output(service.name))")
            }
        }
    }
}
