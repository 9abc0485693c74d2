/// A validated fleet configuration: the coordinator's settings and the service graph.
public struct Configuration: Sendable, Equatable {
    public var coordinator: CoordinatorSettings
    public var graph: ServiceGraph
    /// CURVE security; plain connections when `nil`.
    public var security: SecuritySettings?
    /// What the file holds that works, but probably not as its author meant (a compose key that
    /// undoes the order): printed by every command that reads the file, refused by none.
    public var warnings: [ConfigurationIssue] = []

    public init(
        coordinator: CoordinatorSettings = CoordinatorSettings(), graph: ServiceGraph, security: SecuritySettings? = nil
    ) {
        self.coordinator = coordinator
        self.graph = graph
        self.security = security
    }
}

/// The `coordinator:` block of a configuration file.
public struct CoordinatorSettings: Sendable, Equatable {
    /// What to do with the services already started when a service fails to start.
    public enum StartFailurePolicy: String, Sendable, CaseIterable {
        /// Stop what was started, in reverse dependency order, then exit (the default).
        case stop
        /// Leave what was started running and keep coordinating.
        case leave
    }

    /// The endpoint agents and the CLI connect to.
    public var bind: String = "tcp://127.0.0.1:7700"
    /// The deadline for the whole shutdown; remaining services are killed when it passes.
    public var shutdownTimeout: Duration = .seconds(60)
    /// How long past a service's stop timeout the coordinator waits for the agent's report before it
    /// declares the stop timed out and moves on.
    public var ackGrace: Duration = .seconds(2)
    /// How often the coordinator and its agents exchange heartbeats.
    public var heartbeatInterval: Duration = .seconds(1)
    /// How long an agent may stay silent before it is marked suspect (shown, not acted on).
    public var agentSuspectAfter: Duration = .seconds(2)
    /// How long an agent may stay silent before it is declared lost.
    public var agentLostAfter: Duration = .seconds(5)
    public var onStartFailure: StartFailurePolicy = .stop
    /// How startups and shutdowns decide when a service may go, unless a run asks otherwise.
    public var scheduling: Scheduling = .waves
    /// A separate admin plane: an `ipc://` endpoint whose socket file only the coordinator's user can
    /// open (mode 0600), where every peer may use the operator commands without keys.
    public var adminBind: String?
    /// Where the coordinator serves its Prometheus metrics (`GET /metrics`); not served when `nil`.
    public var metricsBind: ListenAddress?
    /// Where the coordinator keeps its durable state; none when `nil`.
    public var stateDirectory: String?
    /// Standby coordinators elected through etcd (`coordinator.ha`); this coordinator runs alone when `nil`.
    public var ha: StandbySettings?

    public init() {}
}
