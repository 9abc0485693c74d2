import QuiesceCore

/// One event of the coordinator's stream (`event` message, `quiesce events --json`): its type, its
/// sequence number and times, and the fields of that type; the rest are absent.
public struct EventDocument: Codable, Equatable, Sendable {
    /// 1 for the coordinator's first event, one more for each after it, whoever listens: a gap tells
    /// a subscriber it joined late.
    public var seq: UInt64
    /// `agent_registered`, `stop_ordered`, `service_stopped`, … (docs/protocol.md lists them).
    public var type: String
    /// Wall-clock time at the coordinator, in seconds since 1970.
    public var time: Double
    /// Seconds since the coordinator started, on its monotonic clock.
    public var offsetSeconds: Double
    public var service: String?
    public var instance: String?
    public var host: String?
    public var pid: Int32?
    public var reason: String?
    /// An outcome's code: `stopped`, `timed_out`, `lost`, `killed_at_deadline`, …
    public var outcome: String?
    public var clean: Bool?
    /// `startup` or `shutdown`.
    public var run: String?
    /// `restart api`: the targeted operation a run works for.
    public var operation: String?
    public var wave: Int?
    public var waves: Int?
    public var services: [String]?
    /// How long it took: a ready service since its start order, a stop since its order, a wave, a run.
    public var durationSeconds: Double?
    public var timeoutSeconds: Double?
    public var drainSeconds: Double?
    /// A rejection's counter and its value.
    public var rejection: String?
    public var total: Int?
    /// A run's end: `complete`, `failed`, `interrupted`, or a shutdown's termination.
    public var result: String?
    public var exitCode: Int32?

    public init(seq: UInt64, type: String, time: Double, offsetSeconds: Double) {
        self.seq = seq
        self.type = type
        self.time = time
        self.offsetSeconds = offsetSeconds
    }

    /// The document of `event`. `time` is the wall clock's, `offset` the event's since the coordinator started.
    public init(_ event: CoordinatorEvent, seq: UInt64, time: Double, offset: Duration) {
        self.init(seq: seq, type: event.name, time: time, offsetSeconds: offset.seconds)
        func about(_ id: InstanceID) {
            service = id.service
            instance = id.instance
        }
        switch event.kind {
        case .agentRegistered(let id, let host):
            about(id)
            self.host = host
        case .registrationRefused(let id, let reason):
            about(id)
            self.reason = reason
        case .rejected(let rejection, let total):
            self.rejection = rejection.rawValue
            self.total = total
        case .ordered(_, let id, let timeout, let drain):
            about(id)
            timeoutSeconds = timeout?.seconds
            drainSeconds = drain?.seconds
        case .orderRetransmitted(let id), .instanceReady(let id), .agentSuspect(let id), .agentResponsive(let id),
            .agentLost(let id):
            about(id)
        case .heartbeatRoundTrip(let id, let after):
            about(id)
            durationSeconds = after.seconds
        case .instanceStarted(let id, let pid):
            about(id)
            self.pid = pid
        case .instanceUnready(let id, let reason), .instanceFailed(let id, let reason):
            about(id)
            self.reason = reason
        case .serviceReady(let service, let after):
            self.service = service
            durationSeconds = after?.seconds
        case .instanceStopped(let id, let outcome, let after):
            about(id)
            set(outcome, after: after)
        case .serviceStopped(let service, let outcome, let after):
            self.service = service
            set(outcome, after: after)
        case .killing(let services, let reason):
            self.services = services
            self.reason = reason.rawValue
        case .waveBegan(let run, let number, let total, let services):
            self.run = run.rawValue
            wave = number
            waves = total
            self.services = services
        case .waveEnded(let run, let number, let after):
            self.run = run.rawValue
            wave = number
            durationSeconds = after.seconds
        case .runBegan(let run, let operation):
            self.run = run.rawValue
            self.operation = operation
        case .runEnded(let run, let operation, let after, let result, let exitCode):
            self.run = run.rawValue
            self.operation = operation
            durationSeconds = after.seconds
            self.result = result
            self.exitCode = exitCode
        }
    }

    private mutating func set(_ outcome: ShutdownOutcome, after: Duration?) {
        self.outcome = outcome.code
        clean = outcome.isClean
        reason = outcome.description
        durationSeconds = after?.seconds
    }
}
