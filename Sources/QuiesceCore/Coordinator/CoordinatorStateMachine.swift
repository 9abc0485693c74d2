/// The whole coordinator, without I/O: the agents' registrations and liveness, the startup, the
/// running fleet and the shutdown, and what `quiesce status` shows.
///
/// It runs a ``StartupStateMachine`` while the fleet starts and a ``ShutdownStateMachine`` once a
/// shutdown is requested, and a targeted ``Operation`` runs the same machines over part of the graph
/// while the fleet is running. Its parts, each in a file of its own:
/// - ``ServiceTable``: what is known of each service, of each of its instances and their agents, and
///   the order each instance has not answered.
/// - ``StartupRun`` and ``ShutdownRun``: one run of either machine, for a ``Purpose`` (the fleet or an
///   operation), translating its actions on services into orders addressed to their instances.
/// - ``RollingRun``: a rolling restart of one service's instances, its dependents left running.
/// - `+Actions`: the orders, timers and actions it returns, the journal's entries, its refusals.
/// - `+Runs`: feeding events to the run under way, beginning runs, and what follows the end of each.
/// - this file: the coordinator's `State` and its events.
public struct CoordinatorStateMachine: Sendable {
    /// Where the coordinator stands; a run carries the startup or shutdown machine it is running.
    enum State: Sendable {
        /// Restarted in the middle of a shutdown: waiting for agents before resuming it.
        /// `awaiting` counts, per service, the expected instances neither recorded nor back yet.
        case resuming(RecordedShutdown, awaiting: [String: Int])
        case starting(StartupRun)
        case running
        case shuttingDown(ShutdownRun)
        /// A rolling restart of one service while the fleet runs.
        case rolling(RollingRun)
        case finished
    }

    public let configuration: Configuration
    public let plan: Plan
    var state: State
    var services: ServiceTable
    /// Why the fleet's startup failed, for the shutdown's report.
    var startupFailure: StartupFailure?
    /// Stops agents asked for (they got SIGTERM) while the fleet was starting or another operation
    /// ran; each begins once the coordinator is free, in the order asked.
    var pendingAgentStops: [Operation] = []

    /// - Parameter resuming: the outcomes the journal recorded of a shutdown a previous coordinator
    ///   began and did not finish; the coordinator then resumes it instead of starting the fleet.
    public init(configuration: Configuration, now: Timestamp, resuming: RecordedShutdown? = nil) {
        self.configuration = configuration
        self.plan = Plan(graph: configuration.graph)
        if let resuming {
            let recorded = resuming.restricted(to: configuration.graph)
            var awaiting: [String: Int] = [:]
            for spec in configuration.graph.services where recorded.services[spec.name] == nil {
                let count = spec.instances - recorded.instanceCount(of: spec.name)
                if count > 0 { awaiting[spec.name] = count }
            }
            self.state = .resuming(recorded, awaiting: awaiting)
        } else {
            self.state = .starting(
                StartupRun(
                    of: configuration.graph, for: .fleet, now: now, scheduling: configuration.coordinator.scheduling))
        }
        self.services = ServiceTable(graph: configuration.graph, now: now)
    }

    /// The first actions, once the runtime runs: the heartbeat clock, and a resumed shutdown waits
    /// `agent_lost_after` at most for the agents to register again.
    public func start(now: Timestamp) -> [Action] {
        let heartbeat = Action.scheduleTimer(.heartbeat, at: now + configuration.coordinator.heartbeatInterval)
        guard case .resuming(let recorded, _) = state else { return [heartbeat] }
        return [
            .progress(.shutdownResumed(alreadyStopped: recorded.concludedNames)),
            .scheduleTimer(.resumeGrace, at: now + configuration.coordinator.agentLostAfter),
            heartbeat,
        ]
    }

    var graph: ServiceGraph { configuration.graph }

