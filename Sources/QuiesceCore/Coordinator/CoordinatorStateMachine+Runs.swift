/// How the coordinator runs its startup and shutdown machines for the fleet or an operation, and
/// turns what they answer into orders, timers, journal entries and service states.
extension CoordinatorStateMachine {
    mutating func beginShutdown(now: Timestamp) -> [Action] {
        [.journal(.shutdownBegan), .progress(.shutdownBegan)] + beginStop(of: Set(graph.names), for: .fleet, now: now)
    }

    /// Resumes the shutdown a previous coordinator began: what its journal recorded stays concluded;
    /// a service whose agent has not come back is declared lost, since it may still run.
    mutating func resumeShutdown(now: Timestamp) -> [Action] {
        guard case .resuming(let recorded) = phase else { return [] }
        return [.cancelTimer(.resumeGrace)]
            + beginStop(of: Set(graph.names), for: .fleet, recorded: recorded, missingAreLost: true, now: now)
    }

    /// Stops `names` (closed under dependents) in reverse dependency order.
    mutating func beginStop(
        of names: Set<String>, for purpose: Purpose, recorded: [String: RecordedOutcome] = [:],
        missingAreLost: Bool = false,
        now: Timestamp
    ) -> [Action] {
        let part = graph.restricted(to: names)
        var shutdown = ShutdownStateMachine(
            graph: part, plan: Plan(graph: part), shutdownTimeout: configuration.coordinator.shutdownTimeout,
            ackGrace: configuration.coordinator.ackGrace)
        var conditions: [String: ShutdownStateMachine.Condition] = [:]
        // Agents of services stopped before the fleet's shutdown, waiting to start them again: told
        // to exit, outside the shutdown, which has nothing left to stop there.
        var dismissed: [String] = []
        for name in names {
            let record = records[name]!
            if let outcome = recorded[name] {
                conditions[name] = .concluded(.recorded(outcome))
            } else if case .fleet = purpose, record.state == .stopped {
                conditions[name] = .concluded(.stoppedEarlier(record.detail ?? "stopped"))
                if record.connected { dismissed.append(name) }
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
        let dismissals = dismissed.sorted().flatMap { name in
            send(.stop(timeout: graph[name].stopTimeout, drain: .zero, exit: true), to: name, now: now)
        }
        return dismissals + translate(actions, for: purpose, now: now)
    }

    /// Starts `names` (closed under the dependencies that are not running) in dependency order, for
    /// an operation.
    mutating func beginStart(
        of names: Set<String>, for operation: Operation, stopReport: ShutdownReport?, now: Timestamp
    ) -> [Action] {
        let purpose = Purpose.operation(operation, stopReport: stopReport)
        guard !names.isEmpty else {
            phase = .running
            return [.operationFinished(OperationReport(operation: operation, stop: stopReport))]
                + beginPendingAgentStop(now: now)
        }
        let part = graph.restricted(to: names)
        phase = .starting(StartupStateMachine(graph: part, plan: Plan(graph: part), now: now), purpose)
        return part.names.filter { records[$0]!.connected }.flatMap { name in
            withStartup(now: now) { $0.agentConnected(name, now: now) }
        }
    }

    /// The report of an operation that a full shutdown interrupted.
    func interrupted(_ purpose: Purpose) -> [Action] {
        guard case .operation(let operation, let stopReport) = purpose else { return [] }
        return [.operationFinished(OperationReport(operation: operation, stop: stopReport, interrupted: true))]
    }

    /// Feeds an event to the startup, if it is under way, and translates what it answers. The startup is
    /// stored back before its actions are translated, since they may end it.
    mutating func withStartup(
        now: Timestamp, _ event: (inout StartupStateMachine) -> [StartupStateMachine.Action]
    ) -> [Action] {
        guard case .starting(var startup, let purpose) = phase else { return [] }
        let actions = event(&startup)
        phase = .starting(startup, purpose)
        return translate(actions, for: purpose, now: now)
    }

    /// Feeds an event to the shutdown, if it is under way, and translates what it answers.
    mutating func withShutdown(
        now: Timestamp, _ event: (inout ShutdownStateMachine) -> [ShutdownStateMachine.Action]
    ) -> [Action] {
        guard case .shuttingDown(var shutdown, let purpose) = phase else { return [] }
        let actions = event(&shutdown)
        phase = .shuttingDown(shutdown, purpose)
        return translate(actions, for: purpose, now: now)
    }

    /// Takes what an agent says of its service as the service's state.
    mutating func adopt(_ snapshot: AgentSnapshot, of service: String, now: Timestamp) {
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
    mutating func send(_ order: Order, to service: String, now: Timestamp) -> [Action] {
        records[service]!.unanswered = (order, 1)
        return [
            .send(order, to: service),
            .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: 1)),
        ]
    }

    /// The agent answered (or is gone): its order is no longer repeated.
    mutating func answered(_ service: String) -> [Action] {
        guard records[service]?.unanswered != nil else { return [] }
        records[service]!.unanswered = nil
        return [.cancelTimer(.retransmit(service))]
    }

    /// 1 s after the first send, then doubling, at most 8 s.
    static func retransmitDelay(afterSends sends: Int) -> Duration {
        .seconds(1 << min(sends - 1, 3))
    }

    /// The silence deadlines of an agent just heard from: suspect, then lost.
    func livenessTimers(for service: String, now: Timestamp) -> [Action] {
        [
            .scheduleTimer(.suspect(service), at: now + configuration.coordinator.agentSuspectAfter),
            .scheduleTimer(.liveness(service), at: now + configuration.coordinator.agentLostAfter),
        ]
    }

    func startOrder(for service: String) -> Order {
        .start(readiness: graph[service].readiness, restart: graph[service].restart)
    }

    mutating func change(_ service: String, to state: ServiceState, now: Timestamp, detail: String? = nil) {
        records[service]!.state = state
        records[service]!.changedAt = now
        records[service]!.detail = detail
    }

    mutating func translate(_ actions: [StartupStateMachine.Action], for purpose: Purpose, now: Timestamp) -> [Action] {
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
                result += beginPendingAgentStop(now: now)
            case .fail(var failure):
                if case .timedOut(let timeout) = failure.reason,
                    let lastCheck = records[failure.service]!.lastCheckError
                {
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
                    result.append(
                        .operationFinished(
                            OperationReport(operation: operation, stop: stopReport, startFailure: failure)))
                    result += beginPendingAgentStop(now: now)
                } else if configuration.coordinator.onStartFailure == .leave {
                    startupFailure = failure
                    phase = .running
                    result += beginPendingAgentStop(now: now)
                } else {
                    startupFailure = failure
                    result += beginShutdown(now: now)
                }
            }
        }
        return result
    }

    mutating func translate(_ actions: [ShutdownStateMachine.Action], for purpose: Purpose, now: Timestamp) -> [Action]
    {
        var result: [Action] = []
        for action in actions {
            switch action {
            case .sendStop(let service, let timeout):
                change(service, to: .stopping, now: now)
                result += send(
                    .stop(timeout: timeout, drain: graph[service].drain, exit: purpose.agentExits(service)),
                    to: service, now: now)
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
                        result.append(
                            .journal(
                                .outcome(
                                    service,
                                    RecordedOutcome(
                                        code: outcome.code, clean: outcome.isClean, detail: outcome.description))))
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
                    result += beginStart(
                        of: Set(report.entries.map(\.service)), for: operation, stopReport: report, now: now)
                case .operation(let operation, _):
                    phase = .running
                    result.append(.operationFinished(OperationReport(operation: operation, stop: report)))
                    result += beginPendingAgentStop(now: now)
                }
            }
        }
        return result
    }

    /// Stops the operation's service after its dependents, leaving out those whose process has ended
    /// already (stopped by an earlier operation): they have nothing to stop.
    mutating func beginOperationStop(_ operation: Operation, now: Timestamp) -> [Action] {
        let names = graph.withDependents(of: operation.service).filter { $0 == operation.service || !hasEnded($0) }
        return beginStop(of: names, for: .operation(operation, stopReport: nil), now: now)
    }

    /// Whether the service's process has ended: stopped, failed or killed after its timeout.
    func hasEnded(_ service: String) -> Bool {
        [.stopped, .failed, .timedOut].contains(records[service]!.state)
    }

    /// Begins the first stop an agent asked for while the coordinator was busy, skipping those whose
    /// service has stopped meanwhile (an earlier stop took it with its dependency).
    mutating func beginPendingAgentStop(now: Timestamp) -> [Action] {
        while case .running = phase, !pendingAgentStops.isEmpty {
            let operation = pendingAgentStops.removeFirst()
            guard !hasEnded(operation.service) else { continue }
            return [.progress(.operationBegan(operation))] + beginOperationStop(operation, now: now)
        }
        return []
    }

    mutating func record(_ outcome: ShutdownOutcome, of service: String, now: Timestamp) {
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
        case .stoppedEarlier:
            break
        }
    }
}
