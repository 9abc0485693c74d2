/// Whether an agent starts its service's process again when it ends on its own, and how fast.
///
/// The n-th consecutive restart waits `backoff × 2^(n−1)`, at most ``maximumDelay``; after `limit`
/// restarts the agent gives up and reports the process's end. A process that ran for
/// ``resetAfter`` or longer before it ended starts the count again.
public struct RestartPolicy: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Never restart (the default).
        case no
        /// Restart when the process ends with a non-zero code or a signal.
        case onFailure = "on-failure"
        /// Restart whenever the process ends on its own.
        case always
    }

    public static let maximumDelay: Duration = .seconds(300)
    public static let resetAfter: Duration = .seconds(60)

    public var mode: Mode
    /// The wait before the first restart.
    public var backoff: Duration
    /// Consecutive restarts before giving up.
    public var limit: Int

    public init(mode: Mode, backoff: Duration = .seconds(1), limit: Int = 5) {
        self.mode = mode
        self.backoff = backoff
        self.limit = limit
    }

    /// Whether a process that ended with `status` after `restarts` consecutive restarts is started again.
    public func restarts(after status: ExitStatus, restarts: Int) -> Bool {
        guard restarts < limit else { return false }
        switch mode {
        case .no: return false
        case .onFailure: return status != .exited(0)
        case .always: return true
        }
    }

    /// The wait before restart number `attempt` (1-based).
    public func delay(forAttempt attempt: Int) -> Duration {
        var delay = backoff
        for _ in 1..<max(attempt, 1) where delay < Self.maximumDelay { delay *= 2 }
        return min(delay, Self.maximumDelay)
    }
}
