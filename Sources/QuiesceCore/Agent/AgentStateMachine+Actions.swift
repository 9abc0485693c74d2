extension AgentStateMachine {
    /// Every message the agent sends the coordinator: its registration, heartbeats, what became of its
    /// service's process, and the final report that answers a stop or kill order.
    public enum OutgoingMessage: Hashable, Sendable {
        case register(AgentSnapshot)
        case heartbeat
        case started(pid: Int32)
        case ready
        case startFailed(String)
        /// A readiness check failed: before the first ready, each failure; after it, the failure that
        /// reached the threshold.
        case unready(String)
        /// The process ended on its own and will be started again after `delay` (restart `attempt`).
        case restarting(ExitStatus, attempt: Int, delay: Duration)
        /// The agent itself was asked to stop: the coordinator should stop the service, dependents first.
        case stopRequest
        case exited(ExitStatus)
        case stopped(StopOutcome)
    }

    public enum Timer: Hashable, Sendable {
        /// Repeat an unanswered registration.
        case registration
        case heartbeat
        /// The stop timeout: SIGKILL when it passes.
        case stopDeadline
        /// Repeat the unacknowledged final report.
        case reportRetry
        /// Stop waiting for the final report's acknowledgement and exit.
        case reportPatience
        /// Run the next readiness check.
        case probe
        /// Start the process again.
        case restart
        /// The drain is over: ask the process to stop.
        case drainEnd
        /// The coordinator did not order the stop the agent asked for: stop locally.
        case coordinatedStopFallback
        /// The coordinator has been silent too long: register again (the service keeps running).
        case coordinatorSilence
    }

    public enum Action: Equatable, Sendable {
        /// Send `message` numbered `id`, as the answer to the coordinator's message `replyTo` if any.
        case send(OutgoingMessage, id: UInt64, replyTo: UInt64?)
        /// Start the service's process; answer with ``spawned(pid:now:)`` or ``spawnFailed(_:now:)``.
        case spawn
        /// Send a signal to the service's process group.
        case signal(Int32)
        /// Pass a signal the agent received on to the service's process (not its group).
        case forward(Int32)
        /// Run one readiness check, off the reactor; answer with ``probeFinished(error:now:)``.
        case runProbe(ReadinessProbe)
        /// Run the stop command, off the reactor, for at most `timeout`; answer with
        /// ``stopCommandFinished(error:now:)``.
        case runStopCommand(StopCommand, timeout: Duration)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        /// The agent's work is over: exit with this code.
        case exit(Int32)
    }
}
