import Foundation
import QuiesceTestSupport
import Testing

/// Standby coordinators with a real etcd and the real binary: of two coordinators of one fleet one
/// leads and the other stands by; a leader that loses etcd stops ordering within its lease and says why.
@Suite(
    "Standby coordinators", .serialized,
    .enabled(if: LocalEtcd.isInstalled, "needs etcd and etcdctl (apt-get install etcd-server etcd-client)"))
struct StandbyCoordinatorTests {
    /// A fleet of database <- api, its coordinators electing their leader in `etcd` under a key of
    /// their own, with a lease of `leaseTTL` seconds.
    static func fleet(etcd: LocalEtcd, leaseTTL: Int = 3) throws -> Fleet {
        try Fleet(
            config: """
                coordinator:
                  heartbeat_interval: 200ms
                  agent_lost_after: 5s
                  ha:
                    etcd: [\(etcd.endpoint)]
                    key: /quiesce/test-\(UUID().uuidString.prefix(8))
                    lease_ttl: \(leaseTTL)s
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
    }

    /// Starts another coordinator of `fleet` at a free endpoint, logging to `log`, and waits until it
    /// listens.
    static func startSecondCoordinator(of fleet: Fleet, log: String) async throws -> (ChildProcess, String) {
        let endpoint = "tcp://127.0.0.1:\(try FreePort.pick())"
        let process = try fleet.start(
            ["coordinator", "--config", fleet.configPath.path, "--bind", endpoint, "--json"], log: log)
        await fleet.waitUntil("the second coordinator listens") {
            fleet.output("\(log).err").contains("Coordinator listening")
        }
        return (process, endpoint)
    }

    /// Starts the fleet's coordinator and waits until it leads, then its agents of database and api
    /// until their services run, then a second coordinator (logging to `coordinator-b`) until it stands
    /// by; returns both and the second one's endpoint. Nothing throws once the second has started.
    static func startLeaderAndStandby(of fleet: Fleet) async throws -> (
        leader: ChildProcess, standby: ChildProcess, standbyEndpoint: String
    ) {
        let leader = try await fleet.startCoordinator()
        await fleet.waitUntil("the first coordinator leads") {
            fleet.output("coordinator.err").contains("Leading the fleet")
        }
        try fleet.startAgent("database")
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])
        let (standby, standbyEndpoint) = try await startSecondCoordinator(of: fleet, log: "coordinator-b")
        await fleet.waitUntil("the second coordinator stands by") {
            fleet.output("coordinator-b.err").contains("standing by: \(fleet.endpoint) leads with epoch")
        }
        return (leader, standby, standbyEndpoint)
    }

    /// `quiesce status --json` of the coordinator at `endpoint`, as a dictionary.
    static func status(of fleet: Fleet, at endpoint: String, log: String) async throws -> [String: Any] {
        _ = try await fleet.run(["status", "--coordinator", endpoint, "--json"], log: log)
        let text = fleet.output("\(log).out")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test("Of two coordinators one leads the fleet; the other stands by, says so in status, and ends alone on SIGTERM")
    func oneLeadsOneStandsBy() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-it-etcd-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let etcd = try await LocalEtcd.start(in: scratch)
        let fleet = try Self.fleet(etcd: etcd)
        var second: ChildProcess?
        defer {
            if let second, second.isRunning { kill(second.processIdentifier, SIGKILL) }
            fleet.tearDown()
        }
        let (leader, standby, standbyEndpoint) = try await Self.startLeaderAndStandby(of: fleet)
        second = standby
        let standbyStatus = try await Self.status(of: fleet, at: standbyEndpoint, log: "status-b")
        let standbyRole = try #require(standbyStatus["leadership"] as? [String: Any])
        #expect(standbyRole["role"] as? String == "standby")
        #expect(standbyRole["leader"] as? String == fleet.endpoint)
        let leaderEpoch = try #require(standbyRole["leader_epoch"] as? UInt64)
        #expect(leaderEpoch > 1 << 56, "an etcd epoch is 2^56 plus a revision")
        #expect((standbyStatus["services"] as? [Any])?.isEmpty == true, "a standby shows no services")

        let leaderStatus = try await Self.status(of: fleet, at: fleet.endpoint, log: "status-a")
        let leaderRole = try #require(leaderStatus["leadership"] as? [String: Any])
        #expect(leaderRole["role"] as? String == "leader")
        #expect(leaderRole["epoch"] as? UInt64 == leaderEpoch)
        #expect((leaderStatus["services"] as? [Any])?.count == 2)

        let refused = try await fleet.run(
            ["shutdown", "--coordinator", standbyEndpoint, "--timeout", "3s"], log: "shutdown-b")
        #expect(refused.terminationStatus != 0, "a standby runs no shutdown")
        #expect(fleet.time("database", "stop-begin") == nil, "a shutdown asked of a standby stops nothing")

        kill(standby.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(standby) == 0)
        #expect(
            fleet.output("coordinator-b.err").contains("a signal ends this standby coordinator only, not the fleet"))
        #expect(fleet.time("database", "stop-begin") == nil, "the standby's end stopped nothing")
        #expect(fleet.servicePIDs().count == 2)

        #expect(await fleet.shutDown(leader) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
        await etcd.stop()
    }

    @Test(
        "A standby ends by itself once its leader finished the fleet's shutdown, starting nothing again; a coordinator started later starts the fleet"
    )
    func standbyEndsWithTheFleet() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-it-etcd-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let etcd = try await LocalEtcd.start(in: scratch)
        let fleet = try Self.fleet(etcd: etcd)
        var second: ChildProcess?
        defer {
            if let second, second.isRunning { kill(second.processIdentifier, SIGKILL) }
            fleet.tearDown()
        }
        let (leader, standby, _) = try await Self.startLeaderAndStandby(of: fleet)
        second = standby

        #expect(await fleet.shutDown(leader) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        // The leader resigned at its end: the standby wins the election, finds the fleet's shutdown
        // finished since it started, and ends instead of starting the fleet again.
        #expect(await fleet.waitForExit(standby) == 0, "\(fleet.output("coordinator-b.err"))")
        #expect(
            (fleet.output("coordinator-b.out") + fleet.output("coordinator-b.err")).contains(
                "standby coordinator ending: \(Self.standbyEndReason)"))
        #expect(!fleet.output("coordinator-b.err").contains("Leading the fleet"))
        for service in ["database", "api"] {
            #expect(fleet.timeline().filter { $0.service == service && $0.event == "started" }.count == 1)
        }

        // A later deployment of the fleet (the agents exited with the shutdown): its coordinator,
        // started after the end, starts the fleet.
        let next = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        try fleet.startAgent("api")
        await fleet.waitUntil("the later coordinator started the fleet again", timeout: .seconds(60)) {
            fleet.timeline().filter { $0.event == "started" }.count == 4
        }
        #expect(await fleet.shutDown(next) == 0, "\(fleet.coordinatorProgress())")
        #expect(fleet.servicePIDs().isEmpty)
        await etcd.stop()
    }

    /// What a standby prints as it ends after its leader finished the fleet's shutdown.
    static let standbyEndReason = "the leader finished the fleet's shutdown while this coordinator stood by"

    @Test("A leader that loses etcd stops ordering within its lease, says why, and leads again once etcd is back")
    func leaderLosesEtcd() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-it-etcd-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let etcd = try await LocalEtcd.start(in: scratch)
        let fleet = try Self.fleet(etcd: etcd, leaseTTL: 3)
        defer { fleet.tearDown() }
        let leader = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])

        etcd.freeze()
        let frozenAt = ContinuousClock.now
        await fleet.waitUntil("the leader stops ordering", timeout: .seconds(30)) {
            fleet.output("coordinator.err").contains("Stopped ordering the fleet")
        }
        let stoppedAfter = ContinuousClock.now - frozenAt
        // The lease is proven for 3 s from the last renewal's send, and ordering stops a renewal
        // interval (1 s) before: 2 s at most after the freeze, and the loop's turn; 10 s is a hang guard.
        #expect(stoppedAfter < .seconds(10), "stopped ordering only after \(stoppedAfter)")
        let demoted = try await Self.status(of: fleet, at: fleet.endpoint, log: "status-demoted")
        let role = try #require(demoted["leadership"] as? [String: Any])
        #expect(["demoted", "campaigning"].contains(role["role"] as? String))
        #expect((role["reason"] as? String)?.isEmpty == false, "status says why it does not lead: \(role)")
        #expect((demoted["services"] as? [Any])?.isEmpty == true)
        #expect(fleet.servicePIDs().count == 2, "losing etcd stops no service")

        etcd.thaw()
        await fleet.waitUntil("the coordinator leads again", timeout: .seconds(60)) {
            fleet.output("coordinator.err").components(separatedBy: "Leading the fleet").count > 2
        }
        await fleet.waitUntil("both agents registered again", timeout: .seconds(30)) {
            fleet.coordinatorProgress().components(separatedBy: "already running and ready: adopted").count > 2
        }
        #expect(fleet.timeline().filter { $0.event == "started" }.count == 2, "a service was started twice")
        #expect(await fleet.shutDown(leader) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
        await etcd.stop()
    }
}
