/// The coordinator's runs: feeding events to the startup, shutdown or rolling restart under way,
/// beginning them, and what follows the end of each.
extension CoordinatorStateMachine {
    /// Feeds an event to the startup, if one is under way, and goes on from its end if the event
    /// ended it. The run is stored back before its end is handled, since that may begin another.
    mutating func withStartup(
        now: Timestamp, _ event: (inout StartupRun, inout ServiceTable) -> StartupRun.Step
    ) -> [Action] {
        guard case .starting(var run) = state else { return [] }
        // The run leaves `state` while it is fed, so that it is the only copy of its records: else
        // every event would copy them all (copy-on-write), a cost in the size of the fleet.
        state = .running
        let step = event(&run, &services)
        state = .starting(run)
        guard let end = step.end else { return step.actions }
        return step.actions + startupEnded(end, for: run.purpose, now: now)
    }

    /// Feeds an event to the shutdown, if one is under way, and goes on from its report if the
    /// event ended it.
    mutating func withShutdown(
        now: Timestamp, _ event: (inout ShutdownRun, inout ServiceTable) -> ShutdownRun.Step
    ) -> [Action] {
        guard case .shuttingDown(var run) = state else { return [] }
        state = .running  // As in withStartup: no copy of the run's records.
        let step = event(&run, &services)
        state = .shuttingDown(run)
        guard let report = step.report else { return step.actions }
        return step.actions + shutdownEnded(report, for: run.purpose, now: now)
    }

    /// Feeds an event to the rolling restart, if one is under way; its report ends it and the fleet
    /// runs on.
    mutating func withRolling(
        now: Timestamp, _ event: (inout RollingRun, inout ServiceTable) -> RollingRun.Step
    ) -> [Action] {
        guard case .rolling(var run) = state else { return [] }
        state = .running  // As in withStartup: no copy of the run's records.
        let step = event(&run, &services)
        guard let report = step.report else {
            state = .rolling(run)
            return step.actions
        }
        return step.actions + [.operationFinished(OperationReport(operation: run.operation, rolling: report))]
            + beginPendingAgentStop(now: now)
    }

    /// Starts `names` (closed under the dependencies that are not running) in dependency order, for
    /// an operation.
    mutating func beginStart(
        of names: Set<String>, for operation: Operation, stopReport: ShutdownReport?, now: Timestamp
    ) -> [Action] {
        guard !names.isEmpty else {
            state = .running
            return [.operationFinished(OperationReport(operation: operation, stop: stopReport))]
                + beginPendingAgentStop(now: now)
        }
        let run = StartupRun(
            of: graph.restricted(to: names), for: .operation(operation, stopReport: stopReport), now: now,
            scheduling: scheduling(of: operation))
        state = .starting(run)
        return run.services.filter(services.hasConnectedInstance).flatMap { name in
            withStartup(now: now) { run, table in
                run.feed({ $0.agentConnected(name, now: now) }, services: &table, now: now)
            }
        }
    }

    /// What follows the end of a startup: the fleet runs, or is shut down under the default
    /// `on_start_failure`; an operation reports and the fleet runs on.
    mutating func startupEnded(_ end: StartupRun.End, for purpose: Purpose, now: Timestamp) -> [Action] {
        switch (end, purpose) {
        case (.complete(let after, let waiting), .fleet):
            state = .running
            return [.progress(.startupComplete(after: after, waitingForAgents: waiting))]
                + beginPendingAgentStop(now: now)
        case (.complete, .operation(let operation, let stopReport)):
            state = .running
            return [.operationFinished(OperationReport(operation: operation, stop: stopReport))]
                + beginPendingAgentStop(now: now)
        case (.failed(let failure), .operation(let operation, let stopReport)):
            // What a targeted start started stays; the rest of the fleet runs on.
            state = .running
            return [
                .progress(.startupFailed(failure)),
                .operationFinished(OperationReport(operation: operation, stop: stopReport, startFailure: failure)),
            ] + beginPendingAgentStop(now: now)
        case (.failed(let failure), .fleet):
            startupFailure = failure
            if configuration.coordinator.onStartFailure == .leave {
                state = .running
                return [.progress(.startupFailed(failure))] + beginPendingAgentStop(now: now)
            }
            return [.progress(.startupFailed(failure))]
                + beginShutdown(now: now, scheduling: configuration.coordinator.scheduling)
        }
    }

