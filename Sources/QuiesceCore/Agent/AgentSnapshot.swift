/// What an agent tells a coordinator about its service when it registers, so that a coordinator
/// that restarted never confuses "not heard from" with "stopped".
public enum AgentSnapshot: Hashable, Sendable, CustomStringConvertible {
    /// No process has been started (or the last one was stopped on an order and the agent waits).
    case idle
    /// The process runs and is not ready (yet, or any more).
    case starting(pid: Int32)
    case ready(pid: Int32)
    /// The process is being stopped.
    case stopping(pid: Int32)
    /// The process ended on its own; the agent has not been told what to do next.
    case exited(ExitStatus)
    /// The process was stopped or killed on an order, with this outcome, and the agent exits once a
    /// coordinator has its final report: a stop that ended while no coordinator ran is still the
    /// answer to that order, not a process that ended on its own.
    case stopped(StopOutcome)

    public var description: String {
        switch self {
        case .idle: "idle"
        case .starting(let pid): "starting (pid \(pid))"
        case .ready(let pid): "ready (pid \(pid))"
        case .stopping(let pid): "stopping (pid \(pid))"
        case .exited(let status): "exited (\(status))"
        case .stopped(let outcome): "stopped on an order: \(outcome)"
        }
    }
}
