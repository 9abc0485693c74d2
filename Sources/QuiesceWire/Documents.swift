import QuiesceCore

/// `quiesce status --json` and the `status_reply` message body.
public struct StatusDocument: Codable, Equatable, Sendable {
    /// One service: its state as a whole and, since QSC/1.1, its instances. The fields of QSC/1.0
    /// stay, so that an earlier CLI still reads the document: `connected` when any instance is, and
    /// `host`, `pid`, `uptime_seconds` and `detail` those of a service's only instance. A service of
    /// one instance is that instance: its row names it in `instance` and holds no `instances`.
    public struct Row: Codable, Equatable, Sendable {
        public var service: String
        public var state: String
        public var connected: Bool
        /// Silent longer than `agent_suspect_after`, not lost yet.
        public var suspect: Bool?
        public var host: String?
        public var pid: Int32?
        public var uptimeSeconds: Double?
        public var sinceLastChangeSeconds: Double
        public var detail: String?
        /// Instances expected, the fewest ready its dependents need, and those ready (QSC/1.1).
        public var expected: Int?
        public var minReady: Int?
        public var readyCount: Int?
        /// The id of a service's only instance (QSC/1.1).
        public var instance: String?
        /// One row per instance, in the order they first registered, when there are none or several
        /// (QSC/1.1).
        public var instances: [InstanceRow]?
    }

    /// One instance of a service (QSC/1.1).
    public struct InstanceRow: Codable, Equatable, Sendable {
        public var instance: String
        public var state: String
        public var connected: Bool
        public var suspect: Bool?
        public var host: String?
        public var pid: Int32?
        public var uptimeSeconds: Double?
        public var sinceLastChangeSeconds: Double
        public var detail: String?

        public init(
            instance: String, state: String, connected: Bool, suspect: Bool?, host: String?, pid: Int32?,
            uptimeSeconds: Double?, sinceLastChangeSeconds: Double, detail: String?
        ) {
            self.instance = instance
            self.state = state
            self.connected = connected
            self.suspect = suspect
            self.host = host
            self.pid = pid
            self.uptimeSeconds = uptimeSeconds
            self.sinceLastChangeSeconds = sinceLastChangeSeconds
            self.detail = detail
        }
    }

    /// What the coordinator has turned away since it started; each is also logged.
    public struct Rejections: Codable, Equatable, Sendable {
        /// Messages that could not be decoded, or that made no sense from their sender.
        public var malformedMessages = 0
        /// Messages whose key may not send them, and connections whose key was revoked.
        public var refusedMessages = 0
        /// Registrations turned away past their sender's per-second limit.
        public var rateLimitedRegistrations = 0
        /// Connections whose handshake failed: unknown or wrong keys, plain peers on a CURVE socket,
        /// peers silent past the handshake time limit.
        public var failedHandshakes = 0
        /// Connections dropped for staying idle without carrying an agent or an operator's command.
        public var droppedIdleConnections = 0

        public init() {}

        /// Reads what a coordinator sent; a count it does not send (an earlier revision's) is 0.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            malformedMessages = try container.decodeIfPresent(Int.self, forKey: .malformedMessages) ?? 0
            refusedMessages = try container.decodeIfPresent(Int.self, forKey: .refusedMessages) ?? 0
            rateLimitedRegistrations = try container.decodeIfPresent(Int.self, forKey: .rateLimitedRegistrations) ?? 0
            failedHandshakes = try container.decodeIfPresent(Int.self, forKey: .failedHandshakes) ?? 0
            droppedIdleConnections = try container.decodeIfPresent(Int.self, forKey: .droppedIdleConnections) ?? 0
        }
    }

    public var phase: String
    public var services: [Row]
    /// Absent from coordinators that do not count them.
    public var rejections: Rejections?
    /// Whether this coordinator leads the fleet or stands by (revision 1.4); absent from a coordinator
    /// that runs alone. A coordinator that does not lead sends no services.
    public var leadership: LeadershipDocument?

    public init(
        phase: String, services: [ServiceStatus], rejections: Rejections? = nil, leadership: LeadershipDocument? = nil
    ) {
        self.phase = phase
        self.rejections = rejections
        self.leadership = leadership
        self.services = services.map { service in
            let instances = service.instances.map {
                InstanceRow(
                    instance: $0.instance, state: $0.state.rawValue, connected: $0.connected,
                    suspect: $0.suspect ? true : nil, host: $0.host, pid: $0.pid, uptimeSeconds: $0.uptime?.seconds,
                    sinceLastChangeSeconds: $0.sinceLastChange.seconds, detail: $0.detail)
            }
            let only = instances.count == 1 ? instances.first : nil
            return Row(
                service: service.service, state: service.state.rawValue,
                connected: instances.contains(where: \.connected),
                suspect: instances.contains { $0.suspect == true } ? true : nil, host: only?.host, pid: only?.pid,
                uptimeSeconds: only?.uptimeSeconds,
                sinceLastChangeSeconds: instances.map(\.sinceLastChangeSeconds).min() ?? 0, detail: only?.detail,
                expected: service.expected, minReady: service.minReady, readyCount: service.ready,
                instance: only?.instance, instances: only == nil ? instances : nil)
        }
    }
}

