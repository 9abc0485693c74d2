/// The parts of an ``AgentStateMachine``'s state: what a start order sets up, the running and the
/// stopping process, the final report and what follows it, the link with the coordinator and the
/// agent's own signal. Only the machine uses them.
extension AgentStateMachine {
    /// What a start order sets up, kept across the restarts of its process.
    struct Launch {
        /// The agent's own probe, else the coordinator's; `nil`: the process is ready once spawned.
        var probe: ReadinessProbe?
        /// Whether to start the process again when it ends on its own.
        var restartPolicy: RestartPolicy?
    }

    /// A spawned process that has not been asked to stop.
    struct RunningProcess {
        var pid: Int32
        var spawnedAt: Timestamp
        var launch: Launch
        var readiness: Readiness
        /// When its checks run, with the launch's probe; `nil` without one.
        var pacing: ReadinessPacing?
    }

    /// What the readiness checks found about the running process.
    enum Readiness {
        /// No check has passed yet: failures are reported as ``ReadinessPacing`` says.
        case notReadyYet
        /// A check passed; `consecutiveFailures` have failed since the last that passed.
        case ready(consecutiveFailures: Int)
        /// After ready, `failureThreshold` checks in a row failed: reported once, until one passes.
        case unready

        /// Whether the service counts as ready: a check passed, and fewer than the threshold failed since.
        var isReady: Bool {
            if case .ready = self { true } else { false }
        }
    }

    /// A stop or kill order from the coordinator.
    struct StopOrder {
        /// The order's message id, which the final report answers.
        var id: UInt64
        /// Whether the agent exits once the service has stopped, rather than wait for a new start order.
        var exit: Bool

        /// What the agent does after the final report of a process that ended with `status`.
        func afterReport(_ status: ExitStatus) -> AfterReport {
            exit ? .exit(status.shellCode) : .awaitStartOrder
        }
    }

    /// Why the process is being stopped.
    enum StopCause {
        /// The coordinator ordered it; the final report answers the order.
        case order(StopOrder)
        /// The agent's own SIGTERM or SIGINT: the final report says the process exited, and the agent
        /// exits after it.
        case ownSignal
    }

    /// How far the stop of the process has gone.
    enum Escalation {
        /// The stop command ran or the stop signal was sent; SIGKILL follows at `.stopDeadline`.
        case asked
        /// SIGKILL was sent: the stop timeout passed, or another signal of the agent's own hurried it.
        case killed
        /// SIGKILL was sent on a kill order.
        case killOrdered
    }

    struct Stopping {
        var pid: Int32
        var cause: StopCause
        var escalation: Escalation
    }

    /// The message that ends a process's story, repeated until the coordinator acknowledges it.
    struct FinalReport {
        var message: OutgoingMessage
        var id: UInt64
        var replyTo: UInt64?
        var afterReport: AfterReport

        /// What the agent tells a coordinator of its service while this report waits: after a stop it
        /// stays after, `idle` (it has no process to tell of); after another stop, that stop's outcome;
        /// `nil` after the end of a process that ended on its own.
        var snapshot: AgentSnapshot? {
            guard case .stopped(let outcome) = message else { return nil }
            if case .awaitStartOrder = afterReport { return .idle }
            return .stopped(outcome)
        }
    }

    /// What the agent does once its final report is acknowledged, or given up on.
    enum AfterReport {
        case exit(Int32)
        /// Stay, and wait for a new start order (unless the agent's own signal came meanwhile).
        case awaitStartOrder
    }

    /// The agent's link with the coordinator.
    enum Registration {
        /// Registering (again): `.registration` repeats it until a welcome.
        case registering
        /// Welcomed: heartbeats every `heartbeatInterval`; the coordinator is lost after `lostAfter`
        /// of silence.
        case registered(heartbeatInterval: Duration, lostAfter: Duration)
    }

    /// The agent's own SIGTERM or SIGINT: its container is going away.
    enum OwnSignal {
        case notReceived
        /// Received while the process ran: the agent asked the coordinator for a coordinated stop and
        /// waits for the order until `.coordinatedStopFallback`.
        case awaitingCoordinatedStop
        /// Received: the agent exits once its service has stopped, whatever the orders say.
        case received
    }
}
