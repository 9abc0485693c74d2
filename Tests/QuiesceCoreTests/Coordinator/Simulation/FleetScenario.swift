import QuiesceCore

/// A random fleet of services with random instance counts, and the faults that will hit its
/// instances during its shutdown.
struct FleetScenario: CustomStringConvertible {
    /// What goes wrong with one instance's agent.
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
    /// Every instance of every service, in declaration order.
    var instances: [InstanceID]
    /// How long each instance takes to stop after its stop signal.
    var stopDurations: [InstanceID: Duration]
    var faults: [InstanceID: Fault]
    var shutdownTimeout: Duration
    /// When set, the coordinator dies this long into the shutdown and a new one starts 500 ms later,
    /// from the journal and the agents' snapshots.
    var coordinatorRestart: Duration?
    /// When set, the leader is deposed mid-shutdown and a standby takes over (never together with a
    /// restart).
    var leaderChange: LeaderChange?

    /// A change of leader, as standby coordinators elected through etcd have one.
    struct LeaderChange: Hashable, CustomStringConvertible {
        /// How long into the shutdown the leader loses its leadership (its lease expired, its host
        /// cut off from etcd).
        var at: Duration
        /// How long after that the standby leads and resumes from the journal and the agents' snapshots.
        var takeover: Duration
        /// How long after `at` the deposed leader goes on running before it notices, giving orders
        /// with its own epoch (a frozen process that wakes up): possibly past the takeover. A journal
        /// write, refused by etcd's guard, makes it stop at once.
        var deposedFor: Duration

        var description: String {
            "leader change at \(at), standby leads \(takeover) later, deposed runs \(deposedFor)"
        }
    }

    /// A DAG of 2–40 services (each may depend on earlier ones) of 1–4 instances (a third of them
    /// more than one, with a random `min_ready`), stop durations up to 4 s, stop timeouts of 1–5 s,
    /// and a fault on about one instance in five.
    init(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        self.seed = seed
        let count = Int.random(in: 2...40, using: &random)
        var services: [ServiceSpec] = []
        var instances: [InstanceID] = []
        var durations: [InstanceID: Duration] = [:]
        var faults: [InstanceID: Fault] = [:]
        for index in 0..<count {
            let name = "s\(index)"
            let dependencies = (0..<index).filter { _ in
                Double.random(in: 0..<1, using: &random) < 3.0 / Double(index + 2)
            }
            .map { "s\($0)" }
            var spec = ServiceSpec(
                name: name, dependencies: dependencies,
                stopTimeout: .milliseconds(Int64.random(in: 1000...5000, using: &random)))
            spec.instances = Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 2...4, using: &random) : 1
            spec.minReady = Int.random(in: 1...spec.instances, using: &random)
            services.append(spec)
            for number in 0..<spec.instances {
                let id = InstanceID(service: name, instance: "i\(number)")
                instances.append(id)
                durations[id] = .milliseconds(Int64.random(in: 0...4000, using: &random))
                switch Int.random(in: 0..<15, using: &random) {
                case 0: faults[id] = .agentLost(after: .milliseconds(Int64.random(in: 0...8000, using: &random)))
                case 1: faults[id] = .ignoresStop
                case 2: faults[id] = .reportLost
                default: break
                }
            }
        }
        // Sometimes a deadline shorter than the worst case, to exercise the kill at the deadline.
        shutdownTimeout = .seconds(Int64.random(in: 0..<4, using: &random) == 0 ? 6 : 120)
        coordinatorRestart =
            Int.random(in: 0..<4, using: &random) == 0 ? .milliseconds(Int64.random(in: 0...6000, using: &random)) : nil
        // Drawn last, so that the scenarios of every other kind stay as they were before leader changes.
        if coordinatorRestart == nil, Int.random(in: 0..<3, using: &random) == 0 {
            leaderChange = LeaderChange(
                at: .milliseconds(Int64.random(in: 0...6000, using: &random)),
                takeover: .milliseconds(Int64.random(in: 500...6000, using: &random)),
                deposedFor: .milliseconds(Int64.random(in: 0...8000, using: &random)))
        }
        self.graph = try! ServiceGraph(validating: services)
        self.instances = instances
        self.stopDurations = durations
        self.faults = faults
    }

    var description: String {
        "seed \(seed): \(graph.names.count) services, \(instances.count) instances, faults \(faults.sorted { $0.key < $1.key })"
            + (coordinatorRestart.map { ", coordinator restart at \($0)" } ?? "")
            + (leaderChange.map { ", \($0)" } ?? "")
    }
}
