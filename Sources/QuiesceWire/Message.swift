import QuiesceCore

/// Every message of the Quiesce protocol (see docs/protocol.md).
public enum Message: Equatable, Sendable {
    // Agent to coordinator.
    /// Asks to be the agent of one instance of `service`: `instance`, or, when an agent of an
    /// earlier revision sends none, the one its `host` names.
    case register(service: String, host: String, agentPID: Int32, snapshot: AgentSnapshot, instance: String? = nil)
    /// Liveness, both ways.
    case heartbeat
    /// The service's process was spawned.
    case started(pid: Int32)
    /// The service is ready.
    case ready
    /// The service could not be started.
    case startFailed(reason: String)
    /// A readiness check failed: not ready yet, or no longer ready.
    case unready(reason: String)
    /// The process ended on its own; the agent starts it again after `delay` (restart `attempt`).
    case restarting(ExitStatus, attempt: Int, delay: Duration)
    /// The service's process ended on its own.
    case exited(ExitStatus)
    /// The agent was asked to stop (its own SIGTERM): stop this service, its dependents first.
    case stopRequest
    /// The outcome of the stop or kill order this message replies to.
    case stopped(StopOutcome)

    // Coordinator to agent.
    /// Registration accepted. The coordinator declares an agent lost after `lostAfter` of silence,
    /// and the agent, the coordinator likewise.
    case welcome(heartbeatInterval: Duration, lostAfter: Duration)
    /// Registration refused; the agent exits.
    case refused(reason: String)
    /// This coordinator does not lead the fleet (revision 1.4): the answer of a standby coordinator to
    /// a `register` and to every operator request but `status_request`. `leader` is the endpoint the
    /// leader advertises and `leaderEpoch` its epoch, when this coordinator knows them. An agent keeps
    /// its service as it is and repeats its `register`.
    case standby(leader: String?, leaderEpoch: UInt64?)
    /// Start the service, checking its readiness with `readiness` unless the agent has its own probe,
    /// and restarting it as `restart` says.
    case start(readiness: ReadinessProbe?, restart: RestartPolicy?)
    /// Report the service not ready for `drain`, then stop it with the stop signal; kill it `timeout`
    /// after that. With `exit`, the agent exits once done; without, it waits for a new start.
    case stop(timeout: Duration, drain: Duration, exit: Bool)
    /// Kill the service now. With `exit`, the agent exits once done; without, it waits for a new start.
    case kill(exit: Bool)
    /// The report this message replies to was recorded.
    case ack

    // Operator (CLI) to coordinator and back.
    case statusRequest
    case statusReply(StatusDocument)
    /// Begin (or escalate) the shutdown and stream its progress to the requester; `scheduling` is
    /// how it orders the services, the coordinator's own when `nil` (revision 1.3).
    case shutdownRequest(scheduling: Scheduling? = nil)
    /// Stop, start or restart one service (and what depends on it, or what it needs), or restart its
    /// instances a few at a time (`rollingRestart`, at most `maxUnavailable` at once, 1 when `nil`),
    /// and stream the progress to the requester. `scheduling` as for `shutdownRequest`; a rolling
    /// restart orders one service only and has none.
    case operationRequest(
        Operation.Kind, service: String, maxUnavailable: Int? = nil, scheduling: Scheduling? = nil)
    /// A line of progress, as the coordinator prints it.
    case progress(String)
    /// The final report.
    case report(ReportDocument)
    /// The request this replies to could not be served.
    case error(String)
    /// Subscribe to the coordinator's events: answered by `event` messages until the coordinator
    /// ends, a `heartbeat` each second meanwhile, or an `error` when the subscriber is dropped.
    case eventsRequest
    /// One event of the stream.
    case event(EventDocument)

    /// The `type` field that names the message on the wire.
    public var type: String {
        switch self {
        case .register: "register"
        case .heartbeat: "heartbeat"
        case .started: "started"
        case .ready: "ready"
        case .startFailed: "start_failed"
        case .unready: "unready"
        case .restarting: "restarting"
        case .exited: "exited"
        case .stopRequest: "stop_request"
        case .stopped: "stopped"
        case .welcome: "welcome"
        case .refused: "refused"
        case .standby: "standby"
        case .start: "start"
        case .stop: "stop"
        case .kill: "kill"
        case .ack: "ack"
        case .statusRequest: "status_request"
        case .statusReply: "status_reply"
        case .shutdownRequest: "shutdown_request"
        case .operationRequest: "operation_request"
        case .progress: "progress"
        case .report: "report"
        case .error: "error"
        case .eventsRequest: "events_request"
        case .event: "event"
        }
    }
}

/// A message with its correlation fields.
public struct Envelope: Equatable, Sendable {
    /// Chosen by the sender, unique among the messages it sent since it started.
    public var id: UInt64
    /// The `id` of the message this one answers, if it is an answer.
    public var replyTo: UInt64?
    /// The coordinator's epoch, raised at every coordinator start: set by the coordinator on what it
    /// sends, and by an agent on what it sends once welcomed. Fences off messages of an earlier start.
    public var epoch: UInt64?
    public var message: Message

    public init(id: UInt64, replyTo: UInt64? = nil, epoch: UInt64? = nil, message: Message) {
        self.id = id
        self.replyTo = replyTo
        self.epoch = epoch
        self.message = message
    }
}
