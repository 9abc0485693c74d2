extension CoordinatorStateMachine {
    /// A rolling restart of one service (`quiesce restart SERVICE --rolling`): its instances are
    /// restarted a few at a time, each ready again before the next is taken down, and its dependents
    /// are never ordered anything.
    ///
    /// The rule of how many go at once: the next instance is taken down only while fewer than
    /// `max_unavailable` are restarting and the ready instances left would still be at least
    /// `min_ready`; so at most `min(max_unavailable, ready − min_ready)` are in flight, and one
    /// whenever that is at least 1. The ready count is the table's as of each event, so an instance
    /// that becomes unready, is lost, or connects and becomes ready (scale up) changes what may go.
    /// Instances that are not ready (running, failing their checks) go first, since taking them down
    /// leaves the ready count as it is; then the ready ones, in the order they registered.
    ///
    /// An instance that does not come back (not ready within its start timeout, failed to start, its
    /// process ended, its stop unacknowledged past its stop timeout and grace, its agent lost) stops
    /// the rolling restart: no further instance is taken down, those restarting are waited for, and
    /// the report names it. When nothing is restarting and the next one may not go without leaving
    /// fewer than `min_ready` ready (others became unready or were lost), it stops too.
    struct RollingRun: Sendable {
        /// What the run answers to one event: the actions to perform, then possibly its report.
        struct Step: Sendable {
            var actions: [Action] = []
            /// Set when the event ended the run.
            var report: RollingRestartReport?

            static func + (lhs: Step, rhs: Step) -> Step {
                Step(actions: lhs.actions + rhs.actions, report: lhs.report ?? rhs.report)
            }
        }

        /// Where one instance of the rolling restart stands.
        private enum Phase: Equatable, Sendable {
            case waiting
            case stopping
            case starting
            case done(RollingRestartReport.Outcome)
        }

        /// What the run knows of one instance it restarts.
        private struct Restart: Sendable {
            var phase = Phase.waiting
            var stopOrderedAt: Timestamp?
            var stoppedAt: Timestamp?
            var stopOutcome: StopOutcome?
            var readyAt: Timestamp?

            var isInFlight: Bool { phase == .stopping || phase == .starting }
        }

        let operation: Operation
        private let spec: ServiceSpec
        private let ackGrace: Duration
        private let began: Timestamp
        /// The instances to restart, in the order they are taken down.
        private let order: [InstanceID]
        private var restarts: [InstanceID: Restart]
        private var fewestReady: Int
        /// Set once an instance did not come back, or the next could not go: nothing more is taken down.
        private var failure: String?

        private var service: String { spec.name }

        /// The rolling restart of `operation`'s service, or why it may not begin: none of its instances
        /// runs, or, with every running instance ready (those failing their checks go first and come
        /// back ready), one down would leave fewer than `min_ready` ready.
        static func begin(
            _ operation: Operation, spec: ServiceSpec, ackGrace: Duration, services table: ServiceTable, now: Timestamp
        ) -> Result<RollingRun, OperationRefusal> {
            let running = table.connectedInstances(of: spec.name).filter {
                [.ready, .unready].contains(table.state(of: $0))
            }
            guard !running.isEmpty else { return .failure(.nothingToRestart(spec.name)) }
            guard running.count - 1 >= spec.minReady else {
                return .failure(
                    .belowMinReady(spec.name, wouldLeave: max(0, running.count - 1), minReady: spec.minReady))
            }
            let ready = table.readyCount(of: spec.name)
            let order =
                running.filter { table.state(of: $0) == .unready } + running.filter { table.state(of: $0) == .ready }
            return .success(
                RollingRun(operation: operation, spec: spec, ackGrace: ackGrace, began: now, order: order, ready: ready)
            )
        }

        private init(
            operation: Operation, spec: ServiceSpec, ackGrace: Duration, began: Timestamp, order: [InstanceID],
            ready: Int
        ) {
            self.operation = operation
            self.spec = spec
            self.ackGrace = ackGrace
            self.began = began
            self.order = order
            self.restarts = Dictionary(uniqueKeysWithValues: order.map { ($0, Restart()) })
            self.fewestReady = ready
        }

        /// Takes down the first instances.
        mutating func start(services table: inout ServiceTable, now: Timestamp) -> Step {
            advance(services: &table, now: now)
        }

        // MARK: Instance events

        /// The instance's agent reported the end of its stop: it is ordered to start again.
        mutating func stopAcknowledged(
            _ id: InstanceID, outcome: StopOutcome, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            guard restarts[id]?.phase == .stopping else { return Step() }
            restarts[id]!.phase = .starting
            restarts[id]!.stoppedAt = now
            restarts[id]!.stopOutcome = outcome
            table.recordStop(.acknowledged(outcome), of: id, now: now)
            table.markStarting(id, now: now)
            return Step(
                actions: [.cancelTimer(.rollingStop(id)), .progress(.rolling(.starting(id, stopped: outcome)))]
                    + table.send(.start(spec), to: id, now: now)
                    + [.scheduleTimer(.rollingStart(id), at: now + spec.startTimeout)])
        }

        /// An instance of the service is ready: one restarting is back, or another became ready (it
        /// connected, or its checks pass again). Either may let the next instance go.
        mutating func instanceReady(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> Step {
            var step = Step()
            if restarts[id]?.phase == .starting, let ordered = restarts[id]!.stopOrderedAt {
                restarts[id]!.phase = .done(.restarted)
                restarts[id]!.readyAt = now
                step.actions = [
                    .cancelTimer(.rollingStart(id)), .progress(.rolling(.readyAgain(id, after: now - ordered))),
                ]
            }
            return step + advance(services: &table, now: now)
        }

        /// An instance could not be started, or its process ended on its own (the table has it
        /// failed). One starting again has not come back; one waiting is left alone at its turn.
        mutating func instanceFailed(
            _ id: InstanceID, reason: String, services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            switch restarts[id]?.phase {
            case .starting:
                return fail(id, .failed(reason), reason: reason, timer: .rollingStart(id), services: &table, now: now)
            case .waiting, nil:
                return advance(services: &table, now: now)
            case .stopping, .done:
                // A process that ends while it stops is its stop's end, which its agent reports.
                return Step()
            }
        }

        /// The instance's agent was lost (the table has it so).
        mutating func instanceLost(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> Step {
            switch restarts[id]?.phase {
            case .stopping:
                return fail(
                    id, .lost, reason: "its agent was lost", timer: .rollingStop(id), services: &table, now: now)
            case .starting:
                return fail(
                    id, .lost, reason: "its agent was lost", timer: .rollingStart(id), services: &table, now: now)
            case .waiting, .done, nil:
                return advance(services: &table, now: now)
            }
        }

        /// A deadline of an instance restarting passed: its stop was not acknowledged in time, or it
        /// was not ready again within its start timeout.
        mutating func timerFired(_ timer: Timer, services table: inout ServiceTable, now: Timestamp) -> Step {
            switch timer {
            case .rollingStop(let id) where restarts[id]?.phase == .stopping:
                let reason = "its stop was not acknowledged within \((spec.stopBudget + ackGrace).configurationText)"
                return fail(id, .failed(reason), reason: reason, timer: nil, services: &table, now: now)
            case .rollingStart(let id) where restarts[id]?.phase == .starting:
                let lastCheck = table.lastCheckError(of: id).map { " (last check: \($0))" } ?? ""
                let reason = "not ready within \(spec.startTimeout.configurationText)\(lastCheck)"
                table.explain(id, detail: reason)
                return fail(id, .failed(reason), reason: reason, timer: nil, services: &table, now: now)
            default:
                return Step()
            }
        }

        /// A shutdown begins: the run ends here. Returns the cancellations of its deadlines and its
        /// report, whose instances restarting are interrupted; the shutdown then stops every instance.
        mutating func abandon(services table: ServiceTable, now: Timestamp) -> (
            actions: [Action], report: RollingRestartReport
        ) {
            let cancels = order.compactMap { id -> Action? in
                switch restarts[id]!.phase {
                case .stopping: .cancelTimer(.rollingStop(id))
                case .starting: .cancelTimer(.rollingStart(id))
                case .waiting, .done: nil
                }
            }
            return (cancels, report(now: now))
        }

        // MARK: The rule

        /// Takes down the next instances while fewer than `max_unavailable` restart and enough stay
        /// ready, and ends the run once nothing restarts and nothing more may go.
        private mutating func advance(services table: inout ServiceTable, now: Timestamp) -> Step {
            var step = Step()
            var inFlight = restarts.values.count(where: \.isInFlight)
            while failure == nil, inFlight < operation.maxUnavailable,
                let next = order.first(where: { restarts[$0]!.phase == .waiting })
            {
                if let reason = Self.reasonToSkip(next, in: table) {
                    restarts[next]!.phase = .done(table.isConnected(next) ? .skipped(reason) : .lost)
                    step.actions.append(.progress(.rolling(.skipped(next, reason: reason))))
                    continue
                }
                let readyLeft = table.readyCount(of: service) - (table.state(of: next) == .ready ? 1 : 0)
                guard readyLeft >= spec.minReady else {
                    if inFlight == 0 {
                        let reason =
                            "taking down \(next) would leave \(readyLeft) ready, below min_ready \(spec.minReady)"
                        failure = reason
                        step.actions.append(.progress(.rolling(.halted(reason))))
                    }
                    break
                }
                step.actions += takeDown(next, services: &table, now: now)
                inFlight += 1
            }
            fewestReady = min(fewestReady, table.readyCount(of: service))
            let finished = failure != nil || !order.contains { restarts[$0]!.phase == .waiting }
            if inFlight == 0, finished { step.report = report(now: now) }
            return step
        }

        /// Why `id` is left alone when its turn comes: its agent is gone or cannot be reached (an order
        /// would not arrive), or it no longer runs.
        private static func reasonToSkip(_ id: InstanceID, in table: ServiceTable) -> String? {
            guard table.isConnected(id) else { return "its agent is not connected" }
            guard !table.isUnreachable(id) else { return "its agent's connection is closed" }
            let state = table.state(of: id)
            return [.ready, .unready].contains(state) ? nil : "it was \(state.rawValue) when its turn came"
        }

        /// Orders `id` to stop, its agent staying to start it again, with the deadline of its stop.
        private mutating func takeDown(_ id: InstanceID, services table: inout ServiceTable, now: Timestamp) -> [Action]
        {
            restarts[id]!.phase = .stopping
            restarts[id]!.stopOrderedAt = now
            table.change(id, to: .stopping, now: now, detail: "rolling restart")
            return [.progress(.rolling(.stopping(id, ready: table.readyCount(of: service))))]
                + table.send(.stop(timeout: spec.stopTimeout, drain: spec.drain, exit: false), to: id, now: now)
                + [.scheduleTimer(.rollingStop(id), at: now + spec.stopBudget + ackGrace)]
        }

        /// `id` did not come back: nothing more is taken down; the run ends once those restarting are done.
        private mutating func fail(
            _ id: InstanceID, _ outcome: RollingRestartReport.Outcome, reason: String, timer: Timer?,
            services table: inout ServiceTable, now: Timestamp
        ) -> Step {
            restarts[id]!.phase = .done(outcome)
            if failure == nil { failure = "\(id) \(outcome)" }
            var step = Step(actions: timer.map { [.cancelTimer($0)] } ?? [])
            step.actions.append(.progress(.rolling(.failed(id, reason: reason))))
            return step + advance(services: &table, now: now)
        }

        private func report(now: Timestamp) -> RollingRestartReport {
            RollingRestartReport(
                service: service, maxUnavailable: operation.maxUnavailable, minReady: spec.minReady,
                instances: order.map { id in
                    let restart = restarts[id]!
                    let outcome: RollingRestartReport.Outcome =
                        switch restart.phase {
                        case .waiting: .notReached
                        case .stopping, .starting: .interrupted
                        case .done(let outcome): outcome
                        }
                    return RollingRestartReport.Entry(
                        instance: id.instance, outcome: outcome,
                        stopOrderedAfter: restart.stopOrderedAt.map { $0 - began },
                        stoppedAfter: restart.stoppedAt.map { $0 - began }, stopOutcome: restart.stopOutcome,
                        readyAfter: restart.readyAt.map { $0 - began })
                }, fewestReady: fewestReady, failure: failure, total: now - began)
        }
    }
}
