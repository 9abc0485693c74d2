import Foundation
import QuiesceCore
import QuiesceTestSupport
import Testing

/// The demos of `compose/`, played without docker by ``DemoPlayer``: started as `docker compose up`
/// starts them, shut down as `docker compose down` does (SIGTERM to the coordinator first), and
/// checked from the agents' reports and the services' own logs.
@Suite("Compose demos played without docker", .serialized, .enabled(if: DemoPlayer.isAvailable))
struct ComposeDemoTests {
    @Test(
        "classic: PostgreSQL and Redis, then nginx, then the worker start; they stop in reverse, the worker never losing either"
    )
    func classic() async throws {
        let player = try DemoPlayer("classic")
        defer { player.tearDown() }
        let coordinator = try await player.up()
        try await Self.waitUntilPlaying(player, coordinator: coordinator, working: ("worker", "processed"))
        try await Self.shutDownThroughCoordinator(player, coordinator: coordinator)
        try Self.expectWorkerOutlivedItsDependencies(player)
    }

    @Test("classic, every container stopped at once (docker stop, a host shutdown): the agents still stop in order")
    func classicStoppedAtOnce() async throws {
        let player = try DemoPlayer("classic")
        defer { player.tearDown() }
        let coordinator = try await player.up()
        try await Self.waitUntilPlaying(player, coordinator: coordinator, working: ("worker", "processed"))
        let names = player.services.filter(\.managed).map(\.name)
        for name in names { kill(player.processes[name]!.processIdentifier, SIGTERM) }
        for name in names {
            #expect(
                await Fleet.waitForExit(player.processes[name]!, timeout: .seconds(120)) == 0,
                "agent of \(name):\n\(player.output(name))")
        }
        #expect(player.servicePIDs().isEmpty, "service processes left behind")
        try Self.expectWorkerOutlivedItsDependencies(player)
        #expect(!player.output("coordinator").contains("busy"), "an agent's stop was refused")

