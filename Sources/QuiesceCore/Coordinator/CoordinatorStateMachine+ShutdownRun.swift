extension CoordinatorStateMachine {
    /// The ``ShutdownStateMachine`` run over the fleet, or over the part of it an operation stops.
    ///
    /// The machine works on services, wave by wave; the run puts their instances beneath it. A stop
    /// (or kill) order of a service goes to every connected instance of it that has no outcome yet,
    /// in parallel; the others get theirs at once (lost, not connected, already exited). The machine
    /// hears that the service is concluded only when every instance has acknowledged, timed out or
    /// been lost, so no instance of a dependency is ordered before every instance of its dependents
    /// is done. Each instance's outcome is its state in the ``ServiceTable`` and, for the fleet, a
    /// journal entry; the report lists them. For one instance leaving (its agent asked), the run
    /// stops that instance alone of its service.
    struct ShutdownRun: Sendable {
        /// What the run answers to one event: the actions to perform, then possibly its report.
        struct Step: Sendable {
            var actions: [Action] = []
            /// Set when the event ended the run.
            var report: ShutdownReport?

            static func + (lhs: Step, rhs: Step) -> Step {
                Step(actions: lhs.actions + rhs.actions, report: lhs.report ?? rhs.report)
            }
        }

        /// What the run knows of one instance it stops.
        private struct InstanceStop: Sendable {
            var orderedAt: Timestamp?
            var outcome: ShutdownOutcome?
            var endedAt: Timestamp?
            /// Lost while ordered, and its service waits for unreachable agents.
            var waiting = false
        }

        let purpose: Purpose
        /// The services the run stops, with their dependents among them.
        private let graph: ServiceGraph
        private var shutdown: ShutdownStateMachine
        /// For one instance leaving: the only instance of its service the run stops.
        private let onlyInstance: InstanceID?
        private var recorded = RecordedShutdown()
        private var missingAreLost = false
        private var stops: [InstanceID: InstanceStop] = [:]
        /// Per service, its instances ordered and without an outcome, and how many of those wait.
        private var pending: [String: Int] = [:]
        private var waiting: [String: Int] = [:]
        /// The services whose wave the machine ordered, and those it has concluded.
        private var ordered: Set<String> = []
        private var concluded: Set<String> = []
        /// Per service, in a resumed run, the expected instances neither recorded nor back: they may
        /// still run, unnamed, and make the service lost.
        private var missing: [String: Int] = [:]
        /// Set once the remaining services are being killed: outcomes are kills from then on.
        private var killReason: KillReason?
        /// Services whose every instance has its outcome, to tell the machine once its answer is done.
        private var done: [String] = []
        /// The service whose instances are being ordered: it is done only once all are.
        private var ordering: String?

        init(
            of graph: ServiceGraph, for purpose: Purpose, settings: CoordinatorSettings,
            onlyInstance: InstanceID? = nil,
            scheduling: Scheduling = .waves
        ) {
            self.purpose = purpose
            self.graph = graph
            self.onlyInstance = onlyInstance
            self.shutdown = ShutdownStateMachine(
                graph: graph, plan: Plan(graph: graph), shutdownTimeout: settings.shutdownTimeout,
                ackGrace: settings.ackGrace, scheduling: scheduling)
        }

        /// The instances of `service` the run stops: those the table knows, with those the journal
        /// recorded, or the one leaving.
        private func instances(of service: String, in table: ServiceTable) -> [InstanceID] {
            if let onlyInstance, onlyInstance.service == service { return [onlyInstance] }
            let known = table.instances(of: service)
            let recordedOnly = recorded.instanceIDs(of: service).filter { !table.contains($0) }
            return known + recordedOnly
        }

        /// Whether the run stops more than one instance of `service`, without listing them.
        private func hasSeveralInstances(_ service: String, in table: ServiceTable) -> Bool {
            onlyInstance?.service != service
                && max(table.instanceCount(of: service), recorded.instanceCount(of: service)) > 1
        }

        /// Whether the run stops instance `id`.
        private func concerns(_ id: InstanceID) -> Bool {
            graph.contains(id.service) && (onlyInstance.map { $0.service != id.service || $0 == id } ?? true)
        }

        /// The outcome an instance has without an order, or `nil` when its agent is there to be ordered.
        private func outcomeWithoutOrder(_ id: InstanceID, in table: ServiceTable) -> ShutdownOutcome? {
            if let outcome = recorded.outcome(of: id) { return .recorded(outcome) }
            // Its stop ended while no coordinator ran: the agent's snapshot is the answer.
            if let outcome = table.stopOutcomeFromSnapshot(of: id) { return .acknowledged(outcome) }
            if case .fleet = purpose, table.state(of: id) == .stopped {
                return .stoppedEarlier(table.detail(of: id) ?? "stopped")
            }
            if let status = table.exitStatus(of: id) { return .acknowledged(.alreadyExited(status)) }
            if table.isConnected(id) { return nil }
            return table.state(of: id) == .lost || missingAreLost ? .lost : .notConnected
        }

        /// Begins the shutdown with what is known of each service and its instances.
        /// - Parameters:
        ///   - recorded: outcomes a previous coordinator's journal recorded: they stay concluded.
        ///   - missingAreLost: whether an instance whose agent is not connected may still run (a
        ///     resumed shutdown cannot know), and is lost rather than not connected.
        mutating func start(
            services table: inout ServiceTable, recorded: RecordedShutdown, missingAreLost: Bool, now: Timestamp
        ) -> Step {
            self.recorded = recorded
            self.missingAreLost = missingAreLost
            var conditions: [String: ShutdownStateMachine.Condition] = [:]
            // Agents of instances stopped before the fleet's shutdown, waiting to start them again:
            // told to exit, outside the shutdown, which has nothing left to stop there.
            var dismissed: [InstanceID] = []
            for name in graph.names {
                if let outcome = recorded.services[name] {
                    conditions[name] = .concluded(.recorded(outcome))
                    continue
                }
                let ids = instances(of: name, in: table)
                if missingAreLost, ids.count < graph[name].instances {
                    missing[name] = graph[name].instances - ids.count
                }
                let outcomes = ids.map { outcomeWithoutOrder($0, in: table) }
                if ids.isEmpty {
                    conditions[name] = missingAreLost ? .lost : .notConnected
                } else if outcomes.contains(where: { $0 == nil }) {
                    conditions[name] = .connected
                } else if outcomes.allSatisfy({ if case .acknowledged(.alreadyExited) = $0 { true } else { false } }),
                    let status = table.exitStatus(of: ids[0])
                {
                    conditions[name] = .exited(status)
                } else {
                    conditions[name] = .concluded(summary(of: outcomes.compactMap { $0 }, service: name))
                }
                if case .fleet = purpose {
                    dismissed += ids.filter {
                        table.state(of: $0) == .stopped && table.isConnected($0)
                            && table.stopOutcomeFromSnapshot(of: $0) == nil
                    }
                }
            }
            let answer = shutdown.start(conditions: conditions, now: now)
            let dismissals = dismissed.sorted().flatMap { id in
                table.send(.stop(timeout: graph[id.service].stopTimeout, drain: .zero, exit: true), to: id, now: now)
            }
            var step = translate(answer, services: &table, now: now)
            step.actions = dismissals + step.actions
            return step
        }

        /// The service's outcome as its instances' sum it up: lost when some expected instances of a
        /// resumed run never came back, else the first that is not clean, or the first.
        private func summary(of outcomes: [ShutdownOutcome], service: String) -> ShutdownOutcome {
            if missing[service] != nil { return .lost }
            return outcomes.first { !$0.isClean } ?? outcomes.first ?? .notConnected
        }

        // MARK: Instance events

        /// The instance's agent reported the outcome of its stop or kill order.
        mutating func stopAcknowledged(
            _ id: InstanceID, outcome: StopOutcome, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            guard let stop = stops[id], stop.orderedAt != nil, stop.outcome == nil else { return Step() }
            let result = killReason.map { ShutdownOutcome.killed(outcome, reason: $0) } ?? .acknowledged(outcome)
            var step = Step(actions: conclude(id, result, services: &table, now: now))
            step = step + concludeDoneServices(services: &table, now: now)
            return step
        }

        /// The instance's agent was found lost.
        mutating func instanceLost(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> Step {
            let service = id.service
            guard concerns(id), !concluded.contains(service) else { return Step() }
            guard let stop = stops[id], stop.orderedAt != nil, stop.outcome == nil else {
                // Not ordered yet: the machine learns the service is lost once no agent of it is left.
                guard !ordered.contains(service), !table.hasConnectedInstance(service) else { return Step() }
                return feed({ $0.agentLost(service, now: now) }, services: &table, now: now)
            }
            if graph[service].waitsWhenUnreachable, killReason == nil {
                // Its policy is to wait: the instance stays pending until it comes back or the deadline.
                guard !stop.waiting else { return Step() }
                stops[id]!.waiting = true
                waiting[service, default: 0] += 1
                guard waiting[service] == pending[service] else { return Step() }
                return feed({ $0.agentLost(service, now: now) }, services: &table, now: now)
            }
            return Step(actions: conclude(id, .lost, services: &table, now: now))
                + concludeDoneServices(services: &table, now: now)
        }

        /// The instance's agent registered during the shutdown. An instance of a service whose wave has
        /// come is ordered now; one of a service already concluded is told to stand down.
        mutating func instanceConnected(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> Step {
            let service = id.service
            guard concerns(id), !shutdown.isFinished else { return Step() }
            if concluded.contains(service) || stops[id]?.outcome != nil {
                return Step(actions: table.send(.kill(exit: purpose.agentExits(id)), to: id, now: now))
            }
            guard ordered.contains(service) else {
                return feed({ $0.agentConnected(service, now: now) }, services: &table, now: now)
            }
            if stops[id]?.waiting == true {
                stops[id]!.waiting = false
                let allWaited = waiting[service] == pending[service]
                waiting[service, default: 1] -= 1
                // The machine stopped the service's deadline while all of it was unreachable: it
                // orders the service again, which reaches this instance.
                if allWaited { return feed({ $0.agentConnected(service, now: now) }, services: &table, now: now) }
            }
            return Step(actions: order(id, kill: killReason != nil, services: &table, now: now))
        }

        /// The instance's process ended on its own before its stop order. The machine hears of it once
        /// no instance of the service is left to order.
        mutating func instanceExited(
            _ id: InstanceID, status: ExitStatus, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            let service = id.service
            guard concerns(id), !ordered.contains(service), !concluded.contains(service),
                instances(of: service, in: table).allSatisfy({ table.exitStatus(of: $0) != nil })
            else { return Step() }
            return feed({ $0.serviceExited(service, status: status, now: now) }, services: &table, now: now)
        }

        // MARK: The machine

        /// Feeds `event` to the shutdown and translates its answer, which ends with the run's report
        /// if the event ended it.
        mutating func feed(
            _ event: (inout ShutdownStateMachine) -> [ShutdownStateMachine.Action], services table: inout ServiceTable,
            now: Timestamp
        ) -> Step {
            translate(event(&shutdown), services: &table, now: now)
        }

        private mutating func translate(
            _ answer: [ShutdownStateMachine.Action], services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            var step = Step()
            for action in answer {
                switch action {
                case .sendStop(let service, _):
                    step.actions += orderService(service, kill: false, services: &table, now: now)
                case .sendKill(let service):
                    step.actions += orderService(service, kill: true, services: &table, now: now)
                case .scheduleTimer(let timer, let at):
                    step.actions.append(.scheduleTimer(.shutdown(timer), at: at))
                case .cancelTimer(let timer):
                    step.actions.append(.cancelTimer(.shutdown(timer)))
                case .progress(let progress):
                    if case .serviceFinished(let service, let outcome, _) = progress {
                        step.actions += serviceFinished(service, outcome, services: &table, now: now)
                    }
                    if case .killingRemaining(_, let reason) = progress { killReason = reason }
                    step.actions.append(.progress(.shutdown(progress)))
                case .finish(var report):
                    for index in report.entries.indices {
                        report.entries[index].instances = instances(of: report.entries[index].service, in: table)
                            .compactMap { id in
                                stops[id].flatMap { stop in
                                    stop.outcome.map { outcome in
                                        ShutdownReport.InstanceEntry(
                                            instance: id.instance, outcome: outcome,
                                            duration: stop.orderedAt.flatMap { ordered in
                                                stop.endedAt.map { $0 - ordered }
                                            })
                                    }
                                }
                            }
                    }
                    step.report = report
                }
            }
            return step + concludeDoneServices(services: &table, now: now)
        }

        /// The machine ordered `service` stopped (or killed): every connected instance without an
        /// outcome is ordered, the others get theirs now.
        private mutating func orderService(
            _ service: String, kill: Bool, services table: inout ServiceTable, now: Timestamp
        ) -> [Action] {
            ordered.insert(service)
            ordering = service
            defer { ordering = nil }
            var actions: [Action] = []
            for id in instances(of: service, in: table) where stops[id]?.outcome == nil {
                if stops[id]?.orderedAt == nil, let outcome = outcomeWithoutOrder(id, in: table) {
                    actions += conclude(id, outcome, services: &table, now: now)
                } else if table.isConnected(id) {
                    actions += order(id, kill: kill, services: &table, now: now)
                }
            }
            if pending[service, default: 0] == 0, !concluded.contains(service), !done.contains(service) {
                done.append(service)
            }
            return actions
        }

        /// Sends one instance its stop or kill order, counting it pending until its outcome.
        private mutating func order(
            _ id: InstanceID, kill: Bool, services table: inout ServiceTable, now: Timestamp
        ) -> [Action] {
            if stops[id]?.orderedAt == nil {
                stops[id, default: InstanceStop()].orderedAt = now
                pending[id.service, default: 0] += 1
            }
            if kill { return table.send(.kill(exit: purpose.agentExits(id)), to: id, now: now) }
            table.change(id, to: .stopping, now: now)
            let spec = graph[id.service]
            return table.send(
                .stop(timeout: spec.stopTimeout, drain: spec.drain, exit: purpose.agentExits(id)), to: id, now: now)
        }

        /// Records the instance's outcome: its state, the journal's entry for the fleet, and a
        /// progress line when its service has several instances.
        private mutating func conclude(
            _ id: InstanceID, _ outcome: ShutdownOutcome, services table: inout ServiceTable, now: Timestamp
        ) -> [Action] {
            let stop = stops[id, default: InstanceStop()]
            if stop.orderedAt != nil {
                pending[id.service, default: 1] -= 1
                if stop.waiting { waiting[id.service, default: 1] -= 1 }
            }
            stops[id] = InstanceStop(orderedAt: stop.orderedAt, outcome: outcome, endedAt: now)
            table.recordStop(outcome, of: id, now: now)
            var actions: [Action] = []
            // A service of one instance is journaled and reported as a whole, once concluded.
            if hasSeveralInstances(id.service, in: table) {
                if !purpose.isOperation, recorded.outcome(of: id) == nil {
                    actions.append(.journal(.instanceOutcome(id, RecordedOutcome(outcome))))
                }
                actions.append(.progress(.instanceFinished(id, outcome, after: stop.orderedAt.map { now - $0 })))
            }
            if ordered.contains(id.service), ordering != id.service, pending[id.service, default: 0] == 0,
                !concluded.contains(id.service), !done.contains(id.service)
            {
                done.append(id.service)
            }
            return actions
        }

        /// The machine concluded `service`: its instances without an outcome take the service's
        /// (timed out, killed, lost), or their own when they were never ordered.
        private mutating func serviceFinished(
            _ service: String, _ outcome: ShutdownOutcome, services table: inout ServiceTable, now: Timestamp
        ) -> [Action] {
            concluded.insert(service)
            done.removeAll { $0 == service }
            var actions: [Action] = []
            for id in instances(of: service, in: table) where stops[id]?.outcome == nil {
                let own = stops[id]?.orderedAt == nil ? outcomeWithoutOrder(id, in: table) : nil
                actions += conclude(id, own ?? outcome, services: &table, now: now)
            }
            if !purpose.isOperation, recorded.services[service] == nil {
                actions.append(.journal(.outcome(service, RecordedOutcome(outcome))))
            }
            return actions
        }

        /// Tells the machine of each service whose every instance now has its outcome.
        private mutating func concludeDoneServices(services table: inout ServiceTable, now: Timestamp) -> Step {
            var step = Step()
            while !done.isEmpty {
                let service = done.removeFirst()
                guard !concluded.contains(service) else { continue }
                let outcomes = instances(of: service, in: table).compactMap { stops[$0]?.outcome }
                let summary = summary(of: outcomes, service: service)
                step =
                    step
                    + feed({ $0.serviceConcluded(service, outcome: summary, now: now) }, services: &table, now: now)
            }
            return step
        }
    }
}

extension RecordedOutcome {
    /// How the journal keeps `outcome`.
    init(_ outcome: ShutdownOutcome) {
        self.init(code: outcome.code, clean: outcome.isClean, detail: outcome.description)
    }
}
