/// What the coordinator reports as it happens; the runtime prints it.
public enum CoordinatorProgress: Equatable, Sendable {
    case agentConnected(InstanceID, host: String)
    case agentLost(InstanceID)
    /// Silent longer than `agent_suspect_after`: not lost yet.
    case agentSuspect(InstanceID)
    case agentResponsive(InstanceID)
    case serviceFailed(InstanceID, reason: String)
    /// A ready instance's readiness checks fail.
    case serviceUnready(InstanceID, reason: String)
    case serviceReadyAgain(InstanceID)
    case serviceRestarting(InstanceID, status: ExitStatus, attempt: Int, delay: Duration)
    case serviceExited(InstanceID, status: ExitStatus)
    /// The service's start timeout passed with `ready` of its `expected` instances ready, at least
    /// `min_ready`: its dependents start. `missing` names the instances not ready; `unregistered`
    /// counts those expected that never registered.
    case startedWithFewer(String, ready: Int, expected: Int, missing: [String], unregistered: Int)
    case startup(StartupProgress)
    /// Every service is ready, `after` the startup began; `waitingForAgents` of it went by with a
    /// wave waiting for its agents to register, the rest to starting services.
    case startupComplete(after: Duration, waitingForAgents: Duration)
    case startupFailed(StartupFailure)
    case shutdownBegan
    /// Restarted in the middle of a shutdown, the coordinator resumes it.
    case shutdownResumed(alreadyStopped: [String])
    case shutdown(ShutdownProgress)
    /// One instance of a service with several has its outcome; the service's comes once all have.
    case instanceFinished(InstanceID, ShutdownOutcome, after: Duration?)
    case operationBegan(Operation)
    /// The stop step of a restart is over; the start step begins.
    case operationStopped(Operation, ShutdownReport)
    /// A step of a rolling restart.
    case rolling(RollingRestartProgress)
}
