extension CoordinatorStateMachine {
    /// What the coordinator knows of each service of its configuration and of each of its instances:
    /// where each instance stands, whether its agent is connected and heard from, where it runs, and
    /// the order it has not answered yet; per service, its instances and how many are in each state.
    ///
    /// The records are private: the coordinator changes them through one method per fact it learns,
    /// so that a rule about an instance's record (what adopting a snapshot means, which stop outcome
    /// leaves which state, how an unanswered order is repeated) is written once, here, and the
    /// per-service counts always follow. An instance's record is made when its agent first registers,
    /// and kept (up to ``InstanceCount/maximum`` per service) so that status shows where it ended.
    struct ServiceTable: Sendable {
        /// The services in declaration order.
        private let names: [String]
        private var services: [String: ServiceRecord]
        private var records: [InstanceID: InstanceRecord] = [:]

        /// Every service without an instance, as of `now`.
        init(graph: ServiceGraph, now: Timestamp) {
            self.names = graph.names
            self.services = Dictionary(
                uniqueKeysWithValues: graph.names.map {
                    ($0, ServiceRecord(expected: graph[$0].instances, minReady: graph[$0].minReady))
                })
        }

        // MARK: Services

        func contains(service: String) -> Bool {
            services[service] != nil
        }

        /// The instances of `service` that ever registered, in the order they first did.
        func instances(of service: String) -> [InstanceID] {
            services[service]?.instances.map { InstanceID(service: service, instance: $0) } ?? []
        }

        /// The instances of `service` whose agent is registered.
        func connectedInstances(of service: String) -> [InstanceID] {
            instances(of: service).filter(isConnected)
        }

        /// Whether any instance of `service` has its agent registered.
        func hasConnectedInstance(_ service: String) -> Bool {
            (services[service]?.connected ?? 0) > 0
        }

        /// How many instances of `service` ever registered.
        func instanceCount(of service: String) -> Int {
            services[service]?.instances.count ?? 0
        }

        /// How many instances of `service` are ready.
        func readyCount(of service: String) -> Int {
            services[service]?.ready ?? 0
        }

        /// How many instances of `service` run or may still run.
        func viableCount(of service: String) -> Int {
            services[service]?.viable ?? 0
        }

        /// How many instances of `service` have a process: starting or ready.
        func runningCount(of service: String) -> Int {
            services[service]?.count(.starting, .ready) ?? 0
        }

        /// Whether `service` has as many ready instances as the configuration expects.
        func allExpectedReady(_ service: String) -> Bool {
            guard let record = services[service] else { return false }
            return record.ready >= record.expected
        }

        /// Whether `service` has at least `min_ready` ready instances: enough for its dependents.
        func isUp(_ service: String) -> Bool {
            guard let record = services[service] else { return false }
            return record.ready >= record.minReady
        }

        /// Whether `service` has at least `min_ready` instances ready or not ready: running.
        func isRunning(_ service: String) -> Bool {
            guard let record = services[service] else { return false }
            return record.count(.ready, .unready) >= record.minReady
        }

        /// Whether every instance of `service` has ended: stopped, failed or killed after its timeout.
        func hasEnded(_ service: String) -> Bool {
            services[service]?.hasEnded ?? false
        }

        /// Whether every instance of `service` has stopped.
        func hasStopped(_ service: String) -> Bool {
            guard let record = services[service] else { return false }
            return !record.instances.isEmpty && record.count(.stopped) == record.instances.count
        }

        /// The fewest ready instances `service`'s dependents need.
        func minReady(of service: String) -> Int {
            services[service]?.minReady ?? 1
        }

        /// What `service` still lacks to have every expected instance ready: the ids of its instances
        /// that are not ready, and how many expected instances never registered.
        func missingInstances(of service: String) -> (notReady: [String], neverRegistered: Int) {
            guard let record = services[service] else { return ([], 0) }
            let notReady = record.instances.filter {
                records[InstanceID(service: service, instance: $0)]!.state != .ready
            }
            return (notReady, max(0, record.expected - record.instances.count))
        }

        /// The instances whose agent is registered, service by service in declaration order.
        var connectedInstances: [InstanceID] {
            names.flatMap { connectedInstances(of: $0) }
        }

        /// One row per service, in declaration order, each with its instances.
        func status(now: Timestamp) -> [ServiceStatus] {
            names.map { name in
                let record = services[name]!
                let rows = instances(of: name).map { id in
                    let instance = records[id]!
                    return InstanceStatus(
                        instance: id.instance, state: instance.state,
                        connected: instance.connected && !instance.unreachable, suspect: instance.suspect,
                        host: instance.host, pid: instance.pid,
                        uptime: instance.state == .ready ? instance.readyAt.map { now - $0 } : nil,
                        sinceLastChange: now - instance.changedAt, detail: instance.detail)
                }
                return ServiceStatus(
                    service: name, expected: record.expected, minReady: record.minReady, ready: record.ready,
                    instances: rows)
            }
        }

