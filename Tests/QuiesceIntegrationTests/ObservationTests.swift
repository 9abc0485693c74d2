import Foundation
import QuiesceTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The event stream, the metrics and the pictures of real runs: the real binary as coordinator and
/// agents with real children, read back by real parsers (Prometheus's own text parser, an XML
/// parser, librsvg).
@Suite("Events, metrics and timelines of real runs", .serialized)
struct ObservationTests {
    static let config = """
        coordinator: { shutdown_timeout: 30s }
        defaults: { stop_timeout: 5s }
        services:
          database: {}
          cache: {}
          api: { depends_on: [database, cache], drain: 300ms }
        """

    @Test("quiesce events follows a whole run in order, and the timeline has one row of bars per instance")
    func eventsAndTimeline() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let timeline = fleet.directory.appendingPathComponent("timeline.svg")
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--timeline", timeline.path])
        let events = try fleet.start(["events", "--coordinator", fleet.endpoint, "--json"], log: "events")
        await fleet.waitUntil("the subscriber is added") {
            fleet.output("coordinator.err").contains("Events subscriber added")
        }
        for (name, delay) in [("database", 0.4), ("cache", 0.2), ("api", 0.3)] {
            try fleet.startAgent(name, stopDelay: delay)
        }
        await fleet.waitUntilStarted(["database", "cache", "api"])
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(await fleet.waitForExit(events) == 0, "the stream ends with the fleet's shutdown")

