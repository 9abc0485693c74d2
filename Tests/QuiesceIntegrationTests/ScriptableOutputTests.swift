import Foundation
import QuiesceTestSupport
import Testing

/// What scripts rely on: `--json` makes stdout one JSON document, `--json-lines` one object per line,
/// `status` says by its exit code whether a service is in trouble, and `QUIESCE_COORDINATOR` stands
/// for `--coordinator`.
@Suite("Scriptable output", .serialized)
struct ScriptableOutputTests {
    /// The whole of `text` parsed as one JSON object, or an issue naming what it holds instead.
    static func document(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any]? {
        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        if parsed == nil { Issue.record("stdout is not one JSON document:\n\(text)", sourceLocation: sourceLocation) }
        return parsed
    }

    @Test(
        "With --json, stdout of stop, start, shutdown and the coordinator is one JSON document; progress goes to stderr"
    )
    func jsonIsTheWholeOutput() async throws {
        let fleet = try Fleet(config: OperationTests.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.2, "cache": 0.1, "api": 0.2])

        let stop = try await fleet.run(["stop", "database", "--coordinator", fleet.endpoint, "--json"], log: "stop")
        #expect(stop.terminationStatus == 0)
        let stopReport = Self.document(fleet.output("stop.out"))
        #expect((stopReport?["services"] as? [[String: Any]])?.map { $0["service"] as? String } == ["api", "database"])
        #expect(fleet.output("stop.err").contains("wave 1/2: stopping api"), "progress went to stderr")

        let start = try await fleet.run(["start", "api", "--coordinator", fleet.endpoint, "-o", "json"], log: "start")
        #expect(start.terminationStatus == 0)
        #expect(Self.document(fleet.output("start.out"))?["exit_code"] as? Int == 0)
        #expect(fleet.output("start.err").contains("database ready ("))

        let shutdown = try await fleet.run(["shutdown", "--coordinator", fleet.endpoint, "--json"], log: "shutdown")
        #expect(shutdown.terminationStatus == 0)
        #expect(Self.document(fleet.output("shutdown.out"))?["clean"] as? Bool == true)
        #expect(fleet.output("shutdown.err").contains("wave 2/2: stopping cache, database"))
        #expect(await fleet.waitForExit(coordinator) == 0)
        #expect(Self.document(fleet.output("coordinator.out"))?["exit_code"] as? Int == 0)
        #expect(fleet.output("coordinator.err").contains("wave 1/2: stopping api"))
    }

    @Test("With --json-lines, every line of stdout is a JSON object: the progress as it happens, then the report")
    func jsonLines() async throws {
        let fleet = try Fleet(config: OperationTests.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "cache": 0.1, "api": 0.1])

        let restart = try await fleet.run(
            ["restart", "cache", "--coordinator", fleet.endpoint, "--json-lines"], log: "restart")
        #expect(restart.terminationStatus == 0)
        let lines = fleet.output("restart.out").split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(lines.count > 2 && lines.allSatisfy { $0 != nil }, "\(fleet.output("restart.out"))")
        let messages = lines.dropLast().compactMap { $0?["type"] as? String == "progress" ? $0?["message"] : nil }
        #expect(messages.count == lines.count - 1, "every line but the last is progress")
        #expect(messages.contains { ($0 as? String)?.hasPrefix("restart cache: stopped api, cache") == true })
        let time = try #require(lines.first??["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        #expect(lines.last??["type"] as? String == "report")
        #expect((lines.last??["report"] as? [String: Any])?["exit_code"] as? Int == 0)
        #expect(fleet.output("restart.err").isEmpty || !fleet.output("restart.err").contains("restart cache"))

        let plan = try await CommandResult.run(Fleet.binary, ["plan", "-c", fleet.configPath.path, "--json-lines"])
        #expect(plan.status == 0)
        #expect(plan.output.split(separator: "\n").count == 1)
        #expect(Self.document(plan.output)?["type"] as? String == "plan")
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test(
        "status exits 3 once a service is lost; --watch draws it until the coordinator goes away; QUIESCE_COORDINATOR stands for --coordinator"
    )
    func statusExitCodeAndWatch() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { heartbeat_interval: 200ms, agent_lost_after: 1s }
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """, secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "api": 0.1])
        let environment = ["QUIESCE_COORDINATOR": fleet.endpoint]
        await fleet.waitUntil("status shows both ready") {
            let status = try? await CommandResult.run(
                Fleet.binary, ["status", "--insecure", "--json"], environment: environment)
            return status?.status == 0 && status?.output.components(separatedBy: "\"ready\"").count == 3
        }
        // On a terminal (a pseudo-terminal that script(1) opens) the table is drawn again in place.
        let terminal = try await CommandResult.run(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            [
                "-s", "INT", "8", "script", "-qfec",
                "\(Fleet.binary.path) status -w --interval 200ms --insecure", "/dev/null",
            ], environment: environment)
        #expect(terminal.output.components(separatedBy: "\u{1B}[H\u{1B}[2J").count > 2, "\(terminal.output)")
        #expect(terminal.output.contains("coordinator: running"))
        let elsewhere = try await CommandResult.run(
            Fleet.binary,
            ["status", "--insecure", "--timeout", "500ms", "--coordinator", "tcp://127.0.0.1:\(try FreePort.pick())"],
            environment: environment)
        #expect(elsewhere.status == 69, "the flag wins over the environment")

        let watchOutput = fleet.outputFile("watch.out")
        let watchErrors = fleet.outputFile("watch.err")
        let watch = ChildProcess()
        watch.executableURL = Fleet.binary
        watch.arguments = ["status", "-w", "--interval", "200ms", "--timeout", "3s", "--insecure"]
        watch.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        watch.standardOutput = try FileHandle(forWritingTo: watchOutput)
        watch.standardError = try FileHandle(forWritingTo: watchErrors)
        try ProcessExit.start(watch)
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL) } }

        kill(try #require(fleet.agents["api"]).processIdentifier, SIGKILL)
        await fleet.waitUntil("the coordinator reports api lost") {
            fleet.coordinatorProgress().contains("agent lost: api")
        }
        let troubled = try await CommandResult.run(Fleet.binary, ["status", "--insecure"], environment: environment)
        #expect(troubled.status == 3, "\(troubled.output)\(troubled.errors)")
        #expect(troubled.output.contains("lost"))
        let troubledJSON = try await CommandResult.run(
            Fleet.binary, ["status", "--insecure", "-o", "json"], environment: environment)
        #expect(troubledJSON.status == 3)
        #expect(Self.document(troubledJSON.output)?["phase"] != nil)
        await fleet.waitUntil("the watch drew the lost agent") { fleet.output("watch.out").contains("lost") }

        #expect(await fleet.shutDown(coordinator) == 1, "a service was lost")
        #expect(await fleet.waitForExit(watch, timeout: .seconds(60)) == 69)
        let frames = fleet.output("watch.out").components(separatedBy: "coordinator: ").count - 1
        #expect(frames >= 2, "drawn more than once")
        #expect(!fleet.output("watch.out").contains("\u{1B}["), "no terminal codes when stdout is a file")
        #expect(fleet.output("watch.err").contains("status: the coordinator went away"))
    }
}