        // MARK: What is known of an instance

        func contains(_ id: InstanceID) -> Bool {
            records[id] != nil
        }

        /// Where the instance stands; `waiting` for one that never registered.
        func state(of id: InstanceID) -> ServiceState {
            records[id]?.state ?? .waiting
        }

        /// The explanation of the instance's state, if any.
        func detail(of id: InstanceID) -> String? {
            records[id]?.detail
        }

        /// How the instance's process ended, since it was last started.
        func exitStatus(of id: InstanceID) -> ExitStatus? {
            records[id]?.exitStatus
        }

        /// The outcome of a stop order that the agent's snapshot told of (see ``AgentSnapshot/stopped(_:)``).
        func stopOutcomeFromSnapshot(of id: InstanceID) -> StopOutcome? {
            records[id]?.stopOutcomeFromSnapshot
        }

        /// Why the instance's last readiness check failed, while it is not ready.
        func lastCheckError(of id: InstanceID) -> String? {
            records[id]?.lastCheckError
        }

        /// Whether the instance's agent is registered, reachable or not.
        func isConnected(_ id: InstanceID) -> Bool {
            records[id]?.connected ?? false
        }

        /// Whether the connection of the instance's registered agent has closed.
        func isUnreachable(_ id: InstanceID) -> Bool {
            records[id]?.unreachable ?? false
        }

        /// Whether the instance's agent is registered and its connection open.
        func isReachable(_ id: InstanceID) -> Bool {
            isConnected(id) && !isUnreachable(id)
        }

        /// Whether the instance's agent has been silent longer than `agent_suspect_after`.
        func isSuspect(_ id: InstanceID) -> Bool {
            records[id]?.suspect ?? false
        }

        /// Whether the instance's process has ended: stopped, failed or killed after its timeout.
        func hasEnded(_ id: InstanceID) -> Bool {
            [.stopped, .failed, .timedOut].contains(state(of: id))
        }

        /// Whether another instance may be recorded for `service`, which holds as many as
        /// ``InstanceCount/maximum`` at most.
        func hasRoom(for id: InstanceID) -> Bool {
            records[id] != nil || (services[id.service]?.instances.count ?? 0) < InstanceCount.maximum
        }

        // MARK: Agents

        /// The instance's agent registered from `host`: connected and reachable. The first
        /// registration of an instance makes its record.
        mutating func connect(_ id: InstanceID, host: String, now: Timestamp) {
            if records[id] == nil {
                records[id] = InstanceRecord(changedAt: now)
                services[id.service]!.instances.append(id.instance)
                services[id.service]!.counts[.waiting, default: 0] += 1
            }
            if !records[id]!.connected { services[id.service]!.connected += 1 }
            records[id]!.connected = true
            records[id]!.unreachable = false
            records[id]!.host = host
        }

        /// The connection of the instance's agent closed; nothing happens if it was not connected.
        mutating func markUnreachable(_ id: InstanceID) {
            guard isConnected(id) else { return }
            records[id]!.unreachable = true
        }

        /// The instance's agent is gone: neither connected nor suspect any more.
        mutating func disconnect(_ id: InstanceID) {
            guard isConnected(id) else { return }
            services[id.service]!.connected -= 1
            records[id]!.connected = false
            records[id]!.unreachable = false
            records[id]!.suspect = false
        }

        /// The instance's connected agent has been silent too long.
        /// - Returns: whether it has just become suspect.
        mutating func markSuspect(_ id: InstanceID) -> Bool {
            // An agent whose service stopped on an order exits, as it was told: its silence is no news.
            guard isConnected(id), !isSuspect(id), state(of: id) != .stopped else { return false }
            records[id]!.suspect = true
            return true
        }

        /// The instance's agent was heard from.
        /// - Returns: whether it was suspect until now.
        mutating func clearSuspect(_ id: InstanceID) -> Bool {
            guard isSuspect(id) else { return false }
            records[id]!.suspect = false
            return true
        }