    /// `starting`, `running`, `shutting down` or `finished`, as `quiesce status` shows it; during an
    /// operation, `running (restart api)`.
    public var phaseName: String {
        switch state {
        case .resuming: "resuming a shutdown"
        case .starting(let run):
            switch run.purpose {
            case .fleet:
                run.missingAgents.isEmpty
                    ? "starting" : "starting (waiting for agents: \(run.missingAgents.joined(separator: ", ")))"
            case .operation(let operation, _): Self.phaseName(of: operation)
            }
        case .running: "running"
        case .rolling(let run): Self.phaseName(of: run.operation)
        case .shuttingDown(let run):
            switch run.purpose {
            case .fleet: "shutting down"
            case .operation(let operation, _): Self.phaseName(of: operation)
            }
        case .finished: "finished"
        }
    }

    private static func phaseName(of operation: Operation) -> String {
        "running (\(operation.commandText))"
    }

    /// Whether a shutdown of the fleet is under way or over.
    public var isShuttingDown: Bool {
        switch state {
        case .resuming, .finished: true
        case .shuttingDown(let run): !run.purpose.isOperation
        case .starting, .running, .rolling: false
        }
    }

    /// Whether an instance's connected agent's connection has closed (see ``connectionClosed(_:now:)``).
    public func isUnreachable(_ id: InstanceID) -> Bool {
        services.isUnreachable(id)
    }

    /// Whether an instance's agent is connected.
    public func isConnected(_ id: InstanceID) -> Bool {
        services.isConnected(id)
    }
    // MARK: Agents

    /// An agent asks to register as instance `id`. Its snapshot says what its process is doing: an
    /// agent that outlived a coordinator brings a running process, which is adopted, not started again.
    public mutating func agentRegistered(
        _ id: InstanceID, host: String, snapshot: AgentSnapshot = .idle, now: Timestamp
    ) -> Result<[Action], RegistrationRefusal> {
        let service = id.service
        guard services.contains(service: service) else {
            return .failure(.unknownService(service, suggestion: NameSuggestion.closest(to: service, in: graph.names)))
        }
        guard !services.isReachable(id) else { return .failure(.alreadyConnected(id)) }
        if case .finished = state { return .failure(.finished) }
        guard services.hasRoom(for: id) else { return .failure(.tooManyInstances(service)) }
        let isNew = !services.contains(id)
        services.connect(id, host: host, now: now)
        var actions: [Action] = [.progress(.agentConnected(id, host: host))] + livenessTimers(for: id, now: now)
        services.adopt(snapshot, of: id, now: now)
        switch state {
        case .resuming(let recorded, var awaiting):
            if isNew, recorded.outcome(of: id) == nil, let count = awaiting[service] {
                awaiting[service] = count > 1 ? count - 1 : nil
                state = .resuming(recorded, awaiting: awaiting)
            }
            if awaiting.isEmpty { actions += resumeShutdown(now: now) }
        case .starting:
            actions += withStartup(now: now) { $0.instanceConnected(id, snapshot: snapshot, services: &$1, now: now) }
        case .running where snapshot != .idle, .rolling where snapshot != .idle:
            break
        case .running, .rolling:
            // A new instance (scale up) or one whose agent restarted: started once its service's
            // dependencies are up.
            if graph.dependencies(of: service).allSatisfy(services.isUp) {
                services.markStarting(id, now: now)
                actions += services.send(.start(graph[service]), to: id, now: now)
            }
        case .shuttingDown:
            actions += withShutdown(now: now) { $0.instanceConnected(id, services: &$1, now: now) }
        case .finished:
            break
        }
        return .success(actions)
    }

    /// Any valid message from the instance's agent: it is alive.
    public mutating func heard(from id: InstanceID, now: Timestamp) -> [Action] {
        guard services.isConnected(id) else { return [] }
        var actions = livenessTimers(for: id, now: now)
        if services.clearSuspect(id) {
            actions.append(.progress(.agentResponsive(id)))
        }
        return actions
    }

