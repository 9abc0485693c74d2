/// One thing that happened in the coordinator, as its event stream tells it: what `quiesce events`
/// prints, what the metrics count and what the timeline draws.
///
/// Events are made in one place, ``CoordinatorEventSource``, from the actions the coordinator's
/// machine returns and the few facts only its runtime sees (a rejected message, an instance's own
/// readiness). Each carries the monotonic time it happened at.
public struct CoordinatorEvent: Equatable, Sendable {
    /// Which run a wave or a run event is about.
    public enum Run: String, Hashable, Sendable {
        case startup
        case shutdown
    }

    /// What the coordinator turned away, one counter each (as `quiesce status` shows them).
    public enum Rejection: String, Hashable, Sendable, CaseIterable {
        case malformedMessage = "malformed_message"
        case refusedMessage = "refused_message"
        case rateLimitedRegistration = "rate_limited_registration"
        case failedHandshake = "failed_handshake"
        case droppedIdleConnection = "dropped_idle_connection"
        case refusedRegistration = "refused_registration"
    }

    /// Which order an agent was sent.
    public enum OrderKind: String, Hashable, Sendable {
        case start
        case stop
        case kill
    }

    public enum Kind: Equatable, Sendable {
        /// An agent registered as this instance, from `host`.
        case agentRegistered(InstanceID, host: String)
        /// An agent's registration was refused.
        case registrationRefused(InstanceID, reason: String)
        /// Something was turned away; `total` is its counter's value since the coordinator started.
        case rejected(Rejection, total: Int)
        /// An instance's agent was sent an order for the first time.
        case ordered(OrderKind, InstanceID, timeout: Duration?, drain: Duration?)
        /// An order an instance had not answered was sent again.
        case orderRetransmitted(InstanceID)
        /// The instance's process was spawned.
        case instanceStarted(InstanceID, pid: Int32)
        /// The instance's agent reported it ready.
        case instanceReady(InstanceID)
        /// A ready instance's readiness checks fail.
        case instanceUnready(InstanceID, reason: String)
        /// The instance could not be started, or its process ended on its own.
        case instanceFailed(InstanceID, reason: String)
        /// Every instance a service needs is ready, `after` its start order.
        case serviceReady(String, after: Duration?)
        /// An instance of a service of several has its stop outcome.
        case instanceStopped(InstanceID, ShutdownOutcome, after: Duration?)
        /// A service has its stop outcome: acknowledged, timed out, lost, killed…
        case serviceStopped(String, ShutdownOutcome, after: Duration?)
        /// The deadline passed or the shutdown was escalated: these services are killed now.
        case killing([String], reason: KillReason)
        /// An instance's agent answered the coordinator's heartbeat `after` it was sent. Fed to the
        /// metrics only: at one per agent and interval it would drown the stream's subscribers.
        case heartbeatRoundTrip(InstanceID, after: Duration)
        /// Silent for `agent_suspect_after`.
        case agentSuspect(InstanceID)
        /// Heard from again after being suspect.
        case agentResponsive(InstanceID)
        /// Silent for `agent_lost_after`, or its key revoked.
        case agentLost(InstanceID)
        /// Wave `number` of `total` of a run began with these services.
        case waveBegan(Run, number: Int, total: Int, services: [String])
        /// Wave `number` of a run ended, `after` it began.
        case waveEnded(Run, number: Int, after: Duration)
        /// A startup or shutdown began; `operation` names a targeted one (`restart api`).
        case runBegan(Run, operation: String?)
        /// A startup or shutdown ended, `after` it began; `result` is `complete`, `failed`, or the
        /// shutdown's termination (`completed`, `deadline`, `escalated`), `exitCode` its code.
        case runEnded(Run, operation: String?, after: Duration, result: String, exitCode: Int32?)
    }

    /// When it happened, on the coordinator's monotonic clock.
    public var at: Timestamp
    public var kind: Kind

    public init(at: Timestamp, _ kind: Kind) {
        self.at = at
        self.kind = kind
    }

    /// The event's name on the wire and in `quiesce events`: `agent_registered`, `stop_ordered`, …
    public var name: String {
        switch kind {
        case .agentRegistered: "agent_registered"
        case .registrationRefused: "registration_refused"
        case .rejected: "rejected"
        case .ordered(let order, _, _, _): "\(order.rawValue)_ordered"
        case .orderRetransmitted: "order_retransmitted"
        case .instanceStarted: "instance_started"
        case .instanceReady: "instance_ready"
        case .instanceUnready: "instance_unready"
        case .instanceFailed: "instance_failed"
        case .serviceReady: "service_ready"
        case .instanceStopped: "instance_stopped"
        case .serviceStopped: "service_stopped"
        case .killing: "killing"
        case .heartbeatRoundTrip: "heartbeat_round_trip"
        case .agentSuspect: "agent_suspect"
        case .agentResponsive: "agent_responsive"
        case .agentLost: "agent_lost"
        case .waveBegan: "wave_began"
        case .waveEnded: "wave_ended"
        case .runBegan: "run_began"
        case .runEnded: "run_ended"
        }
    }
}
