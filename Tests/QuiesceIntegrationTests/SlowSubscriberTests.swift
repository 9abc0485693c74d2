import Foundation
import Testing

/// A `quiesce events` subscriber that stops reading (the real process, stopped with SIGSTOP) while a
/// real fleet shuts down and a flood of malformed messages makes an event of every turn of the
/// coordinator's loop: it is dropped, logged and counted, told once it reads again, and neither the
/// shutdown nor the subscriber that keeps reading notices.
///
/// The drop takes as many events as the stalled connection queues: a thousand in libzmq's pipe and
/// the kernel's buffers, some 16,000 events of the flood on an idle machine. The flood makes one
/// event per turn of the coordinator's loop, and on two cores at a load of 27 the loop turned some
/// 55 times a second, so that 90 s held only 7,000 events: the drop did not come, and api, held past
/// its stop timeout, was killed (the coordinator exiting 1, not hanging). So every bound here is
/// long enough for that pace, and api's hold and stop timeout outlast every wait of the test.
@Suite("A slow events subscriber", .serialized)
struct SlowSubscriberTests {
    /// `held.sh NAME TIMELINE RELEASE`: records its lifecycle as the fleet's service does, and on
    /// SIGTERM stops only once the file RELEASE exists (20 minutes at most, by the clock), so that the
    /// shutdown is under way while the test stalls a subscriber.
    static let heldService = """
        name=$1; log=$2; release=$3
        record() { echo "$(date +%s.%N) $name $1 $$" >> "$log"; }
        trap 'record stop-begin; end=$(($(date +%s) + 1200)); while [ ! -e "$release" ] && [ $(date +%s) -lt $end ]; do sleep 0.05; done; record stop-end; exit 0' TERM
        record started
        while true; do sleep 0.02; done
        """

