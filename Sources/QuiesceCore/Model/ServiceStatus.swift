/// One service as `quiesce status` shows it: a summary (`2/3 ready`) over one row per instance.
public struct ServiceStatus: Equatable, Sendable {
    public var service: String
    /// How many instances the configuration expects.
    public var expected: Int
    /// The fewest ready instances its dependents need.
    public var minReady: Int
    /// How many of its instances are ready.
    public var ready: Int
    /// Its instances, in the order they first registered.
    public var instances: [InstanceStatus]

    public init(service: String, expected: Int = 1, minReady: Int = 1, ready: Int, instances: [InstanceStatus]) {
        self.service = service
        self.expected = expected
        self.minReady = minReady
        self.ready = ready
        self.instances = instances
    }

    /// The service's state as a whole: its instances' state when they all agree, `ready` while at
    /// least `min_ready` are, `waiting` before any registered, and otherwise the state of the
    /// instance furthest from ready (stopping, starting, unready, failed, timed out, lost, stopped).
    public var state: ServiceState {
        guard let first = instances.first?.state else { return .waiting }
        if instances.allSatisfy({ $0.state == first }) { return first }
        if ready >= minReady { return .ready }
        let order: [ServiceState] = [.stopping, .starting, .unready, .failed, .timedOut, .lost, .stopped, .waiting]
        return order.first { state in instances.contains { $0.state == state } } ?? first
    }

    /// `2/3 ready`: ready instances over those expected (or registered, when more registered).
    public var summary: String {
        "\(ready)/\(max(expected, instances.count)) ready"
    }
}

/// One instance of a service, as a row of `quiesce status`.
public struct InstanceStatus: Equatable, Sendable {
    /// Its id (``InstanceID``).
    public var instance: String
    public var state: ServiceState
    /// Whether its agent is connected now.
    public var connected: Bool
    /// Whether the agent has been silent longer than `agent_suspect_after` (not lost yet).
    public var suspect: Bool
    /// The host the agent reported.
    public var host: String?
    /// The pid of the instance's process on its host.
    public var pid: Int32?
    /// Time since the instance became ready, while it is ready.
    public var uptime: Duration?
    /// Time since the state last changed.
    public var sinceLastChange: Duration
    /// A short explanation of the state: an exit status, a failure reason.
    public var detail: String?

    public init(
        instance: String, state: ServiceState, connected: Bool, suspect: Bool = false, host: String? = nil,
        pid: Int32? = nil, uptime: Duration? = nil, sinceLastChange: Duration, detail: String? = nil
    ) {
        self.instance = instance
        self.state = state
        self.connected = connected
        self.suspect = suspect
        self.host = host
        self.pid = pid
        self.uptime = uptime
        self.sinceLastChange = sinceLastChange
        self.detail = detail
    }
}