    mutating func beginShutdown(now: Timestamp, scheduling: Scheduling) -> [Action] {
        [.journal(.shutdownBegan(scheduling)), .progress(.shutdownBegan)]
            + beginStop(of: Set(graph.names), for: .fleet, scheduling: scheduling, now: now)
    }

    /// How an operation orders its services: as it asked, or as the configuration says.
    func scheduling(of operation: Operation) -> Scheduling {
        operation.scheduling ?? configuration.coordinator.scheduling
    }

    /// Resumes the shutdown a previous coordinator began: what its journal recorded stays concluded;
    /// a service whose agent has not come back is declared lost, since it may still run.
    mutating func resumeShutdown(now: Timestamp) -> [Action] {
        guard case .resuming(let recorded, _) = state else { return [] }
        return [.cancelTimer(.resumeGrace)]
            + beginStop(
                of: Set(graph.names), for: .fleet, recorded: recorded, missingAreLost: true,
                scheduling: recorded.scheduling, now: now)
    }

    /// Stops `names` (closed under dependents) in reverse dependency order; of the service of
    /// `onlyInstance`, that instance alone.
    mutating func beginStop(
        of names: Set<String>, for purpose: Purpose, onlyInstance: InstanceID? = nil,
        recorded: RecordedShutdown = RecordedShutdown(), missingAreLost: Bool = false, scheduling: Scheduling,
        now: Timestamp
    ) -> [Action] {
        var run = ShutdownRun(
            of: graph.restricted(to: names), for: purpose, settings: configuration.coordinator,
            onlyInstance: onlyInstance, scheduling: scheduling)
        let step = run.start(services: &services, recorded: recorded, missingAreLost: missingAreLost, now: now)
        state = .shuttingDown(run)
        guard let report = step.report else { return step.actions }
        return step.actions + shutdownEnded(report, for: purpose, now: now)
    }

    /// What follows the end of a shutdown: the fleet's is the coordinator's last word; a restart
    /// starts again what it stopped; another operation reports and the fleet runs on.
    mutating func shutdownEnded(_ report: ShutdownReport, for purpose: Purpose, now: Timestamp) -> [Action] {
        switch purpose {
        case .fleet:
            state = .finished
            var report = report
            report.startupFailure = startupFailure
            return [.journal(.shutdownFinished), .finish(report)]
        case .operation(let operation, _) where operation.kind == .restart:
            return [.progress(.operationStopped(operation, report))]
                + beginStart(of: Set(report.entries.map(\.service)), for: operation, stopReport: report, now: now)
        case .operation(let operation, _):
            state = .running
            return [.operationFinished(OperationReport(operation: operation, stop: report))]
                + beginPendingAgentStop(now: now)
        }
    }

    /// The report of an operation that a full shutdown interrupted.
    func interrupted(_ purpose: Purpose) -> [Action] {
        guard case .operation(let operation, let stopReport) = purpose else { return [] }
        return [.operationFinished(OperationReport(operation: operation, stop: stopReport, interrupted: true))]
    }

    /// Stops the operation's service after its dependents, leaving out those whose process has ended
    /// already (stopped by an earlier operation): they have nothing to stop. When one instance's
    /// agent asked, only that instance of the service stops, and its dependents keep running while
    /// at least `min_ready` other instances stay ready.
    mutating func beginOperationStop(_ operation: Operation, now: Timestamp) -> [Action] {
        let service = operation.service
        let purpose = Purpose.operation(operation, stopReport: nil)
        if let id = operation.instanceID {
            let othersReady = services.readyCount(of: service) - (services.state(of: id) == .ready ? 1 : 0)
            if othersReady >= services.minReady(of: service) {
                return beginStop(
                    of: [service], for: purpose, onlyInstance: id, scheduling: scheduling(of: operation), now: now)
            }
        }
        let names = graph.withDependents(of: service).filter { $0 == service || !services.hasEnded($0) }
        return beginStop(
            of: names, for: purpose, onlyInstance: operation.instanceID, scheduling: scheduling(of: operation),
            now: now)
    }

    /// Begins the first stop an agent asked for while the coordinator was busy, skipping those whose
    /// service has stopped meanwhile (an earlier stop took it with its dependency).
    mutating func beginPendingAgentStop(now: Timestamp) -> [Action] {
        while case .running = state, !pendingAgentStops.isEmpty {
            let operation = pendingAgentStops.removeFirst()
            let ended = operation.instanceID.map(services.hasEnded) ?? services.hasEnded(operation.service)
            guard !ended else { continue }
            return [.progress(.operationBegan(operation))] + beginOperationStop(operation, now: now)
        }
        return []
    }
}
