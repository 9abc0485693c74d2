import QuiesceCore

/// The real clock the runtimes feed the core with: monotonic time since the clock was created.
public struct MonotonicClock: Sendable {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Timestamp {
        Timestamp(sinceOrigin: ContinuousClock.now - origin)
    }

    /// Milliseconds from now until `deadline` (0 if it passed), capped at `limit`, for `zmq_poll`.
    public func pollTimeout(until deadline: Timestamp?, limit: Duration) -> Int {
        let wait = deadline.map { max(.zero, min($0 - now, limit)) } ?? limit
        // Round up, so that a poll never wakes just before the deadline and spins.
        return Int((wait + .nanoseconds(999_999)).milliseconds)
    }
}
