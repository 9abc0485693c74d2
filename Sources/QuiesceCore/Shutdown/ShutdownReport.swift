/// Why a service counts as stopped at the end of a shutdown.
public enum ShutdownOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The agent acknowledged the stop order with this outcome.
    case acknowledged(StopOutcome)
    /// The agent did not report within the stop timeout plus the acknowledgement grace; a kill was ordered
    /// and the shutdown went on.
    case timedOut
    /// The agent went silent before it reported.
    case lost
    /// No agent was connected for the service when its wave came.
    case notConnected
    /// Still running when the shutdown deadline passed or the shutdown was escalated; a kill was ordered.
    /// Carries the agent's report of the kill, when it came in time.
    case killed(StopOutcome?, reason: KillReason)
    /// Concluded before the coordinator restarted, as its journal recorded it.
    case recorded(RecordedOutcome)
    /// Stopped in order before the shutdown began (its agent asked, an operator stopped it), and its
    /// agent has gone: there is nothing left to stop. Carries how it stopped.
    case stoppedEarlier(String)

    /// The code reports and the journal give the outcome: `stopped`, `lost`, `killed_at_deadline`, …
    public var code: String {
        switch self {
        case .acknowledged(let outcome): outcome.code
        case .timedOut: "timed_out"
        case .lost: "lost"
        case .notConnected: "not_connected"
        case .killed(_, .deadline): "killed_at_deadline"
        case .killed(_, .escalation): "killed_on_escalation"
        case .recorded(let recorded): recorded.code
        case .stoppedEarlier: "stopped_earlier"
        }
    }

    /// Whether the service stopped cleanly within its timeout.
    public var isClean: Bool {
        switch self {
        case .acknowledged(let outcome): outcome.isClean
        case .recorded(let recorded): recorded.clean
        case .stoppedEarlier: true
        case .timedOut, .lost, .notConnected, .killed: false
        }
    }

    public var description: String {
        switch self {
        case .acknowledged(let outcome): outcome.description
        case .timedOut: "timed out (no acknowledgement; kill ordered)"
        case .lost: "lost (agent silent or unreachable)"
        case .notConnected: "not connected (no agent)"
        case .killed(let outcome, let reason):
            "still running at \(reason); killed" + Self.killReport(outcome)
        case .recorded(let recorded):
            "\(recorded.detail) (before the coordinator restarted)"
        case .stoppedEarlier(let detail):
            "\(detail), before the shutdown"
        }
    }
}

extension ShutdownOutcome {
    /// What the agent reported of a kill ordered at the deadline or on escalation, after `killed`:
    /// nothing more when it says the service was killed (no `killed (killed)`), its outcome otherwise.
    fileprivate static func killReport(_ outcome: StopOutcome?) -> String {
        switch outcome {
        case nil: " (unacknowledged)"
        case .killed?, .killedAfterTimeout?: ""
        case let outcome?: " (\(outcome))"
        }
    }
}

/// An outcome as the coordinator's journal keeps it: its report code, whether it was clean, and
/// its description.
public struct RecordedOutcome: Hashable, Sendable {
    public var code: String
    public var clean: Bool
    public var detail: String

    public init(code: String, clean: Bool, detail: String) {
        self.code = code
        self.clean = clean
        self.detail = detail
    }
}

/// Why the remaining services were killed at once.
public enum KillReason: String, Hashable, Sendable, CustomStringConvertible {
    /// `shutdown_timeout` passed.
    case deadline
    /// A second SIGTERM/SIGINT (or shutdown command) arrived during the shutdown.
    case escalation

    public var description: String {
        switch self {
        case .deadline: "the shutdown deadline"
        case .escalation: "escalation"
        }
    }
}

/// The final word on a shutdown: per service its wave, outcome and stop duration, and each of its
/// instances' outcomes, the total, and the critical path.
public struct ShutdownReport: Equatable, Sendable {
    /// How the shutdown ended.
    public enum Termination: String, Hashable, Sendable {
        /// Every wave ran to its end.
        case completed
        /// `shutdown_timeout` passed; the remaining services were killed.
        case deadline
        /// Escalated by a second signal; the remaining services were killed.
        case escalated
    }

    /// One service's line of the report.
    public struct Entry: Equatable, Sendable {
        public var service: String
        /// 1-based shutdown wave.
        public var wave: Int
        public var outcome: ShutdownOutcome
        /// From stop order to outcome; `nil` when no order was sent.
        public var duration: Duration?
        /// Each instance's outcome, in the order they first registered; the service's outcome sums
        /// them up (the first that is not clean, or the first).
        public var instances: [InstanceEntry]

        public init(
            service: String, wave: Int, outcome: ShutdownOutcome, duration: Duration?, instances: [InstanceEntry] = []
        ) {
            self.service = service
            self.wave = wave
            self.outcome = outcome
            self.duration = duration
            self.instances = instances
        }
    }

    /// One instance's line of the report.
    public struct InstanceEntry: Equatable, Sendable {
        public var instance: String
        public var outcome: ShutdownOutcome
        /// From its stop order to its outcome; `nil` when no order was sent.
        public var duration: Duration?

        public init(instance: String, outcome: ShutdownOutcome, duration: Duration?) {
            self.instance = instance
            self.outcome = outcome
            self.duration = duration
        }
    }

    /// In wave order, then by name.
    public var entries: [Entry]
    public var total: Duration
    public var termination: Termination
    /// The chain that set the total: with waves the service that took longest in each wave; eager,
    /// the services each released by the one before, ending with the last to end.
    public var criticalPath: [String]
    /// Set when the shutdown followed a failed startup.
    public var startupFailure: StartupFailure?
    /// Whether it stopped wave by wave or eagerly.
    public var scheduling: Scheduling

    public init(
        entries: [Entry], total: Duration, termination: Termination, criticalPath: [String],
        startupFailure: StartupFailure? = nil, scheduling: Scheduling = .waves
    ) {
        self.entries = entries
        self.total = total
        self.termination = termination
        self.criticalPath = criticalPath
        self.startupFailure = startupFailure
        self.scheduling = scheduling
    }

    /// Whether every service stopped cleanly within its timeout.
    public var isClean: Bool {
        termination == .completed && entries.allSatisfy(\.outcome.isClean)
    }

    /// The services that were still running when the remaining ones were killed.
    public var stillRunningWhenKilled: [String] {
        entries.filter { if case .killed = $0.outcome { true } else { false } }.map(\.service)
    }

    /// The coordinator's exit code: see ``CoordinatorExitCode``.
    public var exitCode: Int32 {
        if startupFailure != nil { return CoordinatorExitCode.startupFailed }
        if termination != .completed { return CoordinatorExitCode.killedRemaining }
        return isClean ? CoordinatorExitCode.clean : CoordinatorExitCode.uncleanStop
    }
}

/// The coordinator's documented exit codes.
public enum CoordinatorExitCode {
    /// Every service stopped cleanly within its timeout.
    public static let clean: Int32 = 0
    /// At least one service timed out, was lost, had already exited, or had no agent.
    public static let uncleanStop: Int32 = 1
    /// A service failed to start; what had started was stopped.
    public static let startupFailed: Int32 = 2
    /// The shutdown deadline passed or the shutdown was escalated; the remaining services were killed.
    public static let killedRemaining: Int32 = 3
    /// The configuration or the command line is invalid; nothing was started.
    public static let invalidConfiguration: Int32 = 78
}
