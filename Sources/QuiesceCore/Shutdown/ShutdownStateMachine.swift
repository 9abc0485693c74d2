/// Stops a graph in reverse dependency order, wave by wave or eagerly (``Scheduling``).
///
/// With waves, orders of a wave go out together; the next wave begins only when every service of the
/// current one has acknowledged its stop, timed out, or been found lost. Eager, a service is ordered
/// as soon as every one of its dependents has. Which services may go is ``ReleaseSchedule``'s rule;
/// either way a shared dependency is stopped only after the last of its dependents has finished
/// stopping, however long each takes. The whole shutdown is bounded by a deadline, after which every
/// remaining service is ordered killed.
///
/// Pure: the runtime feeds events with the current ``Timestamp`` and performs the returned actions.
public struct ShutdownStateMachine: Sendable {
    public enum Timer: Hashable, Sendable {
        /// A service's drain and stop timeout, plus the acknowledgement grace.
        case stopDeadline(String)
        /// `shutdown_timeout`.
        case shutdownDeadline
        /// How long kill orders have to be acknowledged before the report is written.
        case killGrace
    }

    public enum Action: Equatable, Sendable {
        case sendStop(service: String, timeout: Duration)
        case sendKill(service: String)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        case progress(ShutdownProgress)
        case finish(ShutdownReport)
    }

    /// What the coordinator knows of a service when the shutdown begins.
    public enum Condition: Hashable, Sendable {
        /// Its agent is connected: it gets a stop order in its wave.
        case connected
        case notConnected
        case lost
        /// Its process had already ended.
        case exited(ExitStatus)
        /// Its outcome is known already (recorded before the coordinator restarted).
        case concluded(ShutdownOutcome)
    }

    private enum State {
        case idle
        case stopping
        case killing(KillReason)
        case finished
    }

    private struct Record {
        var wave: Int
        var condition: Condition
        /// Whether the schedule let it go: it is ordered, or concluded, once it may.
        var released = false
        /// Eager: the dependent whose end released it, for the report's critical path.
        var releasedBy: String?
        var orderedAt: Timestamp?
        var outcome: ShutdownOutcome?
        var endedAt: Timestamp?
    }

    private let graph: ServiceGraph
    private let waves: [[String]]
    private let shutdownTimeout: Duration
    private let ackGrace: Duration
    private var state: State = .idle
    private var records: [String: Record] = [:]
    private var schedule: ReleaseSchedule
    /// Releases the schedule made that are not handled yet, with the service whose end made each.
    private var releases: [(ReleaseSchedule.Release, by: String?)] = []
    /// How many services have no outcome yet.
    private var unconcluded: Int
    private var startedAt: Timestamp = .zero

    public init(
        graph: ServiceGraph, plan: Plan, shutdownTimeout: Duration, ackGrace: Duration,
        scheduling: Scheduling = .waves
    ) {
        self.graph = graph
        self.waves = plan.shutdownWaves
        self.shutdownTimeout = shutdownTimeout
        self.ackGrace = ackGrace
        self.schedule = ReleaseSchedule(
            graph: graph, waves: plan.shutdownWaves, direction: .shutdown, scheduling: scheduling)
        self.unconcluded = graph.names.count
        for (wave, names) in plan.shutdownWaves.enumerated() {
            for name in names { records[name] = Record(wave: wave, condition: .notConnected) }
        }
    }

    /// Whether it stops wave by wave or eagerly.
    public var scheduling: Scheduling { schedule.scheduling }

    /// Whether the final report has been produced.
    public var isFinished: Bool {
        if case .finished = state { true } else { false }
    }

    /// Begins the shutdown with what is known of each service (services not named are not connected).
    public mutating func start(conditions: [String: Condition], now: Timestamp) -> [Action] {
        guard case .idle = state else { return [] }
        startedAt = now
        for (name, condition) in conditions where records[name] != nil {
            records[name]!.condition = condition
        }
        state = .stopping
        releases = schedule.begin().map { ($0, by: nil) }
        return [.scheduleTimer(.shutdownDeadline, at: now + shutdownTimeout)] + goOn(now: now)
    }

    /// The agent reported the outcome of a stop or kill order.
    public mutating func stopAcknowledged(_ service: String, outcome: StopOutcome, now: Timestamp) -> [Action] {
        guard let record = records[service], record.outcome == nil, record.orderedAt != nil else { return [] }
        switch state {
        case .stopping:
            return [.cancelTimer(.stopDeadline(service))]
                + conclude(service, .acknowledged(outcome), now: now) + goOn(now: now)
        case .killing(let reason):
            return conclude(service, .killed(outcome, reason: reason), now: now) + finishIfNothingPending(now: now)
        case .idle, .finished:
            return []
        }
    }

