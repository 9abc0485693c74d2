import Foundation
import QuiesceTestSupport
import Testing

/// Standby coordinators with faults across hosts: two coordinators, the agents of web → api →
/// database and etcd each on a host of their own (network namespaces), and a fault injected while
/// api stops in wave 2: the leader's host cut off, etcd restarted, one member of three lost. Each
/// scenario checks the order from the services' timestamps, that nothing is stopped twice, that the
/// report of the coordinator that finished names every service, and that no process is left.
@Suite(
    "Failover with faults across hosts", .serialized,
    .enabled(
        if: NetworkLab.isAvailable && LocalEtcd.isInstalled,
        "needs root, iproute2, etcd and etcdctl (apt-get install etcd-server etcd-client)"))
struct FailoverFaultTests {
    @Test(
        "The leader's host cut off in wave 2: the standby finishes in order, and the old leader, back, stands by and orders nothing",
        arguments: [false, true])
    func leaderCutOffDuringWaveTwo(secured: Bool) async throws {
        try await FailoverLab.run(etcdHosts: ["etcd"], secured: secured) { lab in
            try lab.network.partition("coordinator")
            await lab.fleet.waitUntil("the standby leads", timeout: .seconds(60)) {
                lab.leadings(of: "standby") == 1
            }
            // The cut-off leader cannot renew its lease: it stops ordering by itself, before its
            // lease could expire and so before the standby was elected.
            await lab.fleet.waitUntil("the cut-off leader stops ordering", timeout: .seconds(30)) {
                lab.fleet.output("coordinator.err").contains(FailoverLab.steppedDown)
            }
            try lab.network.heal("coordinator")
            await lab.fleet.waitUntil("the old leader, back, stands by", timeout: .seconds(60)) {
                lab.fleet.output("coordinator.err").contains("standing by: \(lab.standbyEndpoint) leads")
            }
            #expect(lab.leadings(of: "coordinator") == 1, "the old leader led again while the standby led")
            lab.releaseAPI()

            #expect(await lab.fleet.waitForExit(lab.standby, timeout: .seconds(90)) == 0, "\(lab.logs)")
            // The old leader stood by when the standby finished the fleet: it ends with the fleet.
            #expect(await lab.fleet.waitForExit(lab.leader, timeout: .seconds(60)) == 0, "\(lab.logs)")
            #expect(
                lab.fleet.output("coordinator.err").contains("standby coordinator ending: \(FailoverLab.fleetEnded)"))
            #expect(
                lab.fleet.output("coordinator.out").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "the old leader printed a report of its own")
            try await lab.expectFinished(reportedBy: "standby")
            print(
                "cut-off leader\(secured ? ", with keys" : ""): \(lab.refusedOrders) late messages refused by the agents"
            )
        }
    }

    @Test(
        "etcd restarted in wave 2: the leader stops ordering while it cannot renew, a leader resumes from the journal once etcd is back, and finishes in order"
    )
    func etcdRestartedDuringWaveTwo() async throws {
        try await FailoverLab.run(etcdHosts: ["etcd"]) { lab in
            await lab.etcd[0].crash()
            await lab.fleet.waitUntil("the leader stops ordering", timeout: .seconds(30)) {
                lab.fleet.output("coordinator.err").contains(FailoverLab.steppedDown)
            }
            try await Task.sleep(for: .seconds(2))
            try await lab.etcd[0].restart()
            await lab.fleet.waitUntil("a coordinator leads again", timeout: .seconds(90)) {
                lab.leadings(of: "coordinator") + lab.leadings(of: "standby") >= 2
            }
            lab.releaseAPI()

            let finisher = try await lab.waitForBothToEnd()
            try await lab.expectFinished(reportedBy: finisher)
            print("etcd restarted: \(finisher) finished the shutdown")
        }
    }

    @Test(
        "One etcd member of three lost in wave 2, the one the coordinators call first: the shutdown finishes in order and stops nothing twice",
        arguments: [FailoverLab.FirstMember.follower, .raftLeader])
    func etcdMemberLostDuringWaveTwo(lost: FailoverLab.FirstMember) async throws {
        try await FailoverLab.run(etcdHosts: ["etcd1", "etcd2", "etcd3"], first: lost) { lab in
            let stillFirst = await lab.etcd[0].isRaftLeader() == (lost == .raftLeader)
            await lab.etcd[0].crash()
            // Two leases' time with a member gone, api still stopping, before the wave goes on.
            try await Task.sleep(for: .seconds(2 * FailoverLab.leaseTTL))
            lab.releaseAPI()

            let finisher = try await lab.waitForBothToEnd()
            try await lab.expectFinished(reportedBy: finisher)
            let stepDowns =
                lab.fleet.output("coordinator.err").components(separatedBy: FailoverLab.steppedDown).count - 1
            print(
                "etcd member lost (\(lost)\(stillFirst ? "" : ", which had changed before the kill")): \(finisher) "
                    + "finished the shutdown; the first leader stepped down \(stepDowns) times")
        }
    }
}