    @Test(
        "A stalled subscriber is dropped, logged and counted; the shutdown ends in order and the reading subscriber receives every event"
    )
    func stalledSubscriberIsDropped() async throws {
        let port = try FreePort.pick()
        // Plain, as the flood is: a plain peer's messages reach a CURVE coordinator's decoder only
        // after a handshake it cannot pass.
        let fleet = try Fleet(
            config: """
                coordinator: { shutdown_timeout: 30m, metrics_bind: "127.0.0.1:\(port)" }
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  cache: {}
                  api: { depends_on: [database, cache], stop_timeout: 20m }
                """, secure: false)
        defer { fleet.tearDown() }
        let release = fleet.directory.appendingPathComponent("release")
        let held = fleet.directory.appendingPathComponent("held.sh")
        try Self.heldService.write(to: held, atomically: true, encoding: .utf8)

        let coordinator = try await fleet.startCoordinator()
        let reader = try fleet.start(["events", "--coordinator", fleet.endpoint, "--json"], log: "reader")
        let stalled = try fleet.start(["events", "--coordinator", fleet.endpoint, "--json"], log: "stalled")
        defer {
            kill(stalled.processIdentifier, SIGCONT)
            if stalled.isRunning { kill(stalled.processIdentifier, SIGKILL) }
            if reader.isRunning { kill(reader.processIdentifier, SIGKILL) }
        }
        await fleet.waitUntil("both subscribers are added") {
            fleet.output("coordinator.err").components(separatedBy: "Events subscriber added").count == 3
        }
        let subscribed = ContinuousClock.now
        try fleet.startAgent("database")
        try fleet.startAgent("cache")
        try fleet.startAgent("api", command: ["/bin/sh", held.path, "api", fleet.timelinePath.path, release.path])
        await fleet.waitUntilStarted(["database", "cache", "api"])
        await fleet.waitUntil("the fleet is running") { fleet.coordinatorProgress().contains("startup complete") }

        // Subscribers send nothing once subscribed: past the 10 s after which the coordinator drops
        // idle connections, both still listen.
        try await Task.sleep(until: subscribed + .seconds(12))
        #expect(reader.isRunning && stalled.isRunning, "subscribers are not dropped as idle connections")
        kill(stalled.processIdentifier, SIGSTOP)
        let status = try await fleet.run(
            ["status", "--coordinator", fleet.endpoint, "--timeout", "10s", "--json"], log: "status")
        #expect(status.terminationStatus == 0, "the coordinator answers with a stalled subscriber attached")

        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping") { fleet.time("api", "stop-begin") != nil }
        let flood = DealerFlood.malformedMessages(to: fleet.endpoint, lifetime: 900)
        defer { flood.stop() }
        await fleet.waitUntil("the stalled subscriber is dropped", timeout: .seconds(600)) {
            fleet.output("coordinator.err").contains("Events subscriber dropped")
        }
        if !fleet.output("coordinator.err").contains("Events subscriber dropped") {
            Issue.record("not dropped: \(fleet.output("coordinator.err").suffix(6000))\n\(fleet.output("stalled.err"))")
        }
        // Reading again at once, it drains what was queued for it, then the notice, and ends with 77.
        kill(stalled.processIdentifier, SIGCONT)
        flood.stop()
        #expect(coordinator.isRunning, "the shutdown waits for api")
        let samples = prometheusClientAvailable ? try scrape("http://127.0.0.1:\(port)/metrics") : [:]
        if prometheusClientAvailable {
            #expect(samples["quiesce_event_subscribers_dropped_total{}"] == 1)
        }
        let dropLines = fleet.output("coordinator.err").split(separator: "\n").filter {
            $0.contains("Events subscriber dropped")
        }
        #expect(dropLines.count == 1, "\(dropLines)")
        #expect(dropLines.first?.contains("dropped_total=1") == true, "\(dropLines)")

        // The notice is owed for a window (30 s): it reaches a subscriber that has read its backlog by
        // then, which a machine loaded enough may not allow. Either it was told (77), or it hears
        // nothing more and says so (69); it is never sent another event.
        let stalledExit = await fleet.waitForExit(stalled, timeout: .seconds(300))
        #expect(stalledExit == 77 || stalledExit == 69, "\(fleet.output("stalled.err"))")
        if stalledExit == 77 {
            #expect(fleet.output("stalled.err").contains("events dropped: this subscriber read too slowly"))
        }

        try Data().write(to: release)
        #expect(await fleet.waitForExit(coordinator, timeout: .seconds(120)) == 0)
        #expect(await fleet.waitForExit(reader) == 0, "the reader's stream ends with the shutdown")
        try expectStopped("api", before: ["database", "cache"], in: fleet)
        for agent in ["database", "cache", "api"] {
            #expect(!fleet.output("agent-\(agent).err").contains("The coordinator is silent"), "\(agent)")
        }

        let stream = Self.events(fleet.output("reader.out"))
        let sequence = stream.compactMap { $0["seq"] as? Int }
        #expect(sequence.count == stream.count && sequence.count > 100, "\(sequence.count) events")
        #expect(
            sequence == Array((sequence.first ?? 0)...(sequence.last ?? 0)), "the reader missed no event: no gap in seq"
        )
        #expect(stream.contains { $0["type"] as? String == "rejected" }, "the flood's events reached it")
        let last = try #require(stream.last)
        #expect(last["type"] as? String == "run_ended" && last["run"] as? String == "shutdown")
        let stalledSequence = Self.events(fleet.output("stalled.out")).compactMap { $0["seq"] as? Int }
        #expect(!stalledSequence.isEmpty && stalledSequence.last! < sequence.last!, "the stalled one stopped short")
        #expect(
            stalledSequence == Array((stalledSequence.first ?? 0)...(stalledSequence.last ?? 0)),
            "what it got before the drop, it got whole and in order")
    }

    /// Each line of a `quiesce events --json` stream as a JSON object, recording an issue for a line that is not.
    static func events(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            if object == nil { Issue.record("not a JSON object: \(line)", sourceLocation: sourceLocation) }
            return object
        }
    }
}
