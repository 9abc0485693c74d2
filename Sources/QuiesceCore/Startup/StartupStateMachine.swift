/// Starts a graph in dependency order, wave by wave or eagerly (``Scheduling``).
///
/// With waves, the services of a wave are ordered to start together once every one of them has a
/// connected agent and every service of the earlier waves is ready. Eager, a service is ordered to
/// start once its own agent is connected and every one of its dependencies is ready. Which services
/// may go is ``ReleaseSchedule``'s rule. A service that fails to start (its process ends, its agent
/// reports an error or is lost, or it is not ready within its start timeout) fails the startup:
/// nothing not started yet is started.
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
        case starting
        case complete
        case failed
    }

    private struct Record {
        var connected = false
        var orderedAt: Timestamp?
        var ready = false
        /// The number of the release it waits in for its agents (or those of its wave), while it does.
        var awaiting: Int?
    }

    private let graph: ServiceGraph
    private let waves: [[String]]
    private let createdAt: Timestamp
    private var state: State = .starting
    /// Since when nothing has been starting while released services wait for agents, while so.
    private var waitingSince: Timestamp?
    /// The time the startup spent waiting for agents, nothing else starting, up to now.
    private var waitedForAgents: Duration = .zero
    private var records: [String: Record] = [:]
    private var schedule: ReleaseSchedule
    /// Released services waiting for their agents, by the number of their release: a wave goes once
    /// all its agents are there; eager, each service goes once its own is.
    private var awaiting: [Int: ReleaseSchedule.Release] = [:]
    private var releaseCount = 0
    /// The waiting releases that may go now: held since, or one of whose agents connected since.
    private var candidates: Set<Int> = []
    /// How many services are ordered and not ready, and how many are ready.
    private var inFlight = 0
    private var readyCount = 0

    public init(graph: ServiceGraph, plan: Plan, now: Timestamp, scheduling: Scheduling = .waves) {
        self.graph = graph
        self.waves = plan.startupWaves
        self.createdAt = now
        self.waitingSince = now
        self.schedule = ReleaseSchedule(
            graph: graph, waves: plan.startupWaves, direction: .startup, scheduling: scheduling)
        for name in graph.names { records[name] = Record() }
        for release in schedule.begin() { hold(release) }
    }

    /// Whether it starts wave by wave or eagerly.
    public var scheduling: Scheduling { schedule.scheduling }

    /// Whether the startup is still in progress.
    public var isActive: Bool {
        switch state {
        case .starting: true
        case .complete, .failed: false
        }
    }

    /// The services whose agent the startup is waiting for: those of the wave it may start next, or,
    /// eager, each service it may start.
    public var missingAgents: [String] {
        guard isActive else { return [] }
        return awaiting.keys.sorted().flatMap { awaiting[$0]!.services.filter { !records[$0]!.connected } }
    }

    /// An agent registered. Its snapshot says whether the service already runs (an agent that
    /// outlived a coordinator): a running service is adopted, not started again.
    public mutating func agentConnected(_ service: String, snapshot: AgentSnapshot = .idle, now: Timestamp) -> [Action]
    {
        guard let record = records[service] else { return [] }
        records[service]!.connected = true
        if let number = record.awaiting { candidates.insert(number) }
        var actions: [Action] = []
        if isActive, record.orderedAt == nil {
            switch snapshot {
            case .ready:
                records[service]!.orderedAt = now
                actions.append(.progress(.serviceAdopted(service, ready: true)))
                markReady(service)
            case .starting:
                records[service]!.orderedAt = now
                inFlight += 1
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
        inFlight -= 1
        markReady(service)
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

    /// Records `service` ready and keeps what that releases waiting for its agents.
    private mutating func markReady(_ service: String) {
        records[service]!.ready = true
        readyCount += 1
        for release in schedule.markDone(service) { hold(release) }
    }

    /// Keeps a release until its agents are there: a wave as a whole, each service of an eager one
    /// on its own.
    private mutating func hold(_ release: ReleaseSchedule.Release) {
        let parts = release.wave == nil ? release.services.map { [$0] } : [release.services]
        for services in parts {
            releaseCount += 1
            awaiting[releaseCount] = ReleaseSchedule.Release(wave: release.wave, services: services)
            for name in services { records[name]!.awaiting = releaseCount }
            candidates.insert(releaseCount)
        }
    }

    /// Moves on as far as it can: starts each waiting release whose agents are all connected (leaving
    /// out services already started or adopted), and completes once every service is ready.
    private mutating func advance(now: Timestamp) -> [Action] {
        guard isActive else { return [] }
        var actions: [Action] = []
        var eagerStarts: [String] = []
        // A release that goes releases no more: what it starts is not ready yet.
        let numbers = candidates.sorted()
        candidates.removeAll()
        for number in numbers {
            guard let release = awaiting[number], release.services.allSatisfy({ records[$0]!.connected }) else {
                continue
            }
            awaiting[number] = nil
            let names = release.services.filter { records[$0]!.orderedAt == nil }
            for name in release.services { records[name]!.awaiting = nil }
            if let wave = release.wave {
                actions.append(
                    .progress(.waveStarted(number: wave + 1, of: waves.count, services: release.services)))
            } else {
                eagerStarts += names
            }
            for name in names {
                records[name]!.orderedAt = now
                inFlight += 1
                if release.wave != nil { actions += startOrder(name, now: now) }
            }
        }
        if !eagerStarts.isEmpty {
            actions.append(.progress(.servicesStarting(eagerStarts)))
            for name in eagerStarts { actions += startOrder(name, now: now) }
        }
        if readyCount == records.count {
            state = .complete
            closeWaitForAgents(now: now)
            return actions + [.complete(after: now - createdAt, waitingForAgents: waitedForAgents)]
        }
        if inFlight == 0, !awaiting.isEmpty {
            waitingSince = waitingSince ?? now
        } else {
            closeWaitForAgents(now: now)
        }
        return actions
    }

    private func startOrder(_ service: String, now: Timestamp) -> [Action] {
        [.sendStart(service: service), .scheduleTimer(.startDeadline(service), at: now + graph[service].startTimeout)]
    }

    /// Ends a wait for agents under way, counting it.
    private mutating func closeWaitForAgents(now: Timestamp) {
        guard let since = waitingSince else { return }
        waitedForAgents += now - since
        waitingSince = nil
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
    /// Eager: these services start now, their dependencies ready: `starting api, worker`.
    case servicesStarting([String])
    /// `database ready (0.2 s)`
    case serviceReady(String, after: Duration)
    /// The service was already running when its agent registered (the coordinator restarted).
    case serviceAdopted(String, ready: Bool)
}
