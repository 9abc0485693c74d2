extension AgentStateMachine {
    /// How the agent behaves; see `quiesce agent --help`.
    public struct Settings: Sendable {
        public var stopSignal: Int32 = 15
        /// Asks the service to stop instead of the stop signal, which remains the fallback.
        public var stopCommand: StopCommand?
        public var localStopTimeout: Duration = .seconds(10)
        /// How long the agent, asked to stop by its own SIGTERM, waits for the coordinator to order the
        /// stop (after the service's dependents) before stopping locally. Zero stops locally at once.
        public var coordinatedStopTimeout: Duration = .seconds(10)
        public var registrationRetry: Duration = .seconds(1)
        public var reportRetry: Duration = .milliseconds(500)
        public var reportPatience: Duration = .seconds(5)
        /// The agent's own readiness probe; it wins over one the coordinator sends with the start order.
        public var readiness: ReadinessProbe?
        /// Whether the coordinator proved its key: what a start order may ask of the agent depends on
        /// it (see ``CoordinatorTrust/refusal(of:)``).
        public var coordinatorTrust: CoordinatorTrust = .unauthenticated
        /// Whether the agent obeys a coordinator whose epoch is lower than the one it was last welcomed
        /// with (a coordinator moved to a new state directory, or whose clock went back).
        public var acceptsLowerEpoch = false

        public init() {}
    }

    /// Exit codes besides the child's own status.
    enum ExitCode {
        /// The coordinator refused the registration (unknown or duplicate name).
        static let refused: Int32 = 78
        /// The service's command could not be started.
        static let spawnFailed: Int32 = 127
    }
}
