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

    /// The outcome `code` names (see ``code``), with `status` for the two codes that carry one;
    /// `nil` when `code` is none of them or its status is missing.
    public init?(code: String, status: ExitStatus?) {
        switch (code, status) {
        case ("stopped", let status?): self = .stopped(status)
        case ("already_exited", let status?): self = .alreadyExited(status)
        case ("killed_after_timeout", _): self = .killedAfterTimeout
        case ("killed", _): self = .killed
        case ("not_started", _): self = .notStarted
        default: return nil
        }
    }

    /// How the wire, reports and the journal name the outcome: `stopped`, `killed_after_timeout`,
    /// `killed`, `already_exited` or `not_started`.
    public var code: String {
        switch self {
        case .stopped: "stopped"
        case .killedAfterTimeout: "killed_after_timeout"
        case .killed: "killed"
        case .alreadyExited: "already_exited"
        case .notStarted: "not_started"
        }
    }

    /// How the process ended, for the outcomes that know it.
    public var status: ExitStatus? {
        switch self {
        case .stopped(let status), .alreadyExited(let status): status
        case .killedAfterTimeout, .killed, .notStarted: nil
        }
    }

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
