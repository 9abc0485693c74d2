extension CoordinatorStateMachine {
    /// The ``ShutdownStateMachine`` run over the fleet, or over the part of it an operation stops.
    ///
    /// It begins the machine with what the ``ServiceTable`` knows of each service, feeds it the
    /// coordinator's events and translates what it answers: stop and kill orders become orders to
    /// services (repeated until answered), each service's outcome its state (and, for the fleet, a
    /// journal entry), its timers and progress the coordinator's. Its report goes back to the
    /// coordinator, which decides what follows from whom the run worked for.
    struct ShutdownRun: Sendable {
        /// What the run answers to one event: the actions to perform, then possibly its report.
        struct Step: Sendable {
            var actions: [Action] = []
            /// Set when the event ended the run.
            var report: ShutdownReport?
        }

        let purpose: Purpose
        /// The services the run stops, with their dependents among them.
        private let graph: ServiceGraph
        private var shutdown: ShutdownStateMachine

        init(of graph: ServiceGraph, for purpose: Purpose, settings: CoordinatorSettings) {
            self.purpose = purpose
            self.graph = graph
            self.shutdown = ShutdownStateMachine(
                graph: graph, plan: Plan(graph: graph), shutdownTimeout: settings.shutdownTimeout,
                ackGrace: settings.ackGrace)
        }

        /// Begins the shutdown with what is known of each service.
        /// - Parameters:
        ///   - recorded: outcomes a previous coordinator's journal recorded: they stay concluded.
        ///   - missingAreLost: whether a service whose agent is not connected may still run (a
        ///     resumed shutdown cannot know), and is lost rather than not connected.
        mutating func start(
            services table: inout ServiceTable, recorded: [String: RecordedOutcome], missingAreLost: Bool,
            now: Timestamp
        ) -> Step {
            var conditions: [String: ShutdownStateMachine.Condition] = [:]
            // Agents of services stopped before the fleet's shutdown, waiting to start them again: told
            // to exit, outside the shutdown, which has nothing left to stop there.
            var dismissed: [String] = []
            for name in graph.names {
                if let outcome = recorded[name] {
                    conditions[name] = .concluded(.recorded(outcome))
                } else if let outcome = table.stopOutcomeFromSnapshot(of: name) {
                    // Its stop ended while no coordinator ran: the agent's snapshot is the answer.
                    conditions[name] = .concluded(.acknowledged(outcome))
                } else if case .fleet = purpose, table.state(of: name) == .stopped {
                    conditions[name] = .concluded(.stoppedEarlier(table.detail(of: name) ?? "stopped"))
                    if table.isConnected(name) { dismissed.append(name) }
                } else if let status = table.exitStatus(of: name) {
                    conditions[name] = .exited(status)
                } else if table.isConnected(name) {
                    conditions[name] = .connected
                } else if table.state(of: name) == .lost || missingAreLost {
                    conditions[name] = .lost
                } else {
                    conditions[name] = .notConnected
                }
            }
            let answer = shutdown.start(conditions: conditions, now: now)
            let dismissals = dismissed.sorted().flatMap { name in
                table.send(.stop(timeout: graph[name].stopTimeout, drain: .zero, exit: true), to: name, now: now)
            }
            var step = translate(answer, services: &table, now: now)
            step.actions = dismissals + step.actions
            return step
        }

        /// Feeds `event` to the shutdown and translates its answer, which ends with the run's report
        /// if the event ended it.
        mutating func feed(
            _ event: (inout ShutdownStateMachine) -> [ShutdownStateMachine.Action], services table: inout ServiceTable,
            now: Timestamp
        ) -> Step {
            translate(event(&shutdown), services: &table, now: now)
        }

        private func translate(
            _ answer: [ShutdownStateMachine.Action], services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            var step = Step()
            for action in answer {
                switch action {
                case .sendStop(let service, let timeout):
                    table.change(service, to: .stopping, now: now)
                    step.actions += table.send(
                        .stop(timeout: timeout, drain: graph[service].drain, exit: purpose.agentExits(service)),
                        to: service, now: now)
                case .sendKill(let service):
                    step.actions += table.send(.kill(exit: purpose.agentExits(service)), to: service, now: now)
                case .scheduleTimer(let timer, let at):
                    step.actions.append(.scheduleTimer(.shutdown(timer), at: at))
                case .cancelTimer(let timer):
                    step.actions.append(.cancelTimer(.shutdown(timer)))
                case .progress(let progress):
                    if case .serviceFinished(let service, let outcome, _) = progress {
                        table.recordStop(outcome, of: service, now: now)
                        if !purpose.isOperation {
                            step.actions.append(
                                .journal(
                                    .outcome(
                                        service,
                                        RecordedOutcome(
                                            code: outcome.code, clean: outcome.isClean, detail: outcome.description))))
                        }
                    }
                    step.actions.append(.progress(.shutdown(progress)))
                case .finish(let report):
                    step.report = report
                }
            }
            return step
        }
    }
}
