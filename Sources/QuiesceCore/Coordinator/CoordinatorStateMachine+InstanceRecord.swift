extension CoordinatorStateMachine.ServiceTable {
    /// What the coordinator knows of one instance of a service and its agent.
    struct InstanceRecord: Sendable {
        var state: ServiceState = .waiting
        var connected = false
        var host: String?
        var pid: Int32?
        var readyAt: Timestamp?
        var changedAt: Timestamp
        var exitStatus: ExitStatus?
        /// The outcome of a stop order the agent's snapshot told of: the stop ended while no
        /// coordinator ran.
        var stopOutcomeFromSnapshot: StopOutcome?
        var detail: String?
        /// Why the last readiness check failed, while the instance is not ready.
        var lastCheckError: String?
        /// The agent has been silent longer than `agent_suspect_after`.
        var suspect = false
        /// Its connection closed: nothing can be routed to it. It is not lost yet; it has until
        /// `agent_lost_after` from when it was last heard to register again.
        var unreachable = false
        /// The last order sent and not answered yet, and how many times it was sent.
        var unanswered: (order: CoordinatorStateMachine.Order, sends: Int)?
    }

    /// One service's instances, in the order they first registered, and how many are in each state,
    /// so that what the coordinator asks of a service as a whole costs no scan of its instances.
    struct ServiceRecord: Sendable {
        /// How many instances the configuration expects, and the fewest ready its dependents need.
        let expected: Int
        let minReady: Int
        var instances: [String] = []
        var counts: [ServiceState: Int] = [:]
        var connected = 0

        func count(_ states: ServiceState...) -> Int {
            states.reduce(0) { $0 + counts[$1, default: 0] }
        }

        /// Ready instances.
        var ready: Int { count(.ready) }

        /// Instances that are running or may still run: waiting for their start, starting, ready or
        /// not ready.
        var viable: Int { count(.waiting, .starting, .ready, .unready) }

        /// Whether every instance has ended: stopped, failed or killed after its timeout.
        var hasEnded: Bool {
            !instances.isEmpty && count(.stopped, .failed, .timedOut) == instances.count
        }
    }
}
