/// The whole coordinator, without I/O: the agents' registrations and liveness, the startup, the
/// running fleet and the shutdown, and what `quiesce status` shows.
///
/// It owns a ``StartupStateMachine`` while the fleet starts and a ``ShutdownStateMachine`` once a
/// shutdown is requested, forwards events to whichever is active, and translates their actions into
/// orders addressed to services. A targeted ``Operation`` runs the same machines over part of the
/// graph while the fleet is running.
public struct CoordinatorStateMachine: Sendable {
    /// An order the runtime delivers to a service's agent.
    public enum Order: Hashable, Sendable {
        /// Start, checking readiness with the configuration's probe unless the agent has its own, and
        /// restarting the process as the configuration's policy says.
        case start(readiness: ReadinessProbe?, restart: RestartPolicy?)
        /// Report not ready for `drain`, then stop with the stop signal; kill `timeout` after it. With
        /// `exit`, the agent exits once done; without, it stays, ready to start the service again.
        case stop(timeout: Duration, drain: Duration, exit: Bool)
        /// Kill now; `exit` as for `stop`.
        case kill(exit: Bool)
    }

    public enum Timer: Hashable, Sendable {
        case startup(StartupStateMachine.Timer)
        case shutdown(ShutdownStateMachine.Timer)
        /// Sends a service's unanswered order again.
        case retransmit(String)
        /// Fires when a service's agent has been silent for `agent_suspect_after`.
        case suspect(String)
        /// Fires when a service's agent has been silent for `agent_lost_after`.
        case liveness(String)
        /// A restarted coordinator stops waiting for agents and resumes the shutdown.
        case resumeGrace
    }

    public enum Action: Equatable, Sendable {
        case send(Order, to: String)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        case progress(CoordinatorProgress)
        /// The shutdown is over: print the report and exit with its exit code.
        case finish(ShutdownReport)
        /// A targeted operation is over.
        case operationFinished(OperationReport)
        /// Append this to the durable journal before going on.
        case journal(JournalEntry)
    }

    /// What the coordinator's journal keeps, so that a restarted coordinator never forgets a shutdown.
    public enum JournalEntry: Hashable, Sendable {
        /// The fleet's shutdown began.
        case shutdownBegan
        case outcome(String, RecordedOutcome)
        /// The report was written: nothing is pending.
        case shutdownFinished
    }

    /// Why an agent's registration is refused.
    public enum RegistrationRefusal: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownService(String, suggestion: String?)
        case alreadyConnected(String)
        case finished

