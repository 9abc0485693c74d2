import Foundation
import QuiesceTestSupport
import Testing

/// `quiesce restart db --rolling` with the real binary: db's instances and api (one instance) on db,
/// each child recording `started`, `ready` (once its readiness check can pass), `stop-begin` and
/// `stop-end` with its pid. An instance is up from its `ready` line to its `stop-begin` line.
@Suite("Rolling restarts", .serialized)
struct RollingRestartFleetTests {
    static func config(instances: Int, minReady: Int) -> String {
        """
        coordinator: { shutdown_timeout: 60s }
        defaults: { stop_timeout: 5s }
        services:
          db: { instances: \(instances), min_ready: \(minReady) }
          api: { depends_on: [db] }
        """
    }

    /// `rolling.sh LABEL TIMELINE FLAG`: ready 0.3 s after it starts, which it shows by the file
    /// FLAG its agent's readiness check looks for (made after the `ready` line, removed before the
    /// `stop-begin` line, so that the coordinator never counts it ready outside those lines).
    static let script = """
        label=$1; log=$2; flag=$3
        record() { echo "$(date +%s.%N) $label $1 $$" >> "$log"; }
        trap 'rm -f "$flag"; record stop-begin; sleep 0.2; record stop-end; exit 0' TERM
        record started
        sleep 0.3
        record ready
        touch "$flag"
        while true; do sleep 0.02; done
        """

    static func labels(_ count: Int) -> [String] {
        ["a", "b", "c", "d"].prefix(count).map { "db/\($0)" }
    }