    /// Every instance of an ordered service has its outcome (acknowledged, timed out or lost, each
    /// on its own): `outcome` is the service's, as its instances' outcomes sum it up.
    public mutating func serviceConcluded(_ service: String, outcome: ShutdownOutcome, now: Timestamp) -> [Action] {
        guard let record = records[service], record.outcome == nil, record.orderedAt != nil else { return [] }
        switch state {
        case .stopping:
            return [.cancelTimer(.stopDeadline(service))]
                + conclude(service, outcome, now: now) + goOn(now: now)
        case .killing:
            return conclude(service, outcome, now: now) + finishIfNothingPending(now: now)
        case .idle, .finished:
            return []
        }
    }

    /// The service's agent was found lost.
    public mutating func agentLost(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service], record.outcome == nil else { return [] }
        switch state {
        case .idle, .finished:
            return []
        case .stopping:
            if case .exited = record.condition, record.orderedAt == nil { return [] }
            records[service]!.condition = .lost
            if graph[service].waitsWhenUnreachable {
                // Its policy is to wait: what waits for it waits for it to come back, or for the deadline.
                return (record.orderedAt != nil ? [.cancelTimer(.stopDeadline(service))] : [])
                    + (record.released ? [.progress(.serviceUnreachable(service))] : [])
            }
            guard record.orderedAt != nil else { return [] }
            return [.cancelTimer(.stopDeadline(service))]
                + conclude(service, .lost, now: now) + goOn(now: now)
        case .killing:
            return conclude(service, .lost, now: now) + finishIfNothingPending(now: now)
        }
    }

    /// An agent registered during the shutdown. If its turn is still to come it is stopped then;
    /// otherwise it is told to stand down at once.
    public mutating func agentConnected(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service] else { return [] }
        if case .stopping = state, record.outcome == nil {
            records[service]!.condition = .connected
            // A waiting service whose turn has come is ordered (again) now that it is back.
            return record.released ? order(service, now: now) : []
        }
        return isFinished ? [] : [.sendKill(service: service)]
    }

    /// The service's process ended on its own before its stop order.
    public mutating func serviceExited(_ service: String, status: ExitStatus, now: Timestamp) -> [Action] {
        guard let record = records[service], record.outcome == nil, record.orderedAt == nil else { return [] }
        records[service]!.condition = .exited(status)
        return []
    }

    /// Gives the shutdown up (a larger one takes over): cancels its timers.
    public mutating func abandon() -> [Action] {
        let pending = pendingNames().filter { records[$0]!.orderedAt != nil }
        state = .finished
        return pending.map { .cancelTimer(.stopDeadline($0)) } + [
            .cancelTimer(.shutdownDeadline), .cancelTimer(.killGrace),
        ]
    }

    /// A second SIGTERM/SIGINT: kill every remaining service now.
    public mutating func escalate(now: Timestamp) -> [Action] {
        guard case .stopping = state else { return [] }
        return killRemaining(.escalation, now: now)
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch (timer, state) {
        case (.stopDeadline(let service), .stopping):
            guard let record = records[service], record.outcome == nil, record.orderedAt != nil else { return [] }
            return [.sendKill(service: service)] + conclude(service, .timedOut, now: now) + goOn(now: now)
        case (.shutdownDeadline, .stopping):
            return killRemaining(.deadline, now: now)
        case (.killGrace, .killing(let reason)):
            let pending = pendingNames()
            return pending.flatMap { conclude($0, .killed(nil, reason: reason), now: now) } + finish(now: now)
        default:
            return []
        }
    }

    /// Orders (or concludes, when no order can reach them) the services the schedule released, and
    /// what their conclusions release in turn; finishes once every service has its outcome.
    private mutating func goOn(now: Timestamp) -> [Action] {
        guard case .stopping = state else {
            releases.removeAll()
            return []
        }
        var actions: [Action] = []
        while !releases.isEmpty {
            let (release, releasedBy) = releases.removeFirst()
            let names = release.services.filter { records[$0]!.outcome == nil }
            if let wave = release.wave {
                actions.append(.progress(.waveStarted(number: wave + 1, of: waves.count, services: release.services)))
            } else if !names.isEmpty {
                actions.append(.progress(.servicesStopping(names)))
            }
            for name in names {
                records[name]!.released = true
                records[name]!.releasedBy = releasedBy
            }
            for name in names where records[name]!.outcome == nil {
                switch records[name]!.condition {
                case .connected:
                    actions += order(name, now: now)
                case .lost where graph[name].waitsWhenUnreachable:
                    actions.append(.progress(.serviceUnreachable(name)))
                default:
                    actions += concludeWithoutAgent(name, now: now)
                }
            }
        }
        return unconcluded == 0 ? actions + finish(now: now) : actions
    }

    private mutating func conclude(_ service: String, _ outcome: ShutdownOutcome, now: Timestamp) -> [Action] {
        records[service]!.outcome = outcome
        records[service]!.endedAt = now
        unconcluded -= 1
        releases += schedule.markDone(service).map { ($0, by: service) }
        let duration = records[service]!.orderedAt.map { now - $0 }
        return [.progress(.serviceFinished(service, outcome, after: duration))]
    }

    /// Sends the stop order, with its deadline.
    private mutating func order(_ service: String, now: Timestamp) -> [Action] {
        let timeout = graph[service].stopTimeout
        records[service]!.orderedAt = now
        return [
            .sendStop(service: service, timeout: timeout),
            .scheduleTimer(.stopDeadline(service), at: now + graph[service].drain + timeout + ackGrace),
        ]
    }

    /// Records the outcome of a service no order can reach: its condition says what it is.
    private mutating func concludeWithoutAgent(_ service: String, now: Timestamp) -> [Action] {
        switch records[service]!.condition {
        case .connected: []
        case .notConnected: conclude(service, .notConnected, now: now)
        case .lost: conclude(service, .lost, now: now)
        case .exited(let status): conclude(service, .acknowledged(.alreadyExited(status)), now: now)
        case .concluded(let outcome): conclude(service, outcome, now: now)
        }
    }

    private mutating func killRemaining(_ reason: KillReason, now: Timestamp) -> [Action] {
        let pending = pendingNames()
        var actions: [Action] = [
            .cancelTimer(.shutdownDeadline), .progress(.killingRemaining(pending, reason: reason)),
        ]
        state = .killing(reason)
        for name in pending {
            guard case .connected = records[name]!.condition else {
                actions += concludeWithoutAgent(name, now: now)
                continue
            }
            if records[name]!.orderedAt != nil {
                actions.append(.cancelTimer(.stopDeadline(name)))
            } else {
                records[name]!.orderedAt = now
            }
            actions.append(.sendKill(service: name))
        }
        actions.append(.scheduleTimer(.killGrace, at: now + ackGrace))
        return actions + finishIfNothingPending(now: now)
    }

    private mutating func finishIfNothingPending(now: Timestamp) -> [Action] {
        unconcluded == 0 ? finish(now: now) : []
    }

    private func pendingNames() -> [String] {
        waves.joined().filter { records[$0]!.outcome == nil }
    }

    private mutating func finish(now: Timestamp) -> [Action] {
        let termination: ShutdownReport.Termination
        switch state {
        case .killing(.deadline): termination = .deadline
        case .killing(.escalation): termination = .escalated
        default: termination = .completed
        }
        state = .finished
        let entries = waves.enumerated().flatMap { wave, names in
            names.map { name in
                let record = records[name]!
                return ShutdownReport.Entry(
                    service: name, wave: wave + 1, outcome: record.outcome!,
                    duration: record.orderedAt.flatMap { ordered in record.endedAt.map { $0 - ordered } })
            }
        }
        let report = ShutdownReport(
            entries: entries, total: now - startedAt, termination: termination,
            criticalPath: scheduling == .waves ? wavesCriticalPath(entries) : eagerCriticalPath(),
            scheduling: scheduling)
        return [.cancelTimer(.shutdownDeadline), .cancelTimer(.killGrace), .finish(report)]
    }

    /// The service that took longest in each wave.
    private func wavesCriticalPath(_ entries: [ShutdownReport.Entry]) -> [String] {
        waves.indices.compactMap { wave in
            entries.filter { $0.wave == wave + 1 && $0.duration != nil }
                .max { $0.duration! < $1.duration! }?.service
        }
    }

    /// The chain that set the total: from the ordered service that ended last back through the
    /// dependent whose end released each, keeping those that were ordered.
    private func eagerCriticalPath() -> [String] {
        let last = records.filter { $0.value.orderedAt != nil && $0.value.endedAt != nil }
            .max { ($0.value.endedAt!, $1.key) < ($1.value.endedAt!, $0.key) }?.key
        var path: [String] = []
        var current = last
        while let name = current, path.count < records.count {
            if records[name]!.orderedAt != nil { path.append(name) }
            current = records[name]!.releasedBy
        }
        return path.reversed()
    }
}

/// What the shutdown reports as it happens.
public enum ShutdownProgress: Equatable, Sendable {
    /// `wave 2/3: stopping cache, database`
    case waveStarted(number: Int, of: Int, services: [String])
    /// Eager: these services may stop now, their dependents done: `stopping cache, database`.
    case servicesStopping([String])
    /// `cache stopped (1.0 s)`
    case serviceFinished(String, ShutdownOutcome, after: Duration?)
    /// The deadline passed or the shutdown was escalated: these services are killed now.
    case killingRemaining([String], reason: KillReason)
    /// The service's agent cannot be reached and its policy is to wait for it until the deadline.
    case serviceUnreachable(String)
}