        // Compose stops the coordinator last: nothing is left to stop, and the report says so, cleanly.
        kill(coordinator.processIdentifier, SIGTERM)
        #expect(await Fleet.waitForExit(coordinator, timeout: .seconds(60)) == 0, "\(player.output("coordinator"))")
        let entries = try player.report()["services"] as? [[String: Any]] ?? []
        #expect(
            entries.count == names.count && entries.allSatisfy { $0["outcome"] as? String == "stopped_earlier" },
            "\(entries)")
    }

    /// The classic worker saved its checkpoint with neither the API nor Redis gone, and stopped before
    /// Redis and PostgreSQL ended, by their own logs' timestamps.
    static func expectWorkerOutlivedItsDependencies(_ player: DemoPlayer) throws {
        let worker = player.output("worker")
        #expect(worker.contains("checkpoint-saved"), "the worker saved its checkpoint to Redis as it stopped")
        #expect(!worker.contains(" error "), "the worker lost the API or Redis:\n\(worker)")
        #expect(player.output("api").contains("request \"GET /work"), "nginx served the worker")
        let workerStopped = try #require(time(of: "worker stopped", in: worker, format: .iso8601))
        let redisExited = try #require(time(of: "ready to exit", in: player.output("redis"), format: .redis))
        let postgresExited = try #require(
            time(of: "database system is shut down", in: player.output("postgres"), format: .postgres))
        #expect(workerStopped < redisExited, "Redis ended before the worker")
        #expect(workerStopped < postgresExited, "PostgreSQL ended before the worker")
    }

    @Test("tiers: thirteen services start in five waves and stop in five, no service ever losing an upstream")
    func tiers() async throws {
        let player = try DemoPlayer("tiers")
        defer { player.tearDown() }
        let coordinator = try await player.up()
        try await Self.waitUntilPlaying(player, coordinator: coordinator, working: ("edge", "listening"))
        try await Self.shutDownThroughCoordinator(player, coordinator: coordinator)

        let report = try player.report()
        let waves = Set((report["services"] as? [[String: Any]] ?? []).compactMap { $0["wave"] as? Int })
        #expect(waves == Set(1...5))
        for service in player.services where service.managed {
            let log = player.output(service.name)
            let stopped = log.split(separator: "\n").first { $0.contains("\(service.name) stopped") }
            #expect(stopped?.hasSuffix("upstream-errors=0") == true, "\(service.name) did not stop cleanly:\n\(log)")
            #expect(!log.contains("\(service.name) upstream-error "), "\(service.name) lost an upstream:\n\(log)")
        }
    }

    /// Waits until the startup is complete, every service is ready by `quiesce status` and one is
    /// working; `name` is the coordinator's service, the one that leads of several.
    static func waitUntilPlaying(
        _ player: DemoPlayer, coordinator: ChildProcess, named name: String = "coordinator",
        working: (service: String, line: String)
    ) async throws {
        await Fleet.waitUntil("the startup is complete", timeout: .seconds(180)) {
            player.output(name).contains("startup complete") || !coordinator.isRunning
        }
        try #require(coordinator.isRunning, "\(name) ended:\n\(player.output(name))")
        let status = try await status(of: player, coordinator: name)
        let names = player.services.filter(\.managed).map(\.name)
        #expect(status.count == names.count && status.values.allSatisfy { $0 == "ready" }, "status: \(status)")
        await Fleet.waitUntil("\(working.service) works", timeout: .seconds(30)) {
            player.output(working.service).contains(working.line)
        }
    }

    /// Sends SIGTERM to the coordinator, as `docker compose down` does first, and checks the
    /// shutdown: clean, in waves that keep every dependent before its dependencies, every agent ended
    /// with its service's success, and no process left.
    static func shutDownThroughCoordinator(
        _ player: DemoPlayer, coordinator: ChildProcess, named name: String = "coordinator"
    ) async throws {
        kill(coordinator.processIdentifier, SIGTERM)
        #expect(await Fleet.waitForExit(coordinator, timeout: .seconds(180)) == 0, "\(player.output(name))")
        try await expectOrderedShutdown(player, reportedBy: name)
    }

    /// The report of coordinator `name` is clean and has every service, each in a wave before those of
    /// the services it depends on; every agent ended with its service's success, and no process is left.
    static func expectOrderedShutdown(_ player: DemoPlayer, reportedBy name: String) async throws {
        let names = player.services.filter(\.managed).map(\.name)
        let configuration = try player.configuration()
        let entries = try player.report(of: name)["services"] as? [[String: Any]] ?? []
        let wave = Dictionary(
            uniqueKeysWithValues: entries.compactMap { entry in
                (entry["service"] as? String).map { ($0, entry["wave"] as? Int ?? 0) }
            })
        #expect(Set(wave.keys) == Set(names), "every service is reported")
        for entry in entries {
            #expect(entry["outcome"] as? String == "stopped" && entry["clean"] as? Bool == true, "\(entry)")
        }
        for name in names {
            for dependency in configuration.graph.dependencies(of: name) {
                #expect(
                    wave[name, default: 0] < wave[dependency, default: 0],
                    "\(name) stopped no earlier than \(dependency)")
            }
        }
        for name in names {
            #expect(
                await Fleet.waitForExit(player.processes[name]!, timeout: .seconds(30)) == 0,
                "agent of \(name):\n\(player.output(name))")
        }
        #expect(player.servicePIDs().isEmpty, "service processes left behind")
    }

    /// Each service's state by `quiesce status --json` over the admin plane of `coordinator`.
    static func status(of player: DemoPlayer, coordinator: String = "coordinator") async throws -> [String: String] {
        let rows = try await statusDocument(of: player, coordinator: coordinator)["services"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: rows.compactMap { row in
                (row["service"] as? String).map { ($0, row["state"] as? String ?? "") }
            })
    }

    /// `quiesce status --json` over the admin plane of `coordinator`, as a dictionary.
    static func statusDocument(of player: DemoPlayer, coordinator: String) async throws -> [String: Any] {
        let endpoint = try #require(try player.adminEndpoint(of: coordinator))
        let result = try await CommandResult.run(Fleet.binary, ["status", "--coordinator", endpoint, "--json"])
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
    }

    /// How a server's log writes its timestamps.
    enum TimestampFormat: String {
        /// The demos' scripts: `2026-11-25T09:30:00.123Z worker stopped`.
        case iso8601 = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        /// Redis: `1234:M 25 Nov 2026 09:30:00.123 # Redis is now ready to exit`.
        case redis = "dd MMM yyyy HH:mm:ss.SSS"
        /// PostgreSQL's default prefix: `2026-11-25 09:30:00.123 UTC [1234] LOG:  ...`.
        case postgres = "yyyy-MM-dd HH:mm:ss.SSS"

        /// Where the timestamp sits in a line.
        var pattern: String {
            switch self {
            case .iso8601: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"#
            case .redis: #"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3}"#
            case .postgres: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"#
            }
        }
    }

    /// When the first line of `log` that contains `text` was written.
    static func time(of text: String, in log: String, format: TimestampFormat) -> Date? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains(text) }),
            let range = line.range(of: format.pattern, options: .regularExpression)
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format.rawValue
        return formatter.date(from: String(line[range]))
    }
}
