/// Decides which of a repeating event to log: the first of each key at once, then at most one per
/// `interval`, carrying how many were not logged in between. A peer with a wrong key that reconnects
/// ten times a second is then one log line every `interval`, not a flood, and nothing goes uncounted.
public struct LogThrottle: Sendable {
    /// How often an event of one key is logged at most.
    public let interval: Duration
    private var lastLogged: [String: Timestamp] = [:]
    private var unlogged: [String: Int] = [:]

    public init(interval: Duration) {
        self.interval = interval
    }

    /// Records an event of `key` at `now`.
    /// - Returns: `nil` when the event should not be logged; otherwise how many events of `key` went
    ///   unlogged since the last one that was.
    public mutating func record(_ key: String, now: Timestamp) -> Int? {
        if let last = lastLogged[key], now - last < interval {
            unlogged[key, default: 0] += 1
            return nil
        }
        lastLogged[key] = now
        return unlogged.removeValue(forKey: key) ?? 0
    }
}
