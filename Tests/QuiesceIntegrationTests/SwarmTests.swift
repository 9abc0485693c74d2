import Foundation
import QuiesceTestSupport
import Testing

/// The load generator of scripts/swarm.sh, small: its simulated agents through a real coordinator,
/// then against the floor, and the summary of both, so that the benchmark cannot rot.
@Suite("Swarm load generator", .serialized)
struct SwarmTests {
    static let swarm = Fleet.binary.deletingLastPathComponent().appendingPathComponent("quiesce-swarm")
    /// Four waves of three services, each of three instances.
    static let fleet = ["--agents", "36", "--waves", "4"]

    @Test(
        "Thirty-six simulated agents, instances of twelve services, start and stop through a real coordinator and the floor, in waves, every instance stopped"
    )
    func swarmThroughCoordinatorAndFloor() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-swarm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var processes: [ChildProcess] = []
        defer {
            for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: directory)
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func start(_ executable: URL, _ arguments: [String], log: String) throws -> ChildProcess {
            let process = ChildProcess()
            process.executableURL = executable
            process.arguments = arguments
            _ = FileManager.default.createFile(atPath: path(log), contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path(log)))
            process.standardError = process.standardOutput
            try ProcessExit.start(process)
            processes.append(process)
            return process
        }
        func output(_ log: String) -> String { (try? String(contentsOfFile: path(log), encoding: .utf8)) ?? "" }

        let endpoint = "tcp://127.0.0.1:\(try FreePort.pick())"
        let config = try start(Self.swarm, ["config"] + Self.fleet + ["--bind", endpoint], log: "fleet.yaml")
        #expect(await Fleet.waitForExit(config, timeout: .seconds(30)) == 0)
        let coordinator = try start(
            Fleet.binary, ["coordinator", "--config", path("fleet.yaml"), "--insecure", "--json"],
            log: "coordinator.log")
        let agents = try start(
            Self.swarm,
            ["agents"] + Self.fleet + [
                "--coordinator", endpoint, "--insecure", "--record", path("coordinator.json"), "--deadline", "60",
            ], log: "swarm.log")
        await Fleet.waitUntil("the coordinator's startup completes", timeout: .seconds(30)) {
            output("coordinator.log").contains("startup complete")
        }
        kill(coordinator.processIdentifier, SIGTERM)
        #expect(await Fleet.waitForExit(coordinator, timeout: .seconds(30)) == 0, "a clean shutdown of every agent")
        #expect(await Fleet.waitForExit(agents, timeout: .seconds(30)) == 0)
        let waves = output("coordinator.log").components(separatedBy: "\n").filter { $0.contains("wave ") }
        #expect(waves.count == 8, "four startup and four shutdown waves: \(waves)")
        let report = try Self.report(in: output("coordinator.log"))
        #expect(report.count == 12, "twelve services in the report")
        for service in report {
            let instances = service["instances"] as? [[String: Any]] ?? []
            #expect(
                Set(instances.compactMap { $0["instance"] as? String }) == ["i0", "i1", "i2"]
                    && instances.allSatisfy { $0["outcome"] as? String == "stopped" },
                "every instance of \(service["service"] ?? "?") stopped: \(instances)")
        }

        let floorEndpoint = "tcp://127.0.0.1:\(try FreePort.pick())"
        let floor = try start(Self.swarm, ["floor"] + Self.fleet + ["--bind", floorEndpoint], log: "floor.log")
        let floorAgents = try start(
            Self.swarm,
            ["agents"] + Self.fleet + [
                "--coordinator", floorEndpoint, "--insecure", "--record", path("floor.json"), "--deadline", "60",
            ], log: "floor-swarm.log")
        #expect(await Fleet.waitForExit(floor, timeout: .seconds(60)) == 0, "the floor ordered every wave")
        #expect(await Fleet.waitForExit(floorAgents, timeout: .seconds(60)) == 0)

        let summary = try start(
            Self.swarm, ["summarize", path("coordinator.json"), "--floor", path("floor.json")], log: "summary.log")
        #expect(await Fleet.waitForExit(summary, timeout: .seconds(30)) == 0)
        let last = try #require(output("summary.log").split(separator: "\n").last)
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(figures["agents"] as? Int == 36)
        #expect(figures["registered"] as? Int == 36)
        #expect(figures["complete"] as? Bool == true)
        #expect(figures["waves_in_order"] as? Bool == true, "no wave ordered before the last answer of the one before")
        for key in ["register_all_s", "wave_p50_ms", "wave_p99_ms", "floor_p99_ms"] {
            let value = try #require(figures[key] as? Double, "\(key) in \(last)")
            #expect(value >= 0 && value < 60_000, "\(key) = \(value)")
        }
    }

    /// The services of the coordinator's report (`--json`, pretty-printed), which follows its
    /// progress lines: from the first line `{` to the next line `}`.
    static func report(in output: String) throws -> [[String: Any]] {
        let lines = output.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "{"), "a JSON report in \(output.suffix(2000))")
        let end = try #require(lines[start...].firstIndex(of: "}"), "the end of the report")
        let text = lines[start...end].joined(separator: "\n")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return try #require(document["services"] as? [[String: Any]])
    }
}