    /// Nothing can be routed to the instance's agent any more: its connection closed. The agent may
    /// be reconnecting (its ZMTP heartbeat gave up on a lossy network) or restarting; it is lost only
    /// if it does not register again within `agent_lost_after` of when it was last heard, as a silent
    /// agent is. Meanwhile a new registration for the instance is its agent coming back.
    public mutating func connectionClosed(_ id: InstanceID, now: Timestamp) {
        services.markUnreachable(id)
    }

    /// The agent is gone: silent too long, or its key revoked.
    public mutating func agentLost(_ id: InstanceID, now: Timestamp) -> [Action] {
        guard services.isConnected(id) else { return [] }
        services.disconnect(id)
        var actions: [Action] = services.answered(id) + [.cancelTimer(.suspect(id)), .cancelTimer(.lost(id))]
        switch services.state(of: id) {
        case .stopped, .failed, .timedOut:
            // The instance had already ended; its agent leaving is expected, but a shutdown still
            // needs to know not to order it.
            break
        case .waiting, .starting, .ready, .unready, .stopping, .lost:
            services.change(id, to: .lost, now: now)
            actions.append(.progress(.agentLost(id)))
        }
        return actions
            + withStartup(now: now) { $0.instanceFailed(id, reason: .lost, services: &$1, now: now) }
            + withShutdown(now: now) { $0.instanceLost(id, services: &$1, now: now) }
            + withRolling(now: now) { $0.instanceLost(id, services: &$1, now: now) }
    }

    /// Revokes every instance of `service` (its key was revoked): each is lost.
    public mutating func agentsLost(of service: String, now: Timestamp) -> [Action] {
        services.connectedInstances(of: service).flatMap { agentLost($0, now: now) }
    }

    // MARK: Instance reports

    /// The agent spawned the instance's process.
    public mutating func serviceStarted(_ id: InstanceID, pid: Int32, now: Timestamp) -> [Action] {
        guard services.contains(id) else { return [] }
        services.recordSpawn(of: id, pid: pid)
        return services.answered(id)
    }

    public mutating func serviceReady(_ id: InstanceID, now: Timestamp) -> [Action] {
        services.answered(id) + ready(id, now: now)
    }

    private mutating func ready(_ id: InstanceID, now: Timestamp) -> [Action] {
        guard services.contains(id) else { return [] }
        let previous = services.state(of: id)
        services.recordCheck(of: id, error: nil)
        if previous == .unready {
            services.change(id, to: .ready, now: now)
            return [.progress(.serviceReadyAgain(id))]
                + withRolling(now: now) { $0.instanceReady(id, services: &$1, now: now) }
        }
        guard previous == .starting else { return [] }
        services.markReady(id, now: now)
        return withStartup(now: now) { $0.instanceReady(id, services: &$1, now: now) }
            + withRolling(now: now) { $0.instanceReady(id, services: &$1, now: now) }
    }

    /// A readiness check of the instance failed: it is not ready yet, or no longer ready.
    public mutating func serviceUnready(_ id: InstanceID, reason: String, now: Timestamp) -> [Action] {
        guard services.contains(id) else { return [] }
        let answer = services.answered(id)
        services.recordCheck(of: id, error: reason)
        switch services.state(of: id) {
        case .starting:
            services.explain(id, detail: "not ready yet: \(reason)")
            return answer
        case .ready:
            services.change(id, to: .unready, now: now, detail: reason)
            return answer + [.progress(.serviceUnready(id, reason: reason))]
        default:
            return answer
        }
    }

