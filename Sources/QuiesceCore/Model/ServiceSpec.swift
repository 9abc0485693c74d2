/// One service of the fleet as the configuration declares it.
public struct ServiceSpec: Hashable, Sendable {
    /// The unique name agents register under.
    public var name: String
    /// The services that must be ready before this one starts, and that are stopped only after it.
    public var dependencies: [String]
    /// From the stop signal to acknowledged exit; the agent kills the process when it passes.
    public var stopTimeout: Duration
    /// Before the stop signal: how long the agent reports the service not ready, so that load
    /// balancers stop sending it work.
    public var drain: Duration = .zero
    /// From start order to ready; startup fails when it passes.
    public var startTimeout: Duration
    /// How its agent checks readiness, unless the agent has a probe of its own (which wins).
    public var readiness: ReadinessProbe?
    /// Whether its agent starts the process again when it ends on its own.
    public var restart: RestartPolicy?
    /// During a shutdown, when its agent cannot be reached: wait for it until the deadline (`true`),
    /// or declare it lost and go on (`false`, the default).
    public var waitsWhenUnreachable = false
    /// How many instances the fleet expects (``InstanceCount``): the service is ready for its dependents
    /// once that many are ready. More may register.
    public var instances = 1
    /// The fewest ready instances with which its dependents may run: enough when `start_timeout`
    /// passes before every instance is ready, and what one instance leaving must leave behind.
    public var minReady = 1
    /// The line of the configuration file that declares the service, for messages.
    public var line: Int?

    /// The longest a stop can take before the process is killed: the drain, then the stop timeout.
    public var stopBudget: Duration { drain + stopTimeout }

    public init(
        name: String,
        dependencies: [String] = [],
        stopTimeout: Duration = .seconds(10),
        startTimeout: Duration = .seconds(30),
        readiness: ReadinessProbe? = nil,
        restart: RestartPolicy? = nil,
        line: Int? = nil
    ) {
        self.name = name
        self.dependencies = dependencies
        self.stopTimeout = stopTimeout
        self.startTimeout = startTimeout
        self.readiness = readiness
        self.restart = restart
        self.line = line
    }
}
