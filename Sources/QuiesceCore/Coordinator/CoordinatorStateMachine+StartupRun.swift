extension CoordinatorStateMachine {
    /// The ``StartupStateMachine`` run over the fleet, or over the part of it an operation starts.
    ///
    /// It feeds the machine the coordinator's events and translates what it answers: start orders
    /// become orders to services (recorded in the ``ServiceTable``, repeated until answered), its
    /// timers and progress the coordinator's. Its end, complete or failed, goes back to the
    /// coordinator, which decides what follows from whom the run worked for.
    struct StartupRun: Sendable {
        /// How a startup run ends.
        enum End: Equatable, Sendable {
            case complete(after: Duration)
            /// The failure as the coordinator reports it: a start timeout after a failed readiness
            /// check names the check's error.
            case failed(StartupFailure)
        }

        /// What the run answers to one event: the actions to perform, then possibly its end.
        struct Step: Sendable {
            var actions: [Action] = []
            var end: End?
        }

        let purpose: Purpose
        /// The services the run starts, with their dependencies among them.
        private let graph: ServiceGraph
        private var startup: StartupStateMachine

        init(of graph: ServiceGraph, for purpose: Purpose, now: Timestamp) {
            self.purpose = purpose
            self.graph = graph
            self.startup = StartupStateMachine(graph: graph, plan: Plan(graph: graph), now: now)
        }

        /// The services of the run, in declaration order.
        var services: [String] { graph.names }

        /// The services whose agent the current wave is waiting for.
        var missingAgents: [String] { startup.missingAgents }

        /// Feeds `event` to the startup and translates its answer, which ends with the run's end if
        /// the event ended it.
        mutating func feed(
            _ event: (inout StartupStateMachine) -> [StartupStateMachine.Action], services table: inout ServiceTable,
            now: Timestamp
        ) -> Step {
            var step = Step()
            for action in event(&startup) {
                switch action {
                case .sendStart(let service):
                    table.markStarting(service, now: now)
                    step.actions += table.send(.start(graph[service]), to: service, now: now)
                case .scheduleTimer(let timer, let at):
                    step.actions.append(.scheduleTimer(.startup(timer), at: at))
                case .cancelTimer(let timer):
                    step.actions.append(.cancelTimer(.startup(timer)))
                case .progress(let progress):
                    step.actions.append(.progress(.startup(progress)))
                case .complete(let after):
                    step.end = .complete(after: after)
                case .fail(var failure):
                    if case .timedOut(let timeout) = failure.reason,
                        let lastCheck = table.lastCheckError(of: failure.service)
                    {
                        failure.reason = .notReady(within: timeout, lastCheck: lastCheck)
                    }
                    switch failure.reason {
                    case .timedOut, .notReady:
                        table.change(failure.service, to: .timedOut, now: now, detail: failure.reason.description)
                    case .exited, .failed, .lost:
                        break
                    }
                    step.end = .failed(failure)
                }
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