        public var description: String {
            switch self {
            case .unknownService(let name, let suggestion):
                "service \"\(name)\" is not in the coordinator's configuration"
                    + (suggestion.map(NameSuggestion.phrase(suggesting:)) ?? "")
            case .alreadyConnected(let name):
                "an agent for service \"\(name)\" is already connected"
            case .finished:
                "the coordinator has finished its shutdown"
            }
        }
    }

    /// Whom a startup or shutdown machine works for: the whole fleet, or a targeted operation.
    enum Purpose {
        case fleet
        case operation(Operation, stopReport: ShutdownReport?)

        var isOperation: Bool {
            if case .operation = self { true } else { false }
        }

        /// Whether the agent of `service` exits after its stop: at a fleet shutdown, or when the agent
        /// itself asked for the stop.
        func agentExits(_ service: String) -> Bool {
            switch self {
            case .fleet: true
            case .operation(let operation, _): operation.requestedByAgent && operation.service == service
            }
        }
    }

    enum Phase {
        /// Restarted in the middle of a shutdown: waiting for agents before resuming it.
        case resuming([String: RecordedOutcome])
        case starting(StartupStateMachine, Purpose)
        case running
        case shuttingDown(ShutdownStateMachine, Purpose)
        case finished
    }

    struct Record {
        var state: ServiceState = .waiting
        var connected = false
        var host: String?
        var pid: Int32?
        var readyAt: Timestamp?
        var changedAt: Timestamp
        var exitStatus: ExitStatus?
        var detail: String?
        /// Why the last readiness check failed, while the service is not ready.
        var lastCheckError: String?
        /// The agent has been silent longer than `agent_suspect_after`.
        var suspect = false
        /// Its connection closed: nothing can be routed to it. It is not lost yet; it has until
        /// `agent_lost_after` from when it was last heard to register again.
        var unreachable = false
        /// The last order sent and not answered yet, and how many times it was sent.
        var unanswered: (order: Order, sends: Int)?
    }

    public let configuration: Configuration
    public let plan: Plan
    var phase: Phase
    var records: [String: Record]
    var startupFailure: StartupFailure?
    /// Stops agents asked for (they got SIGTERM) while the fleet was starting or another operation
    /// ran; each begins once the coordinator is free, in the order asked.
    var pendingAgentStops: [Operation] = []

    /// - Parameter resuming: the outcomes the journal recorded of a shutdown a previous coordinator
    ///   began and did not finish; the coordinator then resumes it instead of starting the fleet.
    public init(configuration: Configuration, now: Timestamp, resuming: [String: RecordedOutcome]? = nil) {
        self.configuration = configuration
        self.plan = Plan(graph: configuration.graph)
        if let resuming {
            self.phase = .resuming(resuming.filter { configuration.graph.contains($0.key) })
        } else {
            self.phase = .starting(StartupStateMachine(graph: configuration.graph, plan: plan, now: now), .fleet)
        }
        self.records = Dictionary(uniqueKeysWithValues: configuration.graph.names.map { ($0, Record(changedAt: now)) })
    }

    /// The first actions, once the runtime runs: a resumed shutdown waits `agent_lost_after` at most
    /// for the agents to register again.
    public func start(now: Timestamp) -> [Action] {
        guard case .resuming(let recorded) = phase else { return [] }
        return [
            .progress(.shutdownResumed(alreadyStopped: recorded.keys.sorted())),
            .scheduleTimer(.resumeGrace, at: now + configuration.coordinator.agentLostAfter),
        ]
    }

    var graph: ServiceGraph { configuration.graph }

    /// `starting`, `running`, `shutting down` or `finished`, as `quiesce status` shows it; during an
    /// operation, `running (restart api)`.
    public var phaseName: String {
        switch phase {
        case .resuming: "resuming a shutdown"
        case .starting(let startup, .fleet):
            startup.missingAgents.isEmpty
                ? "starting" : "starting (waiting for agents: \(startup.missingAgents.joined(separator: ", ")))"
        case .running: "running"
        case .shuttingDown(_, .fleet): "shutting down"
        case .starting(_, .operation(let operation, _)), .shuttingDown(_, .operation(let operation, _)):
            "running (\(operation.kind.rawValue) \(operation.service))"
        case .finished: "finished"
        }
    }

    /// Whether a shutdown of the fleet is under way or over.
    public var isShuttingDown: Bool {
        switch phase {
        case .resuming, .shuttingDown(_, .fleet), .finished: true
        case .starting, .running, .shuttingDown(_, .operation): false
        }
    }

    /// Whether a service's connected agent's connection has closed (see ``connectionClosed(_:now:)``).
    public func isUnreachable(_ service: String) -> Bool {
        records[service]?.unreachable ?? false
    }

    /// Whether a service's agent is connected.
    public func isConnected(_ service: String) -> Bool {
        records[service]?.connected ?? false
    }

    // MARK: Agents

    /// An agent asks to register as `service`. Its snapshot says what its service is doing: an agent
    /// that outlived a coordinator brings a running service, which is adopted, not started again.
    public mutating func agentRegistered(
        _ service: String, host: String, snapshot: AgentSnapshot = .idle, now: Timestamp
    ) -> Result<[Action], RegistrationRefusal> {
        guard let record = records[service] else {
            return .failure(.unknownService(service, suggestion: NameSuggestion.closest(to: service, in: graph.names)))
        }
        guard !record.connected || record.unreachable else { return .failure(.alreadyConnected(service)) }
        if case .finished = phase { return .failure(.finished) }
        records[service]!.connected = true
        records[service]!.unreachable = false
        records[service]!.host = host
        var actions: [Action] =
            [.progress(.agentConnected(service, host: host))] + livenessTimers(for: service, now: now)
        adopt(snapshot, of: service, now: now)
        switch phase {
        case .resuming(let recorded):
            let awaited = graph.names.filter { recorded[$0] == nil && !records[$0]!.connected }
            if awaited.isEmpty { actions += resumeShutdown(now: now) }
        case .starting:
            actions += withStartup(now: now) { $0.agentConnected(service, snapshot: snapshot, now: now) }
        case .running where snapshot != .idle:
            break
        case .running:
            if graph.dependencies(of: service).allSatisfy({ records[$0]!.state == .ready }) {
                change(service, to: .starting, now: now)
                records[service]!.exitStatus = nil
                actions += send(startOrder(for: service), to: service, now: now)
            }
        case .shuttingDown:
            actions += withShutdown(now: now) { $0.agentConnected(service, now: now) }
        case .finished:
            break
        }
        return .success(actions)
    }

    /// Any valid message from the service's agent: it is alive.
    public mutating func heard(from service: String, now: Timestamp) -> [Action] {
        guard records[service]?.connected == true else { return [] }
        var actions = livenessTimers(for: service, now: now)
        if records[service]!.suspect {
            records[service]!.suspect = false
            actions.append(.progress(.agentResponsive(service)))
        }
        return actions
    }

    /// Nothing can be routed to the service's agent any more: its connection closed. The agent may
    /// be reconnecting (its ZMTP heartbeat gave up on a lossy network) or restarting; it is lost only
    /// if it does not register again within `agent_lost_after` of when it was last heard, as a silent
    /// agent is. Meanwhile a new registration for the service is its agent coming back.
    public mutating func connectionClosed(_ service: String, now: Timestamp) -> [Action] {
        guard records[service]?.connected == true else { return [] }
        records[service]!.unreachable = true
        return []
    }

    /// The agent is gone: silent too long, or its key revoked.
    public mutating func agentLost(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service], record.connected else { return [] }
        records[service]!.connected = false
        records[service]!.unreachable = false
        records[service]!.suspect = false
        var actions: [Action] = answered(service) + [.cancelTimer(.suspect(service)), .cancelTimer(.liveness(service))]
        switch record.state {
        case .stopped, .failed, .timedOut:
            // The service had already ended; its agent leaving is expected, but a shutdown still
            // needs to know not to order it.
            break
        case .waiting, .starting, .ready, .unready, .stopping, .lost:
            change(service, to: .lost, now: now)
            actions.append(.progress(.agentLost(service)))
        }
        return actions
            + withStartup(now: now) { $0.agentLost(service, now: now) }
            + withShutdown(now: now) { $0.agentLost(service, now: now) }
    }

    // MARK: Service reports

    /// The agent spawned the service's process.
    public mutating func serviceStarted(_ service: String, pid: Int32, now: Timestamp) -> [Action] {
        guard records[service] != nil else { return [] }
        records[service]!.pid = pid
        return answered(service)
    }

    public mutating func serviceReady(_ service: String, now: Timestamp) -> [Action] {
        answered(service) + ready(service, now: now)
    }

    private mutating func ready(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service] else { return [] }
        records[service]!.lastCheckError = nil
        if record.state == .unready {
            change(service, to: .ready, now: now)
            return [.progress(.serviceReadyAgain(service))]
        }
        guard record.state == .starting else { return [] }
        change(service, to: .ready, now: now)
        records[service]!.readyAt = now
        return withStartup(now: now) { $0.serviceReady(service, now: now) }
    }

    /// A readiness check of the service failed: it is not ready yet, or no longer ready.
    public mutating func serviceUnready(_ service: String, reason: String, now: Timestamp) -> [Action] {
        guard let record = records[service] else { return [] }
        let answer = answered(service)
        records[service]!.lastCheckError = reason
        switch record.state {
        case .starting:
            records[service]!.detail = "not ready yet: \(reason)"
            return answer
        case .ready:
            change(service, to: .unready, now: now, detail: reason)
            return answer + [.progress(.serviceUnready(service, reason: reason))]
        default:
            return answer
        }
    }

    /// The service's process ended on its own and its agent starts it again after `delay`.
    public mutating func serviceRestarting(
        _ service: String, status: ExitStatus, attempt: Int, delay: Duration, now: Timestamp
    ) -> [Action] {
        guard let record = records[service], record.state != .stopping else { return [] }
        change(
            service, to: .starting, now: now,
            detail: "restart \(attempt) after \(status), in \(delay.configurationText)")
        return answered(service) + [
            .progress(.serviceRestarting(service, status: status, attempt: attempt, delay: delay))
        ]
    }

    /// The agent could not start the service.
    public mutating func serviceStartFailed(_ service: String, message: String, now: Timestamp) -> [Action] {
        guard records[service] != nil else { return [] }
        change(service, to: .failed, now: now, detail: message)
        return answered(service) + [.progress(.serviceFailed(service, reason: message))]
            + withStartup(now: now) { $0.serviceFailed(service, reason: .failed(message), now: now) }
    }

    /// The service's process ended on its own.
    public mutating func serviceExited(_ service: String, status: ExitStatus, now: Timestamp) -> [Action] {
        // A repeated report (its acknowledgement was lost) was recorded already.
        guard let record = records[service], record.exitStatus == nil else { return [] }
        records[service]!.exitStatus = status
        change(service, to: .failed, now: now, detail: "process ended (\(status))")
        return answered(service) + [.progress(.serviceExited(service, status: status))]
            + withStartup(now: now) { $0.serviceFailed(service, reason: .exited(status), now: now) }
            + withShutdown(now: now) { $0.serviceExited(service, status: status, now: now) }
    }

    /// The agent reported the outcome of a stop or kill order.
    public mutating func stopAcknowledged(_ service: String, outcome: StopOutcome, now: Timestamp) -> [Action] {
        guard records[service] != nil else { return [] }
        return answered(service) + withShutdown(now: now) { $0.stopAcknowledged(service, outcome: outcome, now: now) }
    }

    // MARK: Shutdown

    /// A SIGTERM/SIGINT or a shutdown command. The first begins the shutdown; one during the shutdown
    /// escalates it: every remaining service is killed now. An operation under way is given up.
    public mutating func shutdownRequested(now: Timestamp) -> [Action] {
        switch phase {
        case .resuming:
            return resumeShutdown(now: now)
        case .starting(var startup, let purpose):
            let cancels = translate(startup.abandon(), for: purpose, now: now)
            return cancels + interrupted(purpose) + beginShutdown(now: now)
        case .running:
            return beginShutdown(now: now)
        case .shuttingDown(var shutdown, let purpose) where purpose.isOperation:
            let cancels = translate(shutdown.abandon(), for: purpose, now: now)
            return cancels + interrupted(purpose) + beginShutdown(now: now)
        case .shuttingDown:
            return withShutdown(now: now) { $0.escalate(now: now) }
        case .finished:
            return []
        }
    }

    // MARK: Operations

    /// An operator (or an agent, for its own service) asks for a targeted stop, start or restart.
    public mutating func operationRequested(_ operation: Operation, now: Timestamp) -> Result<
        [Action], OperationRefusal
    > {
        guard graph.contains(operation.service) else {
            return .failure(
                .unknownService(
                    operation.service, suggestion: NameSuggestion.closest(to: operation.service, in: graph.names)))
        }
        if operation.requestedByAgent, case .shuttingDown(_, .fleet) = phase {
            // The fleet's shutdown stops that service in its wave: the agent waits for the order.
            return .success([])
        }
        if operation.requestedByAgent, case .starting = phase {
            pendingAgentStops.append(operation)
            return .success([])
        }
        if operation.requestedByAgent, case .shuttingDown(_, .operation) = phase {
            // Several containers stopped at once: each agent's stop waits for the one under way
            // rather than stopping its service under running dependents.
            pendingAgentStops.append(operation)
            return .success([])
        }
        guard case .running = phase else { return .failure(.busy(phaseName)) }
        let actions: [Action]
        switch operation.kind {
        case .stop, .restart:
            actions = beginOperationStop(operation, now: now)
        case .start:
            let needed = graph.withDependencies(of: operation.service).filter {
                ![.ready, .unready].contains(records[$0]!.state)
            }
            actions = beginStart(of: needed, for: operation, stopReport: nil, now: now)
        }
        return .success([.progress(.operationBegan(operation))] + actions)
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch timer {
        case .retransmit(let service):
            guard let record = records[service], record.connected, let (order, sends) = record.unanswered else {
                return []
            }
            records[service]!.unanswered = (order, sends + 1)
            return [
                .send(order, to: service),
                .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: sends + 1)),
            ]
        case .suspect(let service):
            guard records[service]?.connected == true, records[service]?.suspect == false else { return [] }
            records[service]!.suspect = true
            return [.progress(.agentSuspect(service))]
        case .liveness(let service):
            return agentLost(service, now: now)
        case .startup(let startupTimer):
            return withStartup(now: now) { $0.timerFired(startupTimer, now: now) }
        case .shutdown(let shutdownTimer):
            return withShutdown(now: now) { $0.timerFired(shutdownTimer, now: now) }
        case .resumeGrace:
            return resumeShutdown(now: now)
        }
    }

    /// One row per service, in declaration order.
    public func status(now: Timestamp) -> [ServiceStatus] {
        graph.names.map { name in
            let record = records[name]!
            return ServiceStatus(
                service: name, state: record.state, connected: record.connected && !record.unreachable,
                suspect: record.suspect,
                host: record.host,
                pid: record.pid, uptime: record.state == .ready ? record.readyAt.map { now - $0 } : nil,
                sinceLastChange: now - record.changedAt, detail: record.detail)
        }
    }
}
