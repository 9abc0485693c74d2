/// A point in monotonic time, measured from an origin the caller chooses (a process's start, or zero in
/// a test's manual clock). The core never reads a clock: every event carries the current `Timestamp`.
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time elapsed since the origin.
    public var sinceOrigin: Duration

    public init(sinceOrigin: Duration) {
        self.sinceOrigin = sinceOrigin
    }

    /// The origin itself.
    public static let zero = Timestamp(sinceOrigin: .zero)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.sinceOrigin < rhs.sinceOrigin
    }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(sinceOrigin: lhs.sinceOrigin + rhs)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        lhs.sinceOrigin - rhs.sinceOrigin
    }

    public var description: String { "t+\(sinceOrigin.configurationText)" }
}
