/// Starts a graph wave by wave in dependency order.
///
/// The services of a wave are ordered to start together once every one of them has a connected agent
/// and every service of the earlier waves is ready. A service that fails to start (its process ends,
/// its agent reports an error or is lost, or it is not ready within its start timeout) fails the
/// startup: nothing after its wave is started.
///
/// Pure: the runtime feeds events with the current ``Timestamp`` and performs the returned actions.
public struct StartupStateMachine: Sendable {
    public enum Timer: Hashable, Sendable {
        /// A service's start timeout.
        case startDeadline(String)
    }

    public enum Action: Equatable, Sendable {
        case sendStart(service: String)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        case progress(StartupProgress)
        /// Every service is ready, `after` the startup began, of which `waitingForAgents` went by with
        /// a wave waiting for agents to register (the rest went to starting services).
        case complete(after: Duration, waitingForAgents: Duration)
        case fail(StartupFailure)
    }

    private enum State {
        case waitingForAgents(wave: Int)
        case starting(wave: Int)
        case complete
        case failed
    }

    private struct Record {
        var connected = false
        var orderedAt: Timestamp?
        var ready = false
    }

    private let graph: ServiceGraph
    private let waves: [[String]]
    private let createdAt: Timestamp
    private var state: State = .waitingForAgents(wave: 0)
    /// When the current wave began to wait for its agents, while it does.
    private var waitingSince: Timestamp?
    /// The time waves spent waiting for agents, up to the current one.
    private var waitedForAgents: Duration = .zero
    private var records: [String: Record] = [:]

    public init(graph: ServiceGraph, plan: Plan, now: Timestamp) {
        self.graph = graph
        self.waves = plan.startupWaves
        self.createdAt = now
        self.waitingSince = now
        for name in graph.names { records[name] = Record() }
    }

    /// Whether the startup is still in progress.
    public var isActive: Bool {
        switch state {
        case .waitingForAgents, .starting: true
        case .complete, .failed: false
        }
    }

    /// The services whose agent the current wave is waiting for.
    public var missingAgents: [String] {
        guard case .waitingForAgents(let wave) = state else { return [] }
        return waves[wave].filter { !records[$0]!.connected }
    }

    /// An agent registered. Its snapshot says whether the service already runs (an agent that
    /// outlived a coordinator): a running service is adopted, not started again.
    public mutating func agentConnected(_ service: String, snapshot: AgentSnapshot = .idle, now: Timestamp) -> [Action]
    {
        guard let record = records[service] else { return [] }
        records[service]!.connected = true
        var actions: [Action] = []
        if isActive, record.orderedAt == nil {
            switch snapshot {
            case .ready:
                records[service]!.orderedAt = now
                records[service]!.ready = true
                actions.append(.progress(.serviceAdopted(service, ready: true)))
            case .starting:
                records[service]!.orderedAt = now
                actions += [
                    .progress(.serviceAdopted(service, ready: false)),
                    .scheduleTimer(.startDeadline(service), at: now + graph[service].startTimeout),
                ]
            case .idle, .stopping, .exited, .stopped:
                break
            }
        }
        return actions + advance(now: now)
    }

    public mutating func agentLost(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service] else { return [] }
        records[service]!.connected = false
        guard isActive, record.orderedAt != nil else { return [] }
        return fail(service, .lost)
    }

    public mutating func serviceReady(_ service: String, now: Timestamp) -> [Action] {
        guard isActive, let record = records[service], let orderedAt = record.orderedAt, !record.ready else {
            return []
        }
        records[service]!.ready = true
        return [.cancelTimer(.startDeadline(service)), .progress(.serviceReady(service, after: now - orderedAt))]
            + advance(now: now)
    }

    /// The service's process ended or its agent reported it could not be started or made ready.
    public mutating func serviceFailed(_ service: String, reason: StartFailureReason, now: Timestamp) -> [Action] {
        guard isActive, records[service]?.orderedAt != nil else { return [] }
        return fail(service, reason)
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        guard case .startDeadline(let service) = timer, isActive,
            let record = records[service], record.orderedAt != nil, !record.ready
        else { return [] }
        return fail(service, .timedOut(graph[service].startTimeout))
    }

    /// Stops the startup (a shutdown began): cancels the pending start deadlines.
    public mutating func abandon() -> [Action] {
        guard isActive else { return [] }
        state = .failed
        return pendingDeadlines()
    }

    /// Moves on as far as it can: starts the current wave once all its agents are connected (leaving
    /// out services already started or adopted), and goes to the next once all of it is ready.
    private mutating func advance(now: Timestamp) -> [Action] {
        var actions: [Action] = []
        while true {
            switch state {
            case .waitingForAgents(let wave):
                let names = waves[wave]
                guard names.allSatisfy({ records[$0]!.connected }) else { return actions }
                state = .starting(wave: wave)
                waitedForAgents += now - (waitingSince ?? now)
                waitingSince = nil
                actions.append(.progress(.waveStarted(number: wave + 1, of: waves.count, services: names)))
                for name in names where records[name]!.orderedAt == nil {
                    records[name]!.orderedAt = now
                    actions.append(.sendStart(service: name))
                    actions.append(.scheduleTimer(.startDeadline(name), at: now + graph[name].startTimeout))
                }
            case .starting(let wave):
                guard waves[wave].allSatisfy({ records[$0]!.ready }) else { return actions }
                if wave + 1 == waves.count {
                    state = .complete
                    return actions + [.complete(after: now - createdAt, waitingForAgents: waitedForAgents)]
                }
                state = .waitingForAgents(wave: wave + 1)
                waitingSince = now
            case .complete, .failed:
                return actions
            }
        }
    }

    private mutating func fail(_ service: String, _ reason: StartFailureReason) -> [Action] {
        let cancels = pendingDeadlines()
        state = .failed
        let notStarted = waves.joined().filter { records[$0]!.orderedAt == nil }
        let failure = StartupFailure(service: service, reason: reason, notStarted: notStarted)
        return cancels + [.fail(failure)]
    }

    private func pendingDeadlines() -> [Action] {
        waves.joined()
            .filter { records[$0]!.orderedAt != nil && !records[$0]!.ready }
            .map { .cancelTimer(.startDeadline($0)) }
    }
}

/// What the startup reports as it happens.
public enum StartupProgress: Equatable, Sendable {
    /// `wave 1/2: starting cache, database`
    case waveStarted(number: Int, of: Int, services: [String])
    /// `database ready (0.2 s)`
    case serviceReady(String, after: Duration)
    /// The service was already running when its agent registered (the coordinator restarted).
    case serviceAdopted(String, ready: Bool)
}
