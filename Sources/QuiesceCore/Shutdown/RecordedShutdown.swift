/// What a coordinator's journal recorded of a shutdown it began and did not finish: the services
/// that were concluded as a whole, and the instances concluded one by one, so that a restarted
/// coordinator resumes it instance by instance.
public struct RecordedShutdown: Equatable, Sendable {
    /// Services concluded as a whole (every instance had its outcome, or the service had none).
    /// Journals written before services had instances record only these.
    public var services: [String: RecordedOutcome]
    /// Instances concluded, by service, then by instance id.
    public var instances: [String: [String: RecordedOutcome]]
    /// How the shutdown ordered the services, which its resumption keeps. Journals written before
    /// eager scheduling record none: they stopped wave by wave.
    public var scheduling: Scheduling

    public init(
        services: [String: RecordedOutcome] = [:], instances: [String: [String: RecordedOutcome]] = [:],
        scheduling: Scheduling = .waves
    ) {
        self.services = services
        self.instances = instances
        self.scheduling = scheduling
    }

    /// The recorded outcome of one instance, if any.
    public func outcome(of id: InstanceID) -> RecordedOutcome? {
        instances[id.service]?[id.instance]
    }

    /// The recorded instances of `service`, by id.
    public func instanceIDs(of service: String) -> [InstanceID] {
        (instances[service] ?? [:]).keys.sorted().map { InstanceID(service: service, instance: $0) }
    }

    /// How many instances of `service` were concluded.
    public func instanceCount(of service: String) -> Int {
        instances[service]?.count ?? 0
    }

    /// The services and instances already concluded, for the progress line: `database`, `api/b`.
    public var concludedNames: [String] {
        services.keys.sorted()
            + instances.keys.sorted().filter { services[$0] == nil }.flatMap { service in
                instanceIDs(of: service).map(\.description)
            }
    }

    /// Keeps only what `graph` holds.
    func restricted(to graph: ServiceGraph) -> RecordedShutdown {
        RecordedShutdown(
            services: services.filter { graph.contains($0.key) },
            instances: instances.filter { graph.contains($0.key) },
            scheduling: scheduling)
    }
}
