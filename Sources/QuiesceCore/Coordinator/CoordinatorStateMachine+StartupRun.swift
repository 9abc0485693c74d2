extension CoordinatorStateMachine {
    /// The ``StartupStateMachine`` run over the fleet, or over the part of it an operation starts.
    ///
    /// The machine works on services; the run puts their instances beneath it. A start order goes to
    /// every connected instance of the service, and to an instance that registers later; the machine
    /// hears that a service is ready once all its expected instances are, or, when its start timeout
    /// passes first, once `min_ready` are (with a warning naming the others); it hears of a failure
    /// only once fewer than `min_ready` instances are left that may still be ready. Its timers and
    /// progress become the coordinator's. Its end, complete or failed, goes back to the coordinator,
    /// which decides what follows from whom the run worked for.
    struct StartupRun: Sendable {
        /// How a startup run ends.
        enum End: Equatable, Sendable {
            case complete(after: Duration, waitingForAgents: Duration)
            /// The failure as the coordinator reports it: a start timeout after a failed readiness
            /// check names the check's error.
            case failed(StartupFailure)
        }

        /// What the run answers to one event: the actions to perform, then possibly its end.
        struct Step: Sendable {
            var actions: [Action] = []
            var end: End?

            static func + (lhs: Step, rhs: Step) -> Step {
                Step(actions: lhs.actions + rhs.actions, end: lhs.end ?? rhs.end)
            }
        }

        let purpose: Purpose
        /// The services the run starts, with their dependencies among them.
        private let graph: ServiceGraph
        private var startup: StartupStateMachine
        /// The services the machine ordered to start or adopted: an instance that registers now is
        /// started at once.
        private var ordered: Set<String> = []
        /// The services the machine was told are ready.
        private var reported: Set<String> = []

        init(of graph: ServiceGraph, for purpose: Purpose, now: Timestamp, scheduling: Scheduling = .waves) {
            self.purpose = purpose
            self.graph = graph
            self.startup = StartupStateMachine(graph: graph, plan: Plan(graph: graph), now: now, scheduling: scheduling)
        }

        /// The services of the run, in declaration order.
        var services: [String] { graph.names }

        /// The services whose agent the current wave is waiting for.
        var missingAgents: [String] { startup.missingAgents }

        // MARK: Instance events

        /// An instance's agent registered (the table has it connected, with its snapshot adopted).
        /// The machine hears of the service's first agent; a service adopted as a whole (every
        /// expected instance already running) is adopted by the machine too.
        mutating func instanceConnected(
            _ id: InstanceID, snapshot: AgentSnapshot, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            let service = id.service
            guard graph.contains(service) else { return Step() }
            if ordered.contains(service) {
                var step = Step()
                if snapshot == .idle, ![.starting, .ready, .unready].contains(table.state(of: id)) {
                    table.markStarting(id, now: now)
                    step.actions += table.send(.start(graph[service]), to: id, now: now)
                }
                return step + readyIfAllExpected(service, services: &table, now: now)
            }
            var adopted = AgentSnapshot.idle
            if snapshot != .idle, table.runningCount(of: service) >= graph[service].instances {
                adopted = table.allExpectedReady(service) ? snapshot : .starting(pid: 0)
            }
            if adopted != .idle {
                ordered.insert(service)
                if case .ready = adopted { reported.insert(service) }
            }
            return feed({ $0.agentConnected(service, snapshot: adopted, now: now) }, services: &table, now: now)
        }

        /// An instance reported ready for the first time since its start.
        mutating func instanceReady(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> Step {
            readyIfAllExpected(id.service, services: &table, now: now)
        }

        /// An instance failed: its process ended, it could not be started, or its agent was lost (the
        /// table has it so). The startup fails only once fewer than `min_ready` instances of the
        /// service may still be ready.
        mutating func instanceFailed(
            _ id: InstanceID, reason: StartFailureReason, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            let service = id.service
            guard graph.contains(service) else { return Step() }
            if ordered.contains(service) {
                guard table.viableCount(of: service) < graph[service].minReady else { return Step() }
                if case .lost = reason { return feed({ $0.agentLost(service, now: now) }, services: &table, now: now) }
                return feed({ $0.serviceFailed(service, reason: reason, now: now) }, services: &table, now: now)
            }
            guard case .lost = reason, !table.hasConnectedInstance(service) else { return Step() }
            return feed({ $0.agentLost(service, now: now) }, services: &table, now: now)
        }

        /// The service's start timeout passed: with at least `min_ready` ready instances it counts as
        /// ready, with a warning naming the others; with fewer, the machine fails the startup.
        mutating func startDeadlinePassed(
            _ service: String, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            if ordered.contains(service), !reported.contains(service),
                table.readyCount(of: service) >= graph[service].minReady
            {
                reported.insert(service)
                let missing = table.missingInstances(of: service)
                let warning = Action.progress(
                    .startedWithFewer(
                        service, ready: table.readyCount(of: service), expected: graph[service].instances,
                        missing: missing.notReady, unregistered: missing.neverRegistered))
                return Step(actions: [warning])
                    + feed({ $0.serviceReady(service, now: now) }, services: &table, now: now)
            }
            return feed({ $0.timerFired(.startDeadline(service), now: now) }, services: &table, now: now)
        }

        /// Tells the machine the service is ready once every expected instance is, if it was ordered.
        private mutating func readyIfAllExpected(
            _ service: String, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            guard ordered.contains(service), !reported.contains(service), table.allExpectedReady(service) else {
                return Step()
            }
            reported.insert(service)
            return feed({ $0.serviceReady(service, now: now) }, services: &table, now: now)
        }

        // MARK: The machine

        /// Feeds `event` to the startup and translates its answer, which ends with the run's end if
        /// the event ended it.
        mutating func feed(
            _ event: (inout StartupStateMachine) -> [StartupStateMachine.Action], services table: inout ServiceTable,
            now: Timestamp
        ) -> Step {
            var step = Step()
            var readyAlready: [String] = []
            for action in event(&startup) {
                switch action {
                case .sendStart(let service):
                    ordered.insert(service)
                    for id in table.connectedInstances(of: service)
                    where ![.starting, .ready, .unready].contains(table.state(of: id)) {
                        table.markStarting(id, now: now)
                        step.actions += table.send(.start(graph[service]), to: id, now: now)
                    }
                    if table.allExpectedReady(service) { readyAlready.append(service) }
                case .scheduleTimer(let timer, let at):
                    step.actions.append(.scheduleTimer(.startup(timer), at: at))
                case .cancelTimer(let timer):
                    step.actions.append(.cancelTimer(.startup(timer)))
                case .progress(let progress):
                    step.actions.append(.progress(.startup(progress)))
                case .complete(let after, let waiting):
                    step.end = .complete(after: after, waitingForAgents: waiting)
                case .fail(var failure):
                    let current = table
                    let late = current.instances(of: failure.service).filter {
                        [.starting, .unready].contains(current.state(of: $0))
                    }
                    if case .timedOut(let timeout) = failure.reason,
                        let lastCheck = late.compactMap({ current.lastCheckError(of: $0) }).first
                    {
                        failure.reason = .notReady(within: timeout, lastCheck: lastCheck)
                    }
                    switch failure.reason {
                    case .timedOut, .notReady:
                        for id in late {
                            table.change(id, to: .timedOut, now: now, detail: failure.reason.description)
                        }
                    case .exited, .failed, .lost:
                        break
                    }
                    step.end = .failed(failure)
                }
            }
            // Instances adopted ready before their service's wave make it ready at once.
            for service in readyAlready where step.end == nil {
                step = step + readyIfAllExpected(service, services: &table, now: now)
            }
            return step
        }
    }
}

extension CoordinatorStateMachine.Order {
    /// The start order of `service`: its configuration's readiness probe and restart policy.
    static func start(_ service: ServiceSpec) -> Self {
        .start(readiness: service.readiness, restart: service.restart)
    }
}