/// The shutdown report as JSON: `quiesce coordinator --json`, `quiesce shutdown --json`, and the
/// `report` message body.
public struct ReportDocument: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var service: String
        public var wave: Int
        /// `stopped`, `killed_after_timeout`, `killed`, `already_exited`, `not_started`, `timed_out`,
        /// `lost`, `not_connected`, `stopped_earlier`, `killed_at_deadline`, `killed_on_escalation`.
        public var outcome: String
        public var clean: Bool
        public var detail: String
        public var durationSeconds: Double?
        /// Each instance's outcome (QSC/1.1).
        public var instances: [InstanceEntry]?
    }

    /// One instance's outcome (QSC/1.1).
    public struct InstanceEntry: Codable, Equatable, Sendable {
        public var instance: String
        public var outcome: String
        public var clean: Bool
        public var detail: String
        public var durationSeconds: Double?
    }

    /// A rolling restart's report (QSC/1.2): its rule, and each instance's stop and return.
    public struct Rolling: Codable, Equatable, Sendable {
        public var service: String
        public var maxUnavailable: Int
        public var minReady: Int
        /// The fewest instances of the service ready at once while it ran.
        public var fewestReady: Int
        /// Why it stopped before every instance was restarted, naming the instance.
        public var failure: String?
        public var instances: [RollingInstance]
    }

    /// One instance of a rolling restart (QSC/1.2); times are seconds since it began.
    public struct RollingInstance: Codable, Equatable, Sendable {
        public var instance: String
        /// `restarted`, `failed`, `lost`, `skipped`, `not_restarted` or `interrupted`.
        public var outcome: String
        public var detail: String
        public var stopOrderedSeconds: Double?
        public var stoppedSeconds: Double?
        /// The stop's outcome, as in `stopped` (§5.13).
        public var stopOutcome: String?
        public var readySeconds: Double?
    }

    /// `stop api`, `restart api`, `restart db --rolling`: set for a targeted operation's report.
    public var operation: String?
    public var termination: String
    public var clean: Bool
    public var exitCode: Int32
    public var totalSeconds: Double
    public var criticalPath: [String]
    public var stillRunningWhenKilled: [String]
    public var startupFailure: String?
    public var services: [Entry]
    /// Set for a rolling restart (QSC/1.2).
    public var rolling: Rolling?
    /// Each instance's phases with their offsets since the coordinator started, and the waves: what
    /// `quiesce timeline` draws. Set by the coordinator on the fleet's report (QSC/1.2).
    public var timeline: TimelineDocument?
    /// How the run ordered the services, `waves` or `eager` (QSC/1.3); absent from a rolling restart's
    /// report, which orders one service's instances, and from reports of earlier coordinators (waves).
    public var scheduling: String?

    public init(_ report: ShutdownReport) {
        termination = report.termination.rawValue
        scheduling = report.scheduling.rawValue
        clean = report.isClean
        exitCode = report.exitCode
        totalSeconds = report.total.seconds
        criticalPath = report.criticalPath
        stillRunningWhenKilled = report.stillRunningWhenKilled
        startupFailure = report.startupFailure?.description
        services = report.entries.map {
            Entry(
                service: $0.service, wave: $0.wave, outcome: $0.outcome.code, clean: $0.outcome.isClean,
                detail: $0.outcome.description, durationSeconds: $0.duration?.seconds,
                instances: $0.instances.map {
                    InstanceEntry(
                        instance: $0.instance, outcome: $0.outcome.code, clean: $0.outcome.isClean,
                        detail: $0.outcome.description, durationSeconds: $0.duration?.seconds)
                })
        }
    }

    /// A targeted operation's report: its stop step's entries, if any, and how its start step ended.
    /// - Parameter scheduling: how the coordinator orders services when the operation did not say.
    public init(_ report: OperationReport, scheduling configured: Scheduling = .waves) {
        self.init(report.stop ?? ShutdownReport(entries: [], total: .zero, termination: .completed, criticalPath: []))
        operation = report.operation.commandText
        scheduling =
            report.operation.kind == .rollingRestart ? nil : (report.operation.scheduling ?? configured).rawValue
        if report.interrupted { termination = "interrupted" }
        startupFailure = report.startFailure?.description
        rolling = report.rolling.map { rolling in
            Rolling(
                service: rolling.service, maxUnavailable: rolling.maxUnavailable, minReady: rolling.minReady,
                fewestReady: rolling.fewestReady, failure: rolling.failure,
                instances: rolling.instances.map {
                    RollingInstance(
                        instance: $0.instance, outcome: $0.outcome.code, detail: $0.outcome.description,
                        stopOrderedSeconds: $0.stopOrderedAfter?.seconds, stoppedSeconds: $0.stoppedAfter?.seconds,
                        stopOutcome: $0.stopOutcome?.code, readySeconds: $0.readyAfter?.seconds)
                })
        }
        if let rolling = report.rolling { totalSeconds = rolling.total.seconds }
        clean = clean && report.startFailure == nil && !report.interrupted && report.rolling?.failure == nil
        exitCode = report.exitCode
    }

}
