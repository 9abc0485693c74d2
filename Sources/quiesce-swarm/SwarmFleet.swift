/// The fleet a swarm simulates, generated: `agents` services in `waves` layers of about the same
/// size. A service of layer *n* depends on ``fanIn`` services of layer *n − 1*, chosen so that every
/// service of a layer has a dependent in the next: startup wave *n* is layer *n*, and shutdown waves
/// are the layers in reverse.
///
/// Every part of the swarm (the simulated agents, the floor's router, the coordinator's
/// configuration) reads the fleet from here, so that one function decides who the agents are.
struct SwarmFleet: Sendable {
    /// One simulated agent: the service it registers as, and its layer.
    struct Member: Sendable {
        var service: String
        var layer: Int
        var dependencies: [String]
    }

    /// Every agent, layer by layer.
    let members: [Member]
    /// How many layers (startup waves, and shutdown waves) the fleet has.
    let layers: Int
    /// Dependencies of each service on the layer before it, at most.
    static let fanIn = 3

    /// `agents` services in `waves` layers (fewer when there are fewer agents than waves).
    init(agents: Int, waves: Int) {
        let layers = max(1, min(waves, agents))
        var members: [Member] = []
        var previous: [String] = []
        for layer in 0..<layers {
            // The first layers take the remainder, one service each.
            let size = agents / layers + (layer < agents % layers ? 1 : 0)
            let names = (0..<size).map { "s\(layer)-\($0)" }
            for (index, name) in names.enumerated() {
                let count = min(Self.fanIn, previous.count)
                // Consecutive services of the layer before, starting at this one's position scaled to
                // that layer, so that each of them has a dependent.
                let first = previous.isEmpty ? 0 : index * previous.count / size
                let dependencies = (0..<count).map { previous[(first + $0) % previous.count] }
                members.append(Member(service: name, layer: layer, dependencies: dependencies))
            }
            previous = names
        }
        self.members = members
        self.layers = layers
    }

    /// The 0-based startup wave of `member`.
    func startupWave(of member: Member) -> Int { member.layer }

    /// The 0-based shutdown wave of `member`: the layers stop in reverse.
    func shutdownWave(of member: Member) -> Int { layers - 1 - member.layer }

    /// How many agents each wave holds (the same for startup wave *n* and shutdown wave
    /// `layers - 1 - n`).
    func layerSizes() -> [Int] {
        var sizes = Array(repeating: 0, count: layers)
        for member in members { sizes[member.layer] += 1 }
        return sizes
    }

    /// The coordinator's configuration for this fleet, listening on `endpoint`.
    func configuration(endpoint: String) -> String {
        var lines = [
            "# A generated fleet of \(members.count) services in \(layers) waves (quiesce-swarm config).",
            "coordinator:",
            "  bind: \(endpoint)",
            "  shutdown_timeout: 10m",
            // A fleet this size keeps the default heartbeat (the heaviest case: every agent, every
            // second) and gives a busy moment room before agents are declared lost.
            "  agent_suspect_after: 5s",
            "  agent_lost_after: 15s",
            "services:",
        ]
        for member in members {
            lines.append(
                member.dependencies.isEmpty
                    ? "  \(member.service): {}"
                    : "  \(member.service): { depends_on: [\(member.dependencies.joined(separator: ", "))] }")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