/// One failover scenario's hosts and processes: a ``NetworkLab`` with a host per etcd member, one
/// for each coordinator (`coordinator`, which leads first, and `standby`) and one per service; the
/// fleet web → api → database with its agents given both coordinators; and the shutdown begun and
/// held in wave 2, api's stop lasting until ``releaseAPI()``.
final class FailoverLab {
    static let services = ["database", "api", "web"]
    /// The lease's TTL in seconds: the default, which a loaded machine's renewals fit in.
    static let leaseTTL = 3
    /// What a leader logs when it stops ordering.
    static let steppedDown = "Stopped ordering the fleet"
    /// Why a standby ends after its leader finished the fleet's shutdown.
    static let fleetEnded = "the leader finished the fleet's shutdown while this coordinator stood by"

    let network: NetworkLab
    let fleet: Fleet
    let etcd: [LocalEtcd]
    let standbyEndpoint: String
    private(set) var leader: ChildProcess
    private(set) var standby: ChildProcess
    private var processes: [ChildProcess] = []
    private let release: String
    /// Whether each coordinator has its own keys, which the agents authenticate.
    private let secured: Bool
    private var keys: String { fleet.directory.appendingPathComponent("keys").path }
    /// The standby's configuration: the leader's, with its own key when secured.
    private var standbyConfiguration: String {
        secured ? fleet.directory.appendingPathComponent("standby.yaml").path : fleet.configPath.path
    }
    /// Where etcd's members keep their data.
    private let scratch: URL

    /// Which member of etcd's cluster the coordinators call first.
    enum FirstMember {
        /// The member leading the cluster's raft: losing it makes the others elect another.
        case raftLeader
        /// A member that does not lead the raft.
        case follower
    }