    /// Starts the coordinator, db's instances and api, and waits until api has started.
    static func up(_ fleet: Fleet, instances: Int) async throws -> ChildProcess {
        let script = fleet.directory.appendingPathComponent("rolling.sh")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let coordinator = try await fleet.startCoordinator()
        for label in labels(instances) {
            let instance = String(label.dropFirst("db/".count))
            let flag = fleet.directory.appendingPathComponent("ready-\(instance)").path
            try fleet.startInstance(
                "db", instance, command: ["/bin/sh", script.path, label, fleet.timelinePath.path, flag],
                agentFlags: ["--ready-exec", "test -f \(flag)", "--ready-interval", "100ms"])
        }
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["api"])
        return coordinator
    }

    /// How many db instances were up, from each of the timeline's events on (after all `count`
    /// first processes were ready): each process is up from its `ready` line to its `stop-begin`
    /// line. At equal times a stop counts before a ready, so that the count is never flattered.
    static func upCounts(_ fleet: Fleet, instances count: Int) -> [Int] {
        let events = fleet.timeline().filter { $0.service.hasPrefix("db/") }
        let changes =
            events.compactMap { event -> (time: Double, change: Int)? in
                switch event.event {
                case "ready": (event.time, 1)
                case "stop-begin": (event.time, -1)
                default: nil
                }
            }
            .sorted { ($0.time, $0.change) < ($1.time, $1.change) }
        var up = 0
        var counts: [Int] = []
        var allReady = false
        for change in changes {
            up += change.change
            allReady = allReady || up == count
            if allReady { counts.append(up) }
        }
        return counts
    }

    /// Runs `quiesce restart db --rolling` with `extra` arguments, its output in `rolling.out`.
    static func rollingRestart(_ fleet: Fleet, _ extra: [String] = []) async throws -> ChildProcess {
        try await fleet.run(
            ["restart", "db", "--rolling"] + extra + ["--coordinator", fleet.endpoint, "--json"], log: "rolling")
    }

    /// The command's JSON report: its whole stdout, since `--json` sends the progress to stderr.
    static func report(_ fleet: Fleet) throws -> [String: Any] {
        let output = fleet.output("rolling.out")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
    }

    @Test("restart db --rolling keeps 2 of 3 db instances up at every moment, restarts each once, and leaves api alone")
    func keepsMinReady() async throws {
        let fleet = try Fleet(config: Self.config(instances: 3, minReady: 2))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet, instances: 3)

        let restart = try await Self.rollingRestart(fleet)
        #expect(restart.terminationStatus == 0, "\(fleet.output("rolling.out"))\(fleet.output("rolling.err"))")
        let timeline = fleet.timeline()
        for label in Self.labels(3) {
            let starts = timeline.filter { $0.service == label && $0.event == "started" }
            #expect(starts.count == 2, "\(label) was restarted once")
            #expect(timeline.filter { $0.service == label && $0.event == "stop-begin" }.count == 1)
        }
        let counts = Self.upCounts(fleet, instances: 3)
        #expect(counts.count == 7, "three stops and three readies after the first three: \(counts)")
        #expect(counts.allSatisfy { $0 >= 2 }, "fewer than min_ready db instances were up: \(counts)")
        #expect(counts.last == 3)
        #expect(timeline.filter { $0.service == "api" }.map(\.event) == ["started"], "api was stopped or restarted")

        let report = try Self.report(fleet)
        let rolling = try #require(report["rolling"] as? [String: Any])
        let instances = rolling["instances"] as? [[String: Any]] ?? []
        #expect(Set(instances.compactMap { $0["instance"] as? String }) == ["a", "b", "c"], "in the order they went")
        #expect(instances.allSatisfy { $0["outcome"] as? String == "restarted" && $0["ready_seconds"] is Double })
        #expect(rolling["fewest_ready"] as? Int == 2)

        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("--max-unavailable 2 of 4 (min_ready 2) takes two down together, and never more")
    func twoAtOnce() async throws {
        let fleet = try Fleet(config: Self.config(instances: 4, minReady: 2))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet, instances: 4)

        let restart = try await Self.rollingRestart(fleet, ["--max-unavailable", "2"])
        #expect(restart.terminationStatus == 0, "\(fleet.output("rolling.out"))\(fleet.output("rolling.err"))")
        let counts = Self.upCounts(fleet, instances: 4)
        #expect(counts.allSatisfy { $0 >= 2 }, "more than two db instances were down at once: \(counts)")
        #expect(counts.contains(2), "two were never down together, so the flag made no difference: \(counts)")
        for label in Self.labels(4) {
            #expect(fleet.timeline().filter { $0.service == label && $0.event == "started" }.count == 2)
        }
        #expect(fleet.timeline().filter { $0.service == "api" }.map(\.event) == ["started"])

        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("A shutdown during a rolling restart wins: the restart reports interrupted, and api stops before db")
    func shutdownWins() async throws {
        let fleet = try Fleet(config: Self.config(instances: 3, minReady: 2))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet, instances: 3)

        let restart = try fleet.start(
            ["restart", "db", "--rolling", "--coordinator", fleet.endpoint, "--json"], log: "rolling")
        await fleet.waitUntil("a db instance begins to stop for the rolling restart") {
            fleet.timeline().contains { $0.event == "stop-begin" }
        }
        kill(coordinator.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(restart, timeout: .seconds(60)) == 3, "\(fleet.output("rolling.out"))")
        let report = try Self.report(fleet)
        #expect(report["termination"] as? String == "interrupted")
        #expect(await fleet.waitForExit(coordinator, timeout: .seconds(60)) != nil)

        // The instances the rolling restart took down (one, or more on a machine slow to send the
        // signal) each began one stop for it; every other db stop began after api had stopped.
        let rolling = try #require(report["rolling"] as? [String: Any])
        let takenDown = Set(
            (rolling["instances"] as? [[String: Any]] ?? []).compactMap { entry in
                entry["stop_ordered_seconds"] != nil ? (entry["instance"] as? String).map { "db/\($0)" } : nil
            })
        #expect(!takenDown.isEmpty, "\(rolling)")
        let dbStops = fleet.timeline().filter { $0.service.hasPrefix("db/") && $0.event == "stop-begin" }
        let rollingStops = takenDown.compactMap { label in
            dbStops.filter { $0.service == label }.min { $0.time < $1.time }
        }
        let apiStopped = try #require(fleet.time("api", "stop-end"), "api was not stopped by the shutdown")
        let shutdownStops = dbStops.filter { !rollingStops.contains($0) }
        #expect(!shutdownStops.isEmpty)
        #expect(
            shutdownStops.allSatisfy { $0.time > apiStopped },
            "a db instance began to stop while api ran: \(fleet.timeline())\n\(fleet.output("coordinator.err"))")
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("A rolling restart that would leave fewer than min_ready is refused with the fix, nothing stopped")
    func refused() async throws {
        let fleet = try Fleet(config: Self.config(instances: 2, minReady: 2))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet, instances: 2)

        let restart = try await Self.rollingRestart(fleet)
        #expect(restart.terminationStatus != 0)
        #expect(
            fleet.output("rolling.err").contains(
                "rolling restart of db would leave 1 ready instance, below min_ready 2; scale db up, lower min_ready, or restart without --rolling"
            ), "\(fleet.output("rolling.err"))")
        #expect(!fleet.timeline().contains { $0.event == "stop-begin" }, "something was stopped")

        #expect(await fleet.shutDown(coordinator) == 0)
    }
}