    /// The instance's process ended on its own and its agent starts it again after `delay`.
    public mutating func serviceRestarting(
        _ id: InstanceID, status: ExitStatus, attempt: Int, delay: Duration, now: Timestamp
    ) -> [Action] {
        guard services.contains(id), services.state(of: id) != .stopping else { return [] }
        services.change(
            id, to: .starting, now: now,
            detail: "restart \(attempt) after \(status), in \(delay.configurationText)")
        return services.answered(id) + [
            .progress(.serviceRestarting(id, status: status, attempt: attempt, delay: delay))
        ]
    }

    /// The agent could not start the instance's process.
    public mutating func serviceStartFailed(_ id: InstanceID, message: String, now: Timestamp) -> [Action] {
        guard services.contains(id) else { return [] }
        services.change(id, to: .failed, now: now, detail: message)
        return services.answered(id) + [.progress(.serviceFailed(id, reason: message))]
            + withStartup(now: now) { $0.instanceFailed(id, reason: .failed(message), services: &$1, now: now) }
            + withRolling(now: now) { $0.instanceFailed(id, reason: message, services: &$1, now: now) }
    }

    /// The instance's process ended on its own.
    public mutating func serviceExited(_ id: InstanceID, status: ExitStatus, now: Timestamp) -> [Action] {
        // A repeated report (its acknowledgement was lost) was recorded already.
        guard services.contains(id), services.exitStatus(of: id) == nil else { return [] }
        services.recordExit(status, of: id, now: now)
        return services.answered(id) + [.progress(.serviceExited(id, status: status))]
            + withStartup(now: now) { $0.instanceFailed(id, reason: .exited(status), services: &$1, now: now) }
            + withShutdown(now: now) { $0.instanceExited(id, status: status, services: &$1, now: now) }
            + withRolling(now: now) {
                $0.instanceFailed(id, reason: "process ended (\(status))", services: &$1, now: now)
            }
    }

    /// The agent reported the outcome of a stop or kill order.
    public mutating func stopAcknowledged(_ id: InstanceID, outcome: StopOutcome, now: Timestamp) -> [Action] {
        guard services.contains(id) else { return [] }
        if case .running = state, services.state(of: id) == .stopping {
            // A stop no run waits for any more (a rolling restart gave up on it): still its end.
            services.recordStop(.acknowledged(outcome), of: id, now: now)
        }
        if case .resuming = state, services.state(of: id) == .stopping {
            // A stop the previous coordinator ordered, ended while this one waits for the other
            // agents: its end, as the snapshot of an agent registering after it would say.
            services.adopt(.stopped(outcome), of: id, now: now)
        }
        return services.answered(id)
            + withShutdown(now: now) { $0.stopAcknowledged(id, outcome: outcome, services: &$1, now: now) }
            + withRolling(now: now) { $0.stopAcknowledged(id, outcome: outcome, services: &$1, now: now) }
    }

    // MARK: Shutdown

    /// A SIGTERM/SIGINT or a shutdown command. The first begins the shutdown, ordering the services
    /// as `scheduling` says (the configuration's when `nil`); one during the shutdown escalates it:
    /// every remaining service is killed now. An operation under way is given up; a rolling restart
    /// is reported interrupted, and the shutdown stops every instance in its turn. A resumed shutdown
    /// keeps the scheduling its journal recorded.
    public mutating func shutdownRequested(now: Timestamp, scheduling: Scheduling? = nil) -> [Action] {
        let scheduling = scheduling ?? configuration.coordinator.scheduling
        switch state {
        case .resuming:
            return resumeShutdown(now: now)
        case .starting(var run):
            let cancels = run.feed({ $0.abandon() }, services: &services, now: now).actions
            return cancels + interrupted(run.purpose) + beginShutdown(now: now, scheduling: scheduling)
        case .running:
            return beginShutdown(now: now, scheduling: scheduling)
        case .rolling(var run):
            let (cancels, report) = run.abandon(services: services, now: now)
            return cancels + [
                .operationFinished(OperationReport(operation: run.operation, interrupted: true, rolling: report))
            ]
                + beginShutdown(now: now, scheduling: scheduling)
        case .shuttingDown(var run) where run.purpose.isOperation:
            let cancels = run.feed({ $0.abandon() }, services: &services, now: now).actions
            return cancels + interrupted(run.purpose) + beginShutdown(now: now, scheduling: scheduling)
        case .shuttingDown:
            return withShutdown(now: now) { run, table in
                run.feed({ $0.escalate(now: now) }, services: &table, now: now)
            }
        case .finished:
            return []
        }
    }