    /// Builds the scenario, runs `body` on it, and tears everything down, whether `body` threw or not.
    /// The coordinators are given etcd's members in the order of ``etcd``, `first` first when given;
    /// `secured`, each coordinator has its own keys (`keygen --coordinators 2`) and every agent
    /// authenticates both.
    static func run(
        etcdHosts: [String], first: FirstMember? = nil, secured: Bool = false,
        _ body: (FailoverLab) async throws -> Void
    ) async throws {
        let network = try NetworkLab(hosts: etcdHosts + ["coordinator", "standby"] + services)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-it-etcd-\(UUID())")
        let lab: FailoverLab
        do {
            var etcd = try await LocalEtcd.startCluster(on: etcdHosts, of: network, in: scratch)
            if let first {
                var leaders: [Bool] = []
                for member in etcd { leaders.append(await member.isRaftLeader()) }
                let index = try #require(leaders.firstIndex(of: first == .raftLeader), "no \(first) in \(leaders)")
                etcd.insert(etcd.remove(at: index), at: 0)
            }
            lab = try FailoverLab(network: network, etcd: etcd, scratch: scratch, secured: secured)
        } catch {
            network.tearDown()
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
        do {
            try await lab.holdShutdownInWaveTwo()
            try await body(lab)
        } catch {
            await lab.tearDown()
            throw error
        }
        await lab.tearDown()
    }

    private init(network: NetworkLab, etcd: [LocalEtcd], scratch: URL, secured: Bool) throws {
        self.network = network
        self.secured = secured
        self.etcd = etcd
        self.scratch = scratch
        let address = { (host: String) in network.hosts[host]!.address }
        standbyEndpoint = "tcp://\(address("standby")):7700"
        fleet = try Fleet(
            config: """
                coordinator:
                  heartbeat_interval: 200ms
                  agent_lost_after: 10s
                  shutdown_timeout: 120s
                  ha:
                    etcd: [\(etcd.map(\.endpoint).joined(separator: ", "))]
                    key: /quiesce/faults-\(UUID().uuidString.prefix(8))
                    lease_ttl: \(Self.leaseTTL)s
                defaults: { stop_timeout: 20s }
                services:
                  database: {}
                  api: { depends_on: [database], stop_timeout: 90s }
                  web: { depends_on: [api] }
                """,
            endpoint: "tcp://\(address("coordinator")):7700",
            placement: ["coordinator": network.placement("coordinator")],
            // The fleet's own keys hold one coordinator's: the secured variant makes a pair for each.
            secure: false)
        release = fleet.directory.appendingPathComponent("release-api").path
        // Placeholders until the coordinators start: the processes are made in holdShutdownInWaveTwo.
        leader = ChildProcess()
        standby = ChildProcess()
    }

    /// Starts the leader, then the standby, then the agents, waits until every service runs, asks
    /// the leader to shut the fleet down, and returns once api's stop (wave 2) has begun.
    private func holdShutdownInWaveTwo() async throws {
        if secured { try await makeKeys() }
        leader = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", state("a")])
        await fleet.waitUntil("the first coordinator leads", timeout: .seconds(60)) { leadings(of: "coordinator") == 1 }
        standby = try fleet.start(
            [
                "coordinator", "--config", standbyConfiguration, "--bind", standbyEndpoint, "--json", "--state-dir",
                state("b"),
            ],
            log: "standby", prefix: network.placement("standby"))
        processes.append(standby)
        await fleet.waitUntil("the second coordinator stands by", timeout: .seconds(60)) {
            fleet.output("standby.err").contains("standing by: \(fleet.endpoint) leads")
        }
        let script = fleet.directory.appendingPathComponent("service.sh").path
        let apiService = """
            record() { echo "$(date +%s.%N) api $1 $$" >> "\(fleet.timelinePath.path)"; }
            trap 'record stop-begin; while [ ! -e "\(release)" ]; do sleep 0.02; done; record stop-end; exit 0' TERM
            record started
            while true; do sleep 0.02; done
            """
        let commands = [
            "database": ["/bin/sh", script, "database", "0.2", "obey", fleet.timelinePath.path],
            "api": ["/bin/sh", "-c", apiService],
            "web": ["/bin/sh", script, "web", "0.2", "obey", fleet.timelinePath.path],
        ]
        for service in Self.services {
            processes.append(
                try fleet.start(
                    ["agent", "--name", service, "--coordinator", "\(fleet.endpoint),\(standbyEndpoint)"]
                        + (secured ? ["--keys", keys] : []) + ["--"]
                        + commands[service]!, log: "agent-\(service)", prefix: network.placement(service)))
        }
        await fleet.waitUntilStarted(Self.services)
        kill(leader.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping (wave 2)", timeout: .seconds(30)) {
            fleet.time("api", "stop-begin") != nil
        }
    }

    /// Makes a pair of keys for each coordinator, each service and the operator with `keygen
    /// --coordinators 2`, and gives each coordinator's configuration its own security block.
    private func makeKeys() async throws {
        let keygen = try await fleet.run(
            ["keygen", "--fleet", fleet.configPath.path, "--out", keys, "--coordinators", "2"], log: "keygen")
        #expect(keygen.terminationStatus == 0, "\(fleet.output("keygen.err"))")
        let plain = try String(contentsOf: fleet.configPath, encoding: .utf8)
        for (index, path) in [fleet.configPath.path, standbyConfiguration].enumerated() {
            let block = """
                security:
                  server_key: \(keys)/coordinator-\(index + 1).key_secret
                  agents_dir: \(keys)/agents
                  admins: [\(keys)/admin.key]
                """
            try (plain + "\n" + block + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        // With keys, neither coordinator nor agent runs plain.
        fleet.addsInsecure = false
    }

    private func state(_ name: String) -> String {
        fleet.directory.appendingPathComponent("state-\(name)").path
    }

    /// How many times the coordinator logging to `log` began to lead.
    func leadings(of log: String) -> Int {
        fleet.output("\(log).err").components(separatedBy: "Leading the fleet").count - 1
    }

    /// Lets api's stop end.
    func releaseAPI() {
        _ = FileManager.default.createFile(atPath: release, contents: nil)
    }

    /// Waits until both coordinators have ended (a hang guard of 90 s each), expecting exit 0 of
    /// each, and returns the log name of the one that printed the fleet's report; the other ended
    /// as a standby whose leader finished the fleet.
    func waitForBothToEnd() async throws -> String {
        #expect(await fleet.waitForExit(leader, timeout: .seconds(90)) == 0, "\(logs)")
        #expect(await fleet.waitForExit(standby, timeout: .seconds(90)) == 0, "\(logs)")
        let reporters = ["coordinator", "standby"].filter { !fleet.output("\($0).out").isEmpty }
        #expect(reporters.count == 1, "one coordinator reports the fleet: \(logs)")
        let finisher = try #require(reporters.first)
        let other = finisher == "coordinator" ? "standby" : "coordinator"
        #expect(fleet.output("\(other).err").contains("standby coordinator ending: \(Self.fleetEnded)"), "\(logs)")
        return finisher
    }

    /// The shutdown finished in order and stopped each service once, the report printed to
    /// `log`'s stdout names every service, and no process is left.
    func expectFinished(reportedBy log: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try expectStopped("web", before: ["api"], in: fleet, sourceLocation: sourceLocation)
        try expectStopped("api", before: ["database"], in: fleet, sourceLocation: sourceLocation)
        for service in Self.services {
            for event in ["started", "stop-begin", "stop-end"] {
                let count = fleet.timeline().filter { $0.service == service && $0.event == event }.count
                #expect(count == 1, "\(service) recorded \(event) \(count) times", sourceLocation: sourceLocation)
            }
        }
        let text = fleet.output("\(log).out")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)",
            sourceLocation: sourceLocation)
        let entries = report["services"] as? [[String: Any]] ?? []
        #expect(
            Set(entries.compactMap { $0["service"] as? String }) == Set(Self.services),
            "the report covers every service",
            sourceLocation: sourceLocation)
        #expect(
            entries.allSatisfy { $0["outcome"] as? String == "stopped" }, "every service stopped cleanly: \(entries)",
            sourceLocation: sourceLocation)
        for process in processes + [leader] {
            _ = await fleet.waitForExit(process, timeout: .seconds(60), sourceLocation: sourceLocation)
        }
        await fleet.waitUntil("no service process is left", sourceLocation: sourceLocation) {
            fleet.servicePIDs().isEmpty
        }
    }

    /// How many orders the agents refused as a coordinator's that does not lead for them, or of a
    /// lower epoch than the one that welcomed them (docs/protocol.md, §7.10).
    var refusedOrders: Int {
        Self.services.reduce(0) { count, service in
            let log = fleet.output("agent-\(service).err")
            return count + log.components(separatedBy: "epoch is lower than the one that welcomed").count - 1
                + log.components(separatedBy: "which does not lead for this agent").count - 1
        }
    }

    /// Both coordinators' logs, for a failure's message.
    var logs: String {
        ["coordinator", "standby"].map { "--- \($0):\n\(fleet.output("\($0).err"))\(fleet.output("\($0).out"))" }
            .joined(separator: "\n")
    }

    /// Kills whatever still runs, stops etcd and deletes its data, the fleet's directory and the
    /// namespaces.
    private func tearDown() async {
        for process in processes + [leader] where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = await Fleet.waitForExit(process, timeout: .seconds(30))
        }
        for member in etcd { await member.stop() }
        try? FileManager.default.removeItem(at: scratch)
        fleet.tearDown()
        network.tearDown()
    }
}
