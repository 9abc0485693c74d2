/// How a rolling restart went, instance by instance: when each was ordered to stop, when its stop
/// ended, and when it was ready again, counted from the beginning of the rolling restart.
public struct RollingRestartReport: Equatable, Sendable {
    /// One instance the rolling restart was to restart.
    public struct Entry: Equatable, Sendable {
        public var instance: String
        public var outcome: Outcome
        /// When it was ordered to stop, since the rolling restart began.
        public var stopOrderedAfter: Duration?
        /// When its stop ended, and how.
        public var stoppedAfter: Duration?
        public var stopOutcome: StopOutcome?
        /// When it was ready again.
        public var readyAfter: Duration?

        public init(
            instance: String, outcome: Outcome, stopOrderedAfter: Duration? = nil, stoppedAfter: Duration? = nil,
            stopOutcome: StopOutcome? = nil, readyAfter: Duration? = nil
        ) {
            self.instance = instance
            self.outcome = outcome
            self.stopOrderedAfter = stopOrderedAfter
            self.stoppedAfter = stoppedAfter
            self.stopOutcome = stopOutcome
            self.readyAfter = readyAfter
        }
    }

    /// What became of one instance.
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        /// Stopped, started again, and ready.
        case restarted
        /// Taken down, and did not come back: not ready in time, failed to start, its process
        /// ended, its stop was not acknowledged. The rolling restart stops there.
        case failed(String)
        /// Its agent was lost, before its turn or while it restarted.
        case lost
        /// Not running when its turn came: left alone.
        case skipped(String)
        /// Still waiting for its turn when the rolling restart stopped.
        case notReached
        /// Restarting when a shutdown began.
        case interrupted

        /// `restarted`, `failed`, `lost`, `skipped`, `not_restarted` or `interrupted`.
        public var code: String {
            switch self {
            case .restarted: "restarted"
            case .failed: "failed"
            case .lost: "lost"
            case .skipped: "skipped"
            case .notReached: "not_restarted"
            case .interrupted: "interrupted"
            }
        }

        public var description: String {
            switch self {
            case .restarted: "restarted"
            case .failed(let reason): "did not come back: \(reason)"
            case .lost: "agent lost"
            case .skipped(let reason): "left alone: \(reason)"
            case .notReached: "not restarted: the rolling restart stopped before its turn"
            case .interrupted: "interrupted by the shutdown"
            }
        }
    }

    public var service: String
    public var maxUnavailable: Int
    public var minReady: Int
    /// In the order they were to be taken down.
    public var instances: [Entry]
    /// The fewest instances of the service that were ready at once while it ran.
    public var fewestReady: Int
    /// Why it stopped before every instance was restarted, naming the instance.
    public var failure: String?
    public var total: Duration

    public init(
        service: String, maxUnavailable: Int, minReady: Int, instances: [Entry], fewestReady: Int,
        failure: String? = nil, total: Duration
    ) {
        self.service = service
        self.maxUnavailable = maxUnavailable
        self.minReady = minReady
        self.instances = instances
        self.fewestReady = fewestReady
        self.failure = failure
        self.total = total
    }
}

/// What a rolling restart reports as it happens; the runtime prints it.
public enum RollingRestartProgress: Equatable, Sendable {
    /// The instance was ordered to stop; `ready` instances of its service stay ready.
    case stopping(InstanceID, ready: Int)
    /// Its stop ended with `stopped`; it is ordered to start again.
    case starting(InstanceID, stopped: StopOutcome)
    /// It is ready again, `after` its stop order.
    case readyAgain(InstanceID, after: Duration)
    /// It did not come back; no further instance is taken down.
    case failed(InstanceID, reason: String)
    /// It was not running when its turn came, or its agent was lost before: it is left alone.
    case skipped(InstanceID, reason: String)
    /// Nothing is restarting and the next instance cannot be taken down without leaving fewer than
    /// `min_ready` ready: the rolling restart stops.
    case halted(String)
}
