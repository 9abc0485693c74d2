/// One row of `quiesce status`.
public struct ServiceStatus: Equatable, Sendable {
    public var service: String
    public var state: ServiceState
    /// Whether the service's agent is connected now.
    public var connected: Bool
    /// Whether the agent has been silent longer than `agent_suspect_after` (not lost yet).
    public var suspect: Bool
    /// The host the agent reported.
    public var host: String?
    /// The pid of the service's process on its host.
    public var pid: Int32?
    /// Time since the service became ready, while it is ready.
    public var uptime: Duration?
    /// Time since the state last changed.
    public var sinceLastChange: Duration
    /// A short explanation of the state: an exit status, a failure reason.
    public var detail: String?

    public init(
        service: String, state: ServiceState, connected: Bool, suspect: Bool = false, host: String? = nil,
        pid: Int32? = nil,
        uptime: Duration? = nil, sinceLastChange: Duration, detail: String? = nil
    ) {
        self.service = service
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
