import QuiesceCore

/// The timers a state machine asked for, as data: at most one deadline per key.
public struct TimerSet<Key: Hashable> {
    private var deadlines: [Key: Timestamp] = [:]

    public init() {}

    /// Sets (or moves) the deadline of `key`.
    public mutating func schedule(_ key: Key, at deadline: Timestamp) {
        deadlines[key] = deadline
    }

    public mutating func cancel(_ key: Key) {
        deadlines[key] = nil
    }

    /// The earliest deadline, if any.
    public var nextDeadline: Timestamp? { deadlines.values.min() }

    /// Removes and returns the keys whose deadline is at or before `now`, earliest first.
    public mutating func popExpired(now: Timestamp) -> [Key] {
        let expired = deadlines.filter { $0.value <= now }.sorted { $0.value < $1.value }.map(\.key)
        for key in expired { deadlines[key] = nil }
        return expired
    }
}
