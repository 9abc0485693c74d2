/// The fleet a swarm simulates, generated: `agents` agents in `waves` layers of about the same size.
/// Each layer holds a few services (``servicesPerLayer`` at most), each with many instances, one agent
/// each, as real fleets run them. A service of layer *n* depends on ``fanIn`` services of layer
/// *n − 1*, chosen so that every service of a layer has a dependent in the next: startup wave *n* is
/// layer *n*, and shutdown waves are the layers in reverse. A wave orders every instance of its
/// services.
///
/// Every part of the swarm (the simulated agents, the floor's router, the coordinator's
/// configuration) reads the fleet from here, so that one function decides who the agents are.
struct SwarmFleet: Sendable {
    /// One service: its name, layer, instance count and dependencies.
    struct Service: Sendable {
        var name: String
        var layer: Int
        var instances: Int
        var dependencies: [String]
    }

    /// One simulated agent: the instance of a service it registers as.
    struct Member: Sendable {
        var service: String
        var instance: String
        var layer: Int

        /// How the agent is named in the coordinator's log and status: `service/instance`.
        var name: String { "\(service)/\(instance)" }
    }

    /// Every service, layer by layer.
    let services: [Service]
    /// Every agent, layer by layer, the instances of each service together.
    let members: [Member]
    /// How many layers (startup waves, and shutdown waves) the fleet has.
    let layers: Int
    /// Services of one layer, at most: each holds about a third of the layer's agents.
    static let servicesPerLayer = 3
    /// Dependencies of each service on the layer before it, at most.
    static let fanIn = 3

    /// `agents` agents in `waves` layers (fewer when there are fewer agents than waves).
    init(agents: Int, waves: Int) {
        let layers = max(1, min(waves, agents))
        var services: [Service] = []
        var previous: [String] = []
        for layer in 0..<layers {
            // The first layers take the remainder, one agent each; so do a layer's first services.
            let size = agents / layers + (layer < agents % layers ? 1 : 0)
            let count = min(Self.servicesPerLayer, size)
            let names = (0..<count).map { "s\(layer)-\($0)" }
            for (index, name) in names.enumerated() {
                let fanIn = min(Self.fanIn, previous.count)
                // Consecutive services of the layer before, starting at this one's position scaled to
                // that layer, so that each of them has a dependent.
                let first = previous.isEmpty ? 0 : index * previous.count / count
                services.append(
                    Service(
                        name: name, layer: layer, instances: size / count + (index < size % count ? 1 : 0),
                        dependencies: (0..<fanIn).map { previous[(first + $0) % previous.count] }))
            }
            previous = names
        }
        self.services = services
        self.members = services.flatMap { service in
            (0..<service.instances).map { Member(service: service.name, instance: "i\($0)", layer: service.layer) }
        }
        self.layers = layers
    }

    /// The 0-based startup wave of `member`.
    func startupWave(of member: Member) -> Int { member.layer }

    /// The 0-based shutdown wave of `member`: the layers stop in reverse.
    func shutdownWave(of member: Member) -> Int { layers - 1 - member.layer }

    /// The coordinator's configuration for this fleet, listening on `endpoint`, with heartbeats every
    /// `heartbeatSeconds` (agents suspect after five intervals of silence, lost after fifteen).
    func configuration(endpoint: String, heartbeatSeconds: Int = 1) -> String {
        var lines = [
            "# A generated fleet of \(members.count) agents: \(services.count) services in \(layers) waves "
                + "(quiesce-swarm config).",
            "coordinator:",
            "  bind: \(endpoint)",
            "  shutdown_timeout: 10m",
            // By default a fleet this size keeps the default heartbeat (the heaviest case: every
            // agent, every second) and gives a busy moment room before agents are declared lost.
            "  heartbeat_interval: \(heartbeatSeconds)s",
            "  agent_suspect_after: \(5 * heartbeatSeconds)s",
            "  agent_lost_after: \(15 * heartbeatSeconds)s",
            "services:",
        ]
        for service in services {
            let dependencies =
                service.dependencies.isEmpty ? "" : ", depends_on: [\(service.dependencies.joined(separator: ", "))]"
            lines.append("  \(service.name): { instances: \(service.instances)\(dependencies) }")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
