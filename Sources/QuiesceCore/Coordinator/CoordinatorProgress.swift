/// What the coordinator reports as it happens; the runtime prints it.
public enum CoordinatorProgress: Equatable, Sendable {
    case agentConnected(String, host: String)
    case agentLost(String)
    /// Silent longer than `agent_suspect_after`: not lost yet.
    case agentSuspect(String)
    case agentResponsive(String)
    case serviceFailed(String, reason: String)
    /// A ready service's readiness checks fail.
    case serviceUnready(String, reason: String)
    case serviceReadyAgain(String)
    case serviceRestarting(String, status: ExitStatus, attempt: Int, delay: Duration)
    case serviceExited(String, status: ExitStatus)
    case startup(StartupProgress)
    case startupComplete(after: Duration)
    case startupFailed(StartupFailure)
    case shutdownBegan
    /// Restarted in the middle of a shutdown, the coordinator resumes it.
    case shutdownResumed(alreadyStopped: [String])
    case shutdown(ShutdownProgress)
    case operationBegan(Operation)
    /// The stop step of a restart is over; the start step begins.
    case operationStopped(Operation, ShutdownReport)
}
