import Foundation
import Testing

/// The load generator of scripts/swarm.sh, small: its simulated agents through a real coordinator,
/// then against the floor, and the summary of both, so that the benchmark cannot rot.
@Suite("Swarm load generator", .serialized)
struct SwarmTests {
    static let swarm = Fleet.binary.deletingLastPathComponent().appendingPathComponent("quiesce-swarm")
    static let fleet = ["--agents", "20", "--waves", "4"]

    @Test(
        "Twenty simulated agents start and stop through a real coordinator and the floor, in waves, every one answered")
    func swarmThroughCoordinatorAndFloor() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-swarm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var processes: [Process] = []
        defer {
            for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: directory)
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func start(_ executable: URL, _ arguments: [String], log: String) throws -> Process {
            let process = Process()
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
            Fleet.binary, ["coordinator", "--config", path("fleet.yaml"), "--insecure"], log: "coordinator.log")
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
        #expect(figures["agents"] as? Int == 20)
        #expect(figures["registered"] as? Int == 20)
        #expect(figures["complete"] as? Bool == true)
        for key in ["register_all_s", "wave_p50_ms", "wave_p99_ms", "floor_p99_ms"] {
            let value = try #require(figures[key] as? Double, "\(key) in \(last)")
            #expect(value >= 0 && value < 60_000, "\(key) = \(value)")
        }
    }
}
