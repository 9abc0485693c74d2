import ArgumentParser
import Foundation
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

/// A load generator for the coordinator: many simulated agents in one process, a bare router as the
/// floor of its figures, and the summary of a run (scripts/swarm.sh runs all of it).
@main
struct Swarm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiesce-swarm",
        abstract: "Simulates thousands of agents against a coordinator, or against a bare router (the floor).",
        subcommands: [Config.self, Agents.self, Floor.self, Summarize.self])
}

/// The generated fleet's shape, shared by every subcommand.
struct FleetOptions: ParsableArguments {
    @Option(help: "Agents in the fleet: instances of a few services per wave, one agent each.")
    var agents: Int

    @Option(help: "Layers of the fleet: startup waves, and shutdown waves in reverse.")
    var waves = 10

    var fleet: SwarmFleet { SwarmFleet(agents: agents, waves: waves) }

    func validate() throws {
        guard agents > 0 else { throw ValidationError("--agents must be at least 1") }
        guard waves > 0 else { throw ValidationError("--waves must be at least 1") }
    }
}

extension Swarm {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the generated fleet's coordinator configuration.")

        @OptionGroup var fleet: FleetOptions
        @Option(help: "The endpoint the coordinator binds.")
        var bind: String
        @Option(help: "Seconds between heartbeats (agents are suspect after five intervals, lost after fifteen).")
        var heartbeatInterval = 1

        func validate() throws {
            guard heartbeatInterval > 0 else { throw ValidationError("--heartbeat-interval must be at least 1") }
        }

        func run() {
            print(fleet.fleet.configuration(endpoint: bind, heartbeatSeconds: heartbeatInterval), terminator: "")
        }
    }

    struct Agents: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Simulates the fleet's agents (or one shard of them) against ENDPOINT and writes what it measured.")

        @OptionGroup var fleet: FleetOptions
        @Option(help: "The coordinator's (or the floor's) endpoint.")
        var coordinator: String
        @Option(help: "Simulate the agents whose position modulo K is I (I/K), beside other swarm processes.")
        var shard = "0/1"
        @Option(help: "A fleet's keys directory (quiesce keygen --fleet): each agent connects with its own key.")
        var keys: String?
        @Flag(help: "Connect without keys.")
        var insecure = false
        @Option(help: "libzmq I/O threads.")
        var ioThreads: Int32 = 1
        @Option(help: "Seconds after which the swarm gives up.")
        var deadline = 300.0
        @Option(help: "Where to write the record (JSON) for `summarize`.")
        var record: String

        func run() throws {
            guard insecure != (keys != nil) else { throw ValidationError("give either --keys DIR or --insecure") }
            let parts = shard.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] > 0, (0..<parts[1]).contains(parts[0]) else {
                throw ValidationError("--shard must be I/K with 0 <= I < K, like 0/2")
            }
            let swarm = SimulatedSwarm(fleet: fleet.fleet, shard: Shard(index: parts[0], count: parts[1]))
            try DescriptorBudget.check(agents: swarm.agentCount)
            let curve = try keys.map { directory in
                let fleetKeys = FleetKeys(directory: directory)
                return try (fleetKeys, CurveCertificate.readPublic(fleetKeys.coordinatorPublicKey))
            }
            let result = try swarm.run(
                endpoint: coordinator,
                curve: curve.map { fleetKeys, serverKey in
                    { service in
                        (try CurveCertificate.readSecret(fleetKeys.agentSecretKey(service), role: "agent"), serverKey)
                    }
                },
                ioThreads: ioThreads, deadline: deadline)
            try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: record))
            print(
                "swarm \(shard): \(result.registered)/\(result.agents) registered, "
                    + (result.complete ? "every stop answered" : "gave up at the deadline"))
            if !result.complete { throw ExitCode(1) }
        }
    }

    struct Floor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Serves the fleet's swarm from a bare router: welcomes, then orders each wave the moment the last one is answered."
        )

        @OptionGroup var fleet: FleetOptions
        @Option(help: "The endpoint to bind.")
        var bind: String
        @Option(help: "Seconds after which the floor gives up.")
        var deadline = 300.0
        @Option(help: "Seconds between heartbeats its welcome asks of the agents, as the coordinator's configuration.")
        var heartbeatInterval = 1

        func validate() throws {
            guard heartbeatInterval > 0 else { throw ValidationError("--heartbeat-interval must be at least 1") }
        }

        func run() throws {
            raiseOpenFileLimit()
            let router = FloorRouter(fleet: fleet.fleet, heartbeatSeconds: heartbeatInterval)
            guard try router.run(endpoint: bind, deadline: deadline) else {
                print("floor: gave up at the deadline")
                throw ExitCode(1)
            }
        }
    }

    struct Summarize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merges the records of a run and prints its figures; the last line is one JSON object.")

        @Argument(help: "The records of the swarm processes that ran against the coordinator.")
        var records: [String]
        @Option(help: "A record of a swarm process that ran against the floor (repeat for each).")
        var floor: [String] = []
        @Option(help: "The coordinator's CPU seconds (user + system).")
        var coordinatorCPUSeconds: Double?
        @Option(
            name: .customLong("coordinator-peak-rss-kb"), help: "The coordinator's peak resident memory in KiB (VmHWM)."
        )
        var coordinatorPeakRSSKB: Double?
        @Option(name: .customLong("floor-peak-rss-kb"), help: "The floor's peak resident memory in KiB (VmHWM).")
        var floorPeakRSSKB: Double?

        func run() throws {
            let coordinator = SwarmSummary(merging: try records.map(Self.read))
            let bare = SwarmSummary(merging: try floor.map(Self.read))
            let lines = coordinator.lines(title: "coordinator") + (floor.isEmpty ? [] : bare.lines(title: "floor"))
            print(lines.joined(separator: "\n"))
            if let coordinatorCPUSeconds, let coordinatorPeakRSSKB {
                print(
                    String(
                        format: "coordinator process: %.2f s of CPU, peak RSS %.1f MB", coordinatorCPUSeconds,
                        coordinatorPeakRSSKB / 1024))
            }
            print(
                SwarmFigures(
                    coordinator: coordinator, floor: floor.isEmpty ? nil : bare, cpuSeconds: coordinatorCPUSeconds,
                    peakRSSKB: coordinatorPeakRSSKB, floorPeakRSSKB: floorPeakRSSKB
                ).json)
            if !coordinator.complete || (!floor.isEmpty && !bare.complete) { throw ExitCode(1) }
        }

        private static func read(_ path: String) throws -> SwarmRecord {
            try JSONDecoder().decode(SwarmRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }
}
