/// Why a service did not become ready.
public enum StartFailureReason: Hashable, Sendable, CustomStringConvertible {
    /// Its process ended.
    case exited(ExitStatus)
    /// The agent could not start it, or a readiness check failed; the agent's message.
    case failed(String)
    /// Not ready within its start timeout.
    case timedOut(Duration)
    /// Not ready within its start timeout; its last readiness check failed with this error.
    case notReady(within: Duration, lastCheck: String)
    /// Its agent went silent.
    case lost

    public var description: String {
        switch self {
        case .exited(let status): "its process ended (\(status))"
        case .failed(let message): message
        case .timedOut(let timeout): "not ready within its start timeout (\(timeout.configurationText))"
        case .notReady(let timeout, let lastCheck):
            "not ready within its start timeout (\(timeout.configurationText)); last readiness check: \(lastCheck)"
        case .lost: "its agent was lost"
        }
    }
}

/// A failed startup: the service that failed, why, and what was never started because of it.
public struct StartupFailure: Hashable, Sendable, CustomStringConvertible {
    public var service: String
    public var reason: StartFailureReason
    /// Services that never received a start order.
    public var notStarted: [String]

    public init(service: String, reason: StartFailureReason, notStarted: [String]) {
        self.service = service
        self.reason = reason
        self.notStarted = notStarted
    }

    public var description: String {
        "service \"\(service)\" failed to start: \(reason)"
            + (notStarted.isEmpty ? "" : "; not started: \(notStarted.joined(separator: ", "))")
    }
}
