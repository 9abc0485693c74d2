import QuiesceRuntime

/// How many agents one swarm process can hold under its descriptor limit. Each simulated agent costs
/// two descriptors (its TCP connection and its socket's mailbox, an eventfd), and libzmq's context a
/// few more.
enum DescriptorBudget {
    static let perAgent = 2
    static let reserve = 64

    /// Raises the soft limit to the hard one, and refuses, naming the fix, a shard larger than it allows.
    static func check(agents: Int) throws {
        raiseOpenFileLimit()
        let limit = Int(clamping: OpenFileLimit.current.soft)
        let most = (limit - reserve) / perAgent
        guard agents <= most else {
            throw SwarmError.usage(
                "\(agents) agents need about \(agents * perAgent + reserve) descriptors, and this process may open "
                    + "\(limit) (ulimit -n): one swarm process holds \(most) agents here; split the fleet with --shard I/K"
            )
        }
    }
}
