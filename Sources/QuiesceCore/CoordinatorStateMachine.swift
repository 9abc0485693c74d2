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
                    + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
            case .alreadyConnected(let name):
                "an agent for service \"\(name)\" is already connected"
            case .finished:
                "the coordinator has finished its shutdown"
            }
        }
    }

    /// Whom a startup or shutdown machine works for: the whole fleet, or a targeted operation.
    private enum Purpose {
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

    private enum Phase {
        /// Restarted in the middle of a shutdown: waiting for agents before resuming it.
        case resuming([String: RecordedOutcome])
        case starting(StartupStateMachine, Purpose)
        case running
        case shuttingDown(ShutdownStateMachine, Purpose)
        case finished
    }

    private struct Record {
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
        /// The last order sent and not answered yet, and how many times it was sent.
        var unanswered: (order: Order, sends: Int)?
    }

    public let configuration: Configuration
    public let plan: Plan
    private var phase: Phase
    private var records: [String: Record]
    private var startupFailure: StartupFailure?

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

    private var graph: ServiceGraph { configuration.graph }

    /// `starting`, `running`, `shutting down` or `finished`, as `quiesce status` shows it; during an
    /// operation, `running (restart api)`.
    public var phaseName: String {
        switch phase {
        case .resuming: "resuming a shutdown"
        case .starting(_, .fleet): "starting"
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
            return .failure(.unknownService(service, suggestion: GraphValidator.closestName(to: service, in: graph.names)))
        }
        guard !record.connected else { return .failure(.alreadyConnected(service)) }
        if case .finished = phase { return .failure(.finished) }
        records[service]!.connected = true
        records[service]!.host = host
        var actions: [Action] = [.progress(.agentConnected(service, host: host))] + livenessTimers(for: service, now: now)
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

    /// The agent is gone: silent too long, or a message to it could not be routed.
    public mutating func agentLost(_ service: String, now: Timestamp) -> [Action] {
        guard let record = records[service], record.connected else { return [] }
        records[service]!.connected = false
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
        change(service, to: .starting, now: now, detail: "restart \(attempt) after \(status), in \(delay.configurationText)")
        return answered(service) + [.progress(.serviceRestarting(service, status: status, attempt: attempt, delay: delay))]
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
    public mutating func operationRequested(_ operation: Operation, now: Timestamp) -> Result<[Action], OperationRefusal> {
        guard graph.contains(operation.service) else {
            return .failure(.unknownService(operation.service, suggestion: GraphValidator.closestName(to: operation.service, in: graph.names)))
        }
        if operation.requestedByAgent, case .shuttingDown(_, .fleet) = phase {
            // The fleet's shutdown stops that service in its wave: the agent waits for the order.
            return .success([])
        }
        guard case .running = phase else { return .failure(.busy(phaseName)) }
        let actions: [Action]
        switch operation.kind {
        case .stop, .restart:
            actions = beginStop(of: graph.withDependents(of: operation.service), for: .operation(operation, stopReport: nil), now: now)
        case .start:
            let needed = graph.withDependencies(of: operation.service).filter { ![.ready, .unready].contains(records[$0]!.state) }
            actions = beginStart(of: needed, for: operation, stopReport: nil, now: now)
        }
        return .success([.progress(.operationBegan(operation))] + actions)
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch timer {
        case .retransmit(let service):
            guard let record = records[service], record.connected, let (order, sends) = record.unanswered else { return [] }
            records[service]!.unanswered = (order, sends + 1)
            return [.send(order, to: service), .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: sends + 1))]
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
                service: name, state: record.state, connected: record.connected, suspect: record.suspect, host: record.host,
                pid: record.pid, uptime: record.state == .ready ? record.readyAt.map { now - $0 } : nil,
                sinceLastChange: now - record.changedAt, detail: record.detail)
        }
    }

    private mutating func beginShutdown(now: Timestamp) -> [Action] {
        [.journal(.shutdownBegan), .progress(.shutdownBegan)] + beginStop(of: Set(graph.names), for: .fleet, now: now)
    }

    /// Resumes the shutdown a previous coordinator began: what its journal recorded stays concluded;
    /// a service whose agent has not come back is declared lost, since it may still run.
    private mutating func resumeShutdown(now: Timestamp) -> [Action] {
        guard case .resuming(let recorded) = phase else { return [] }
        return [.cancelTimer(.resumeGrace)]
            + beginStop(of: Set(graph.names), for: .fleet, recorded: recorded, missingAreLost: true, now: now)
    }

    /// Stops `names` (closed under dependents) in reverse dependency order.
    private mutating func beginStop(
        of names: Set<String>, for purpose: Purpose, recorded: [String: RecordedOutcome] = [:], missingAreLost: Bool = false,
        now: Timestamp
    ) -> [Action] {
        let part = graph.restricted(to: names)
        var shutdown = ShutdownStateMachine(
            graph: part, plan: Plan(graph: part), shutdownTimeout: configuration.coordinator.shutdownTimeout,
            ackGrace: configuration.coordinator.ackGrace)
        var conditions: [String: ShutdownStateMachine.Condition] = [:]
        for name in names {
            let record = records[name]!
            if let outcome = recorded[name] {
                conditions[name] = .concluded(.recorded(outcome))
            } else if let status = record.exitStatus {
                conditions[name] = .exited(status)
            } else if record.connected {
                conditions[name] = .connected
            } else if record.state == .lost || missingAreLost {
                conditions[name] = .lost
            } else {
                conditions[name] = .notConnected
            }
        }
        let actions = shutdown.start(conditions: conditions, now: now)
        phase = .shuttingDown(shutdown, purpose)
        return translate(actions, for: purpose, now: now)
    }

    /// Starts `names` (closed under the dependencies that are not running) in dependency order, for
    /// an operation.
    private mutating func beginStart(
        of names: Set<String>, for operation: Operation, stopReport: ShutdownReport?, now: Timestamp
    ) -> [Action] {
        let purpose = Purpose.operation(operation, stopReport: stopReport)
        guard !names.isEmpty else {
            phase = .running
            return [.operationFinished(OperationReport(operation: operation, stop: stopReport))]
        }
        let part = graph.restricted(to: names)
        phase = .starting(StartupStateMachine(graph: part, plan: Plan(graph: part), now: now), purpose)
        return part.names.filter { records[$0]!.connected }.flatMap { name in
            withStartup(now: now) { $0.agentConnected(name, now: now) }
        }
    }

    /// The report of an operation that a full shutdown interrupted.
    private func interrupted(_ purpose: Purpose) -> [Action] {
        guard case .operation(let operation, let stopReport) = purpose else { return [] }
        return [.operationFinished(OperationReport(operation: operation, stop: stopReport, interrupted: true))]
    }

    /// Feeds an event to the startup, if it is under way, and translates what it answers. The startup is
    /// stored back before its actions are translated, since they may end it.
    private mutating func withStartup(
        now: Timestamp, _ event: (inout StartupStateMachine) -> [StartupStateMachine.Action]
    ) -> [Action] {
        guard case .starting(var startup, let purpose) = phase else { return [] }
        let actions = event(&startup)
        phase = .starting(startup, purpose)
        return translate(actions, for: purpose, now: now)
    }

    /// Feeds an event to the shutdown, if it is under way, and translates what it answers.
    private mutating func withShutdown(
        now: Timestamp, _ event: (inout ShutdownStateMachine) -> [ShutdownStateMachine.Action]
    ) -> [Action] {
        guard case .shuttingDown(var shutdown, let purpose) = phase else { return [] }
        let actions = event(&shutdown)
        phase = .shuttingDown(shutdown, purpose)
        return translate(actions, for: purpose, now: now)
    }

    /// Takes what an agent says of its service as the service's state.
    private mutating func adopt(_ snapshot: AgentSnapshot, of service: String, now: Timestamp) {
        switch snapshot {
        case .idle:
            if records[service]!.state == .lost { change(service, to: .waiting, now: now) }
        case .starting(let pid):
            records[service]!.pid = pid
            change(service, to: .starting, now: now, detail: "adopted from its agent")
        case .ready(let pid):
            records[service]!.pid = pid
            records[service]!.readyAt = now
            change(service, to: .ready, now: now, detail: "adopted from its agent")
        case .stopping(let pid):
            records[service]!.pid = pid
            change(service, to: .stopping, now: now)
        case .exited(let status):
            records[service]!.exitStatus = status
            change(service, to: .failed, now: now, detail: "process ended (\(status))")
        }
    }

    /// Sends an order and schedules its retransmission until the agent answers: orders are
    /// idempotent ("be started", "be stopped"), and agents answer a repeated one as the first.
    private mutating func send(_ order: Order, to service: String, now: Timestamp) -> [Action] {
        records[service]!.unanswered = (order, 1)
        return [.send(order, to: service), .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: 1))]
    }

    /// The agent answered (or is gone): its order is no longer repeated.
    private mutating func answered(_ service: String) -> [Action] {
        guard records[service]?.unanswered != nil else { return [] }
        records[service]!.unanswered = nil
        return [.cancelTimer(.retransmit(service))]
    }

    /// 1 s after the first send, then doubling, at most 8 s.
    static func retransmitDelay(afterSends sends: Int) -> Duration {
        .seconds(1 << min(sends - 1, 3))
    }

    /// The silence deadlines of an agent just heard from: suspect, then lost.
    private func livenessTimers(for service: String, now: Timestamp) -> [Action] {
        [
            .scheduleTimer(.suspect(service), at: now + configuration.coordinator.agentSuspectAfter),
            .scheduleTimer(.liveness(service), at: now + configuration.coordinator.agentLostAfter),
        ]
    }

    private func startOrder(for service: String) -> Order {
        .start(readiness: graph[service].readiness, restart: graph[service].restart)
    }

    private mutating func change(_ service: String, to state: ServiceState, now: Timestamp, detail: String? = nil) {
        records[service]!.state = state
        records[service]!.changedAt = now
        records[service]!.detail = detail
    }

    private mutating func translate(_ actions: [StartupStateMachine.Action], for purpose: Purpose, now: Timestamp) -> [Action] {
        var result: [Action] = []
        for action in actions {
            switch action {
            case .sendStart(let service):
                change(service, to: .starting, now: now)
                records[service]!.exitStatus = nil
                records[service]!.lastCheckError = nil
                result += send(startOrder(for: service), to: service, now: now)
            case .scheduleTimer(let timer, let at):
                result.append(.scheduleTimer(.startup(timer), at: at))
            case .cancelTimer(let timer):
                result.append(.cancelTimer(.startup(timer)))
            case .progress(let progress):
                result.append(.progress(.startup(progress)))
            case .complete(let after):
                phase = .running
                if case .operation(let operation, let stopReport) = purpose {
                    result.append(.operationFinished(OperationReport(operation: operation, stop: stopReport)))
                } else {
                    result.append(.progress(.startupComplete(after: after)))
                }
            case .fail(var failure):
                if case .timedOut(let timeout) = failure.reason, let lastCheck = records[failure.service]!.lastCheckError {
                    failure.reason = .notReady(within: timeout, lastCheck: lastCheck)
                }
                switch failure.reason {
                case .timedOut, .notReady:
                    change(failure.service, to: .timedOut, now: now, detail: failure.reason.description)
                case .exited, .failed, .lost:
                    break
                }
                result.append(.progress(.startupFailed(failure)))
                if case .operation(let operation, let stopReport) = purpose {
                    // What a targeted start started stays; the rest of the fleet runs on.
                    phase = .running
                    result.append(.operationFinished(OperationReport(operation: operation, stop: stopReport, startFailure: failure)))
                } else if configuration.coordinator.onStartFailure == .leave {
                    startupFailure = failure
                    phase = .running
                } else {
                    startupFailure = failure
                    result += beginShutdown(now: now)
                }
            }
        }
        return result
    }

    private mutating func translate(_ actions: [ShutdownStateMachine.Action], for purpose: Purpose, now: Timestamp) -> [Action] {
        var result: [Action] = []
        for action in actions {
            switch action {
            case .sendStop(let service, let timeout):
                change(service, to: .stopping, now: now)
                result += send(.stop(timeout: timeout, drain: graph[service].drain, exit: purpose.agentExits(service)), to: service, now: now)
            case .sendKill(let service):
                result += send(.kill(exit: purpose.agentExits(service)), to: service, now: now)
            case .scheduleTimer(let timer, let at):
                result.append(.scheduleTimer(.shutdown(timer), at: at))
            case .cancelTimer(let timer):
                result.append(.cancelTimer(.shutdown(timer)))
            case .progress(let progress):
                if case .serviceFinished(let service, let outcome, _) = progress {
                    record(outcome, of: service, now: now)
                    if !purpose.isOperation {
                        result.append(.journal(.outcome(service, RecordedOutcome(code: outcome.code, clean: outcome.isClean, detail: outcome.description))))
                    }
                }
                result.append(.progress(.shutdown(progress)))
            case .finish(var report):
                switch purpose {
                case .fleet:
                    phase = .finished
                    report.startupFailure = startupFailure
                    result.append(.journal(.shutdownFinished))
                    result.append(.finish(report))
                case .operation(let operation, _) where operation.kind == .restart:
                    result.append(.progress(.operationStopped(operation, report)))
                    result += beginStart(of: Set(report.entries.map(\.service)), for: operation, stopReport: report, now: now)
                case .operation(let operation, _):
                    phase = .running
                    result.append(.operationFinished(OperationReport(operation: operation, stop: report)))
                }
            }
        }
        return result
    }

    private mutating func record(_ outcome: ShutdownOutcome, of service: String, now: Timestamp) {
        switch outcome {
        case .acknowledged(.alreadyExited(let status)):
            change(service, to: .failed, now: now, detail: "process had ended (\(status))")
        case .acknowledged(.killedAfterTimeout), .timedOut:
            change(service, to: .timedOut, now: now, detail: outcome.description)
        case .acknowledged, .killed:
            change(service, to: .stopped, now: now, detail: outcome.description)
        case .lost:
            change(service, to: .lost, now: now, detail: outcome.description)
        case .notConnected:
            records[service]!.detail = outcome.description
        case .recorded(let recorded):
            change(service, to: recorded.clean ? .stopped : .failed, now: now, detail: outcome.description)
        }
    }
}

/// What the coordinator reports as it happens; the runtime prints it.
public enum CoordinatorProgress: Equatable, Sendable {
    case agentConnected(String, host: String)
    case agentLost(String)
    /// Silent longer than `agent_suspect_after`: not lost yet.
    case agentSuspect(String)
    case agentResponsive(String)
    case serviceFailed(String, reason: String)
    /// A ready service's readiness checks fail.
    case serviceUnready(String, reason: String)
    case serviceReadyAgain(String)
    case serviceRestarting(String, status: ExitStatus, attempt: Int, delay: Duration)
    case serviceExited(String, status: ExitStatus)
    case startup(StartupProgress)
    case startupComplete(after: Duration)
    case startupFailed(StartupFailure)
    case shutdownBegan
    /// Restarted in the middle of a shutdown, the coordinator resumes it.
    case shutdownResumed(alreadyStopped: [String])
    case shutdown(ShutdownProgress)
    case operationBegan(Operation)
    /// The stop step of a restart is over; the start step begins.
    case operationStopped(Operation, ShutdownReport)
}

