/// What an agent reports after a stop or kill order.
public enum StopOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The process ended within its stop timeout after the stop signal.
    case stopped(ExitStatus)
    /// The process outlived its stop timeout and was killed with SIGKILL.
    case killedAfterTimeout
    /// The process was killed at once, on a kill order.
    case killed
    /// The process had already ended before the order arrived.
    case alreadyExited(ExitStatus)
    /// The agent had never started the process.
    case notStarted

    /// Whether this counts as a clean stop: ended within its timeout after the stop signal, or never started.
    public var isClean: Bool {
        switch self {
        case .stopped, .notStarted: true
        case .killedAfterTimeout, .killed, .alreadyExited: false
        }
    }

    public var description: String {
        switch self {
        case .stopped(let status): "stopped (\(status))"
        case .killedAfterTimeout: "killed after stop timeout"
        case .killed: "killed"
        case .alreadyExited(let status): "had already exited (\(status))"
        case .notStarted: "never started"
        }
    }
}
