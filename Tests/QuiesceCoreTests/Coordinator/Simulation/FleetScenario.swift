import QuiesceCore

/// A random fleet and the faults that will hit it during its shutdown.
struct FleetScenario: CustomStringConvertible {
    /// What goes wrong with one service's agent.
    enum Fault: Hashable {
        /// The agent goes silent at this moment of the shutdown (killed, partitioned, frozen).
        case agentLost(after: Duration)
        /// The process ignores its stop signal: the agent kills it when the stop timeout passes.
        case ignoresStop
        /// The agent's report never arrives: the coordinator's stop deadline must end the wait.
        case reportLost
    }

    var seed: UInt64
    var graph: ServiceGraph
    /// How long each service takes to stop after its stop signal.
    var stopDurations: [String: Duration]
    var faults: [String: Fault]
    var shutdownTimeout: Duration
    /// When set, the coordinator dies this long into the shutdown and a new one starts 500 ms later,
    /// from the journal and the agents' snapshots.
    var coordinatorRestart: Duration?

    /// A DAG of 2–40 services (each may depend on earlier ones), stop durations up to 4 s, stop
    /// timeouts of 1–5 s, and a fault on about one service in five.
    init(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        self.seed = seed
        let count = Int.random(in: 2...40, using: &random)
        var services: [ServiceSpec] = []
        var durations: [String: Duration] = [:]
        var faults: [String: Fault] = [:]
        for index in 0..<count {
            let name = "s\(index)"
            let dependencies = (0..<index).filter { _ in
                Double.random(in: 0..<1, using: &random) < 3.0 / Double(index + 2)
            }
            .map { "s\($0)" }
            services.append(
                ServiceSpec(
                    name: name, dependencies: dependencies,
                    stopTimeout: .milliseconds(Int64.random(in: 1000...5000, using: &random))))
            durations[name] = .milliseconds(Int64.random(in: 0...4000, using: &random))
            switch Int.random(in: 0..<15, using: &random) {
            case 0: faults[name] = .agentLost(after: .milliseconds(Int64.random(in: 0...8000, using: &random)))
            case 1: faults[name] = .ignoresStop
            case 2: faults[name] = .reportLost
            default: break
            }
        }
        // Sometimes a deadline shorter than the worst case, to exercise the kill at the deadline.
        shutdownTimeout = .seconds(Int64.random(in: 0..<4, using: &random) == 0 ? 6 : 120)
        coordinatorRestart =
            Int.random(in: 0..<4, using: &random) == 0 ? .milliseconds(Int64.random(in: 0...6000, using: &random)) : nil
        self.graph = try! ServiceGraph(validating: services)
        self.stopDurations = durations
        self.faults = faults
    }

    var description: String {
        "seed \(seed): \(graph.names.count) services, faults \(faults.sorted { $0.key < $1.key })"
            + (coordinatorRestart.map { ", coordinator restart at \($0)" } ?? "")
    }
}