        /// Takes what an agent says of its instance as the instance's state: an agent that outlived a
        /// coordinator brings a running process, which is adopted rather than started again.
        mutating func adopt(_ snapshot: AgentSnapshot, of id: InstanceID, now: Timestamp) {
            switch snapshot {
            case .idle:
                if state(of: id) == .lost { change(id, to: .waiting, now: now) }
            case .starting(let pid):
                records[id]!.pid = pid
                change(id, to: .starting, now: now, detail: "adopted from its agent")
            case .ready(let pid):
                records[id]!.pid = pid
                records[id]!.readyAt = now
                change(id, to: .ready, now: now, detail: "adopted from its agent")
            case .stopping(let pid):
                records[id]!.pid = pid
                change(id, to: .stopping, now: now)
            case .exited(let status):
                recordExit(status, of: id, now: now)
            case .stopped(let outcome):
                records[id]!.stopOutcomeFromSnapshot = outcome
                recordStop(.acknowledged(outcome), of: id, now: now)
            }
        }

        // MARK: The instance

        /// Moves the instance to `state` as of `now`, with `detail` as its explanation.
        mutating func change(_ id: InstanceID, to state: ServiceState, now: Timestamp, detail: String? = nil) {
            guard let previous = records[id]?.state else { return }
            services[id.service]!.counts[previous, default: 0] -= 1
            services[id.service]!.counts[state, default: 0] += 1
            records[id]!.state = state
            records[id]!.changedAt = now
            records[id]!.detail = detail
        }

        /// Explains the instance's state without changing it.
        mutating func explain(_ id: InstanceID, detail: String) {
            records[id]?.detail = detail
        }

        /// The instance is being started: what is known of its previous process is forgotten.
        mutating func markStarting(_ id: InstanceID, now: Timestamp) {
            change(id, to: .starting, now: now)
            records[id]?.exitStatus = nil
            records[id]?.stopOutcomeFromSnapshot = nil
            records[id]?.lastCheckError = nil
        }

        /// The agent spawned the instance's process.
        mutating func recordSpawn(of id: InstanceID, pid: Int32) {
            records[id]?.pid = pid
        }

        /// The instance became ready for the first time since it was started.
        mutating func markReady(_ id: InstanceID, now: Timestamp) {
            change(id, to: .ready, now: now)
            records[id]?.readyAt = now
        }

        /// A readiness check of the instance passed (`nil`) or failed with `error`.
        mutating func recordCheck(of id: InstanceID, error: String?) {
            records[id]?.lastCheckError = error
        }

        /// The instance's process ended on its own with `status`.
        mutating func recordExit(_ status: ExitStatus, of id: InstanceID, now: Timestamp) {
            records[id]?.exitStatus = status
            change(id, to: .failed, now: now, detail: "process ended (\(status))")
        }

        /// What a stop concluded for the instance, as its state.
        mutating func recordStop(_ outcome: ShutdownOutcome, of id: InstanceID, now: Timestamp) {
            switch outcome {
            case .acknowledged(.alreadyExited(let status)):
                change(id, to: .failed, now: now, detail: "process had ended (\(status))")
            case .acknowledged(.killedAfterTimeout), .timedOut:
                change(id, to: .timedOut, now: now, detail: outcome.description)
            case .acknowledged, .killed:
                change(id, to: .stopped, now: now, detail: outcome.description)
            case .lost:
                change(id, to: .lost, now: now, detail: outcome.description)
            case .notConnected:
                explain(id, detail: outcome.description)
            case .recorded(let recorded):
                change(id, to: recorded.clean ? .stopped : .failed, now: now, detail: outcome.description)
            case .stoppedEarlier:
                break
            }
        }

        // MARK: Orders

        /// Sends an order and schedules its retransmission until the agent answers: orders are
        /// idempotent ("be started", "be stopped"), and agents answer a repeated one as the first.
        mutating func send(_ order: Order, to id: InstanceID, now: Timestamp) -> [Action] {
            records[id]?.unanswered = (order, 1)
            return [
                .send(order, to: id),
                .scheduleTimer(.retransmit(id), at: now + Self.retransmitDelay(afterSends: 1)),
            ]
        }

        /// The instance's retransmission timer fired: its unanswered order goes again, if its agent
        /// is still connected, and the next retransmission waits longer.
        mutating func retransmit(to id: InstanceID, now: Timestamp) -> [Action] {
            guard isConnected(id), let (order, sends) = records[id]!.unanswered else { return [] }
            records[id]!.unanswered = (order, sends + 1)
            return [
                .send(order, to: id),
                .scheduleTimer(.retransmit(id), at: now + Self.retransmitDelay(afterSends: sends + 1)),
            ]
        }

        /// The agent answered (or is gone): its order is no longer repeated.
        mutating func answered(_ id: InstanceID) -> [Action] {
            guard records[id]?.unanswered != nil else { return [] }
            records[id]!.unanswered = nil
            return [.cancelTimer(.retransmit(id))]
        }

        /// 1 s after the first send, then doubling, at most 8 s.
        static func retransmitDelay(afterSends sends: Int) -> Duration {
            .seconds(1 << min(sends - 1, 3))
        }
    }
}