        let stream = try fleet.output("events.out").split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let sequence = stream.compactMap { $0["seq"] as? Int }
        #expect(
            sequence.count == stream.count && sequence == sequence.sorted() && Set(sequence).count == sequence.count)
        func index(_ type: String, _ service: String? = nil) -> Int? {
            stream.firstIndex {
                $0["type"] as? String == type && (service == nil || $0["service"] as? String == service)
            }
        }
        for service in ["database", "cache", "api"] {
            #expect(index("agent_registered", service) != nil)
            #expect(index("start_ordered", service) != nil)
        }
        let apiStarted = try #require(index("start_ordered", "api"))
        #expect(try #require(index("service_ready", "database")) < apiStarted)
        #expect(try #require(index("service_ready", "cache")) < apiStarted)
        let apiStopped = try #require(index("service_stopped", "api"))
        #expect(try #require(index("stop_ordered", "api")) < apiStopped)
        #expect(apiStopped < (try #require(index("stop_ordered", "database"))))
        #expect(stream[apiStopped]["outcome"] as? String == "stopped")
        #expect(stream[try #require(index("stop_ordered", "api"))]["drain_seconds"] as? Double == 0.3)
        let last = try #require(stream.last)
        #expect(last["type"] as? String == "run_ended" && last["run"] as? String == "shutdown")
        #expect(last["exit_code"] as? Int == 0)
        #expect(
            stream.filter { $0["type"] as? String == "wave_ended" }.count == 4, "two startup and two shutdown waves")

        let svg = try String(contentsOf: timeline, encoding: .utf8)
        let rows = try #require(TimelineRows(svg), "the timeline is well-formed XML")
        #expect(Set(rows.bars.keys) == ["database", "cache", "api"], "one row per instance")
        #expect(rows.bars["api"]?.contains("draining") == true)
        for (service, phases) in rows.bars {
            #expect(phases.starts(with: ["starting", "ready"]), "\(service): \(phases)")
            #expect(phases.last == "stopping", "\(service): \(phases)")
        }

        // The same drawing from the saved report.
        _ = try fleet.report()
        let report = fleet.directory.appendingPathComponent("report.json")
        try Data(fleet.output("coordinator.out").utf8).write(to: report)
        let redraw = fleet.directory.appendingPathComponent("redrawn.svg")
        let command = try await fleet.run(["timeline", report.path, "-o", redraw.path], log: "timeline")
        #expect(command.terminationStatus == 0)
        #expect(try String(contentsOf: redraw, encoding: .utf8) == svg)
    }

    @Test(
        "The metrics of a real run, scraped and parsed by Prometheus's text parser",
        .enabled(if: prometheusClientAvailable, "needs python3 with prometheus_client (pip install prometheus_client)"))
    func metrics() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: Self.config.replacingOccurrences(
                of: "shutdown_timeout: 30s", with: "shutdown_timeout: 30s, metrics_bind: \"127.0.0.1:\(port)\""))
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "cache": 0.1, "api": 0.2])
        let restart = try await fleet.run(["restart", "api", "--coordinator", fleet.endpoint], log: "restart")
        #expect(restart.terminationStatus == 0)

        var samples: [String: Double] = [:]
        await fleet.waitUntil("the gauges show the restarted fleet") {
            samples = (try? scrape("http://127.0.0.1:\(port)/metrics")) ?? [:]
            return samples["quiesce_instances{service=api,state=ready}"] == 1
                && samples["quiesce_agents_connected{}"] == 3
                && (samples["quiesce_heartbeat_round_trip_seconds_count{}"] ?? 0) >= 3
        }
        let roundTrips = samples["quiesce_heartbeat_round_trip_seconds_count{}"] ?? 0
        #expect(
            (samples["quiesce_heartbeat_round_trip_seconds_bucket{le=+Inf}"] ?? 0) == roundTrips,
            "agents answer the coordinator's heartbeats")
        #expect((samples["quiesce_heartbeat_round_trip_seconds_sum{}"] ?? -1) >= 0)
        #expect(samples["quiesce_stop_duration_seconds_count{outcome=stopped,service=api}"] == 1, "one stop of api")
        #expect(samples["quiesce_stop_duration_seconds_count{outcome=stopped,service=database}"] == nil)
        #expect((samples["quiesce_stop_duration_seconds_sum{outcome=stopped,service=api}"] ?? 0) >= 0.2)
        #expect(samples["quiesce_start_duration_seconds_count{service=api}"] == 2, "started, then restarted")
        #expect(samples["quiesce_start_duration_seconds_count{service=database}"] == 1)
        #expect(samples["quiesce_orders_total{order=start}"] == 4)
        #expect(samples["quiesce_orders_total{order=stop}"] == 1)
        #expect(samples["quiesce_orders_total{order=kill}"] == 0)
        #expect(samples["quiesce_registrations_total{}"] == 3)
        #expect(
            samples["quiesce_startups_total{result=complete}"] == 1, "the fleet's startup; the restart is an operation")
        #expect(samples["quiesce_startup_duration_seconds_count{}"] == 1)
        #expect(samples["quiesce_wave_duration_seconds_count{run=startup}"] == 3)
        #expect(samples["quiesce_wave_duration_seconds_count{run=shutdown}"] == 1)
        #expect(samples["quiesce_agents_lost_total{}"] == 0)
        #expect(samples["quiesce_rejections_total{reason=malformed_message}"] == 0)
        #expect(samples["quiesce_instances{service=cache,state=stopped}"] == 0)
        #expect(!samples.keys.contains { $0.contains("instance=") || $0.contains("host=") }, "no unbounded label")
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test(
        "librsvg renders the graph and the timeline at the size they declare",
        .enabled(if: rsvgConvertAvailable, "needs rsvg-convert (apt-get install librsvg2-bin)"))
    func rendered() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let timeline = fleet.directory.appendingPathComponent("timeline.svg")
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--timeline", timeline.path])
        for name in ["database", "cache", "api"] { try fleet.startAgent(name) }
        await fleet.waitUntilStarted(["database", "cache", "api"])
        #expect(await fleet.shutDown(coordinator) == 0)
        let graph = fleet.directory.appendingPathComponent("graph.svg")
        let export = try await fleet.run(
            ["graph", "--config", fleet.configPath.path, "--format", "svg", "--renderer", "builtin", "-o", graph.path],
            log: "graph")
        #expect(export.terminationStatus == 0)
        for svg in [timeline, graph] {
            let png = svg.deletingPathExtension().appendingPathExtension("png")
            let render = ChildProcess()
            render.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            render.arguments = ["rsvg-convert", "-o", png.path, svg.path]
            try ProcessExit.start(render)
            #expect(await Fleet.waitForExit(render, timeout: .seconds(60)) == 0, "\(svg.lastPathComponent) renders")
            let bytes = [UInt8](try Data(contentsOf: png))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
            let width = bytes.count > 24 ? bytes[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
            let declared = try String(contentsOf: svg, encoding: .utf8).firstMatch(of: /<svg[^>]* width="([0-9.]+)"/)
            #expect(Double(width) == Double(try #require(declared).1).map { $0.rounded(.up) })
        }
    }
}

/// Whether rsvg-convert (librsvg2-bin) is installed, to render SVG in a test.
let rsvgConvertAvailable: Bool = {
    ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].contains(where: FileManager.default.isExecutableFile)
}()

/// The bars of each row of a timeline drawing, by service, read with an XML parser.
private struct TimelineRows {
    var bars: [String: [String]] = [:]

    init?(_ svg: String) {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        bars = delegate.bars
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var bars: [String: [String]] = [:]
        var row: String?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let classes = (attributes["class"] ?? "").split(separator: " ").map(String.init)
            if name == "g", classes.first == "row", let service = attributes["data-service"] {
                row = service
                bars[service, default: []] = []
            }
            if name == "rect", classes.first == "bar", let row, classes.count > 1 {
                bars[row, default: []].append(classes[1])
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g", row != nil { row = nil }
        }
    }
}
