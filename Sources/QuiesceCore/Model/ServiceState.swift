/// Where a service stands, as `quiesce status` shows it.
public enum ServiceState: String, Hashable, Sendable, CaseIterable {
    /// Not started yet: waiting for its agent, its wave, or its dependencies.
    case waiting
    /// Start ordered, not ready yet.
    case starting
    case ready
    /// Was ready; its readiness checks now fail.
    case unready
    /// Stop ordered, not acknowledged yet.
    case stopping
    case stopped
    /// Failed to start, or its process ended on its own.
    case failed
    /// Did not stop (or start) within its timeout.
    case timedOut = "timed out"
    /// Its agent went silent.
    case lost
}