    // MARK: Operations

    /// An operator (or an agent, for its own service) asks for a targeted stop, start or restart. One
    /// that does not say how to order its services (``Operation/scheduling``) takes the configuration's.
    public mutating func operationRequested(_ operation: Operation, now: Timestamp) -> Result<
        [Action], OperationRefusal
    > {
        guard graph.contains(operation.service) else {
            return .failure(
                .unknownService(
                    operation.service, suggestion: NameSuggestion.closest(to: operation.service, in: graph.names)))
        }
        if operation.requestedByAgent {
            switch state {
            case .shuttingDown(let run) where !run.purpose.isOperation:
                // The fleet's shutdown stops that service in its wave: the agent waits for the order.
                return .success([])
            case .starting, .shuttingDown, .rolling:
                // Several containers stopped at once: each agent's stop waits for the startup or the
                // stop under way rather than stopping its service under running dependents.
                pendingAgentStops.append(operation)
                return .success([])
            case .resuming, .running, .finished:
                break
            }
        }
        guard case .running = state else { return .failure(.busy(phaseName)) }
        let actions: [Action]
        switch operation.kind {
        case .stop, .restart:
            actions = beginOperationStop(operation, now: now)
        case .start:
            let needed = graph.withDependencies(of: operation.service).filter { !services.isRunning($0) }
            actions = beginStart(of: needed, for: operation, stopReport: nil, now: now)
        case .rollingRestart:
            switch RollingRun.begin(
                operation, spec: graph[operation.service], ackGrace: configuration.coordinator.ackGrace,
                services: services, now: now)
            {
            case .failure(let refusal):
                return .failure(refusal)
            case .success(let run):
                state = .rolling(run)
                actions = withRolling(now: now) { $0.start(services: &$1, now: now) }
            }
        }
        return .success([.progress(.operationBegan(operation))] + actions)
    }

    // MARK: Timers

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch timer {
        case .heartbeat:
            return [.scheduleTimer(.heartbeat, at: now + configuration.coordinator.heartbeatInterval)]
                + services.connectedInstances.map { .sendHeartbeat(to: $0) }
        case .retransmit(let id):
            return services.retransmit(to: id, now: now)
        case .suspect(let id):
            return services.markSuspect(id) ? [.progress(.agentSuspect(id))] : []
        case .lost(let id):
            return agentLost(id, now: now)
        case .startup(.startDeadline(let service)):
            return withStartup(now: now) { $0.startDeadlinePassed(service, services: &$1, now: now) }
        case .shutdown(let shutdownTimer):
            return withShutdown(now: now) { run, table in
                run.feed({ $0.timerFired(shutdownTimer, now: now) }, services: &table, now: now)
            }
        case .resumeGrace:
            return resumeShutdown(now: now)
        case .rollingStop, .rollingStart:
            return withRolling(now: now) { $0.timerFired(timer, services: &$1, now: now) }
        }
    }

    /// One entry per service, in declaration order, each with its instances.
    public func status(now: Timestamp) -> [ServiceStatus] {
        services.status(now: now)
    }

    /// The silence deadlines of an agent just heard from: suspect, then lost.
    private func livenessTimers(for id: InstanceID, now: Timestamp) -> [Action] {
        [
            .scheduleTimer(.suspect(id), at: now + configuration.coordinator.agentSuspectAfter),
            .scheduleTimer(.lost(id), at: now + configuration.coordinator.agentLostAfter),
        ]
    }
}
