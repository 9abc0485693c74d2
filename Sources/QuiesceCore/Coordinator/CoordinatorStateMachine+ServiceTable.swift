extension CoordinatorStateMachine {
    /// What the coordinator knows of each service of its configuration: where it stands, whether its
    /// agent is connected and heard from, where it runs, and the order it has not answered yet.
    ///
    /// The records are private: the coordinator changes them through one method per fact it learns,
    /// so that a rule about a service's record (what adopting a snapshot means, which stop outcome
    /// leaves which state, how an unanswered order is repeated) is written once, here.
    struct ServiceTable: Sendable {
        private struct Record: Sendable {
            var state: ServiceState = .waiting
            var connected = false
            var host: String?
            var pid: Int32?
            var readyAt: Timestamp?
            var changedAt: Timestamp
            var exitStatus: ExitStatus?
            /// The outcome of a stop order the agent's snapshot told of: the stop ended while no
            /// coordinator ran.
            var stopOutcomeFromSnapshot: StopOutcome?
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

        /// The services in declaration order.
        private let names: [String]
        private var records: [String: Record]

        /// Every service waiting, as of `now`.
        init(names: [String], now: Timestamp) {
            self.names = names
            self.records = Dictionary(uniqueKeysWithValues: names.map { ($0, Record(changedAt: now)) })
        }

        // MARK: What is known

        func contains(_ service: String) -> Bool {
            records[service] != nil
        }

        /// Where `service` stands; `service` must be in the table.
        func state(of service: String) -> ServiceState {
            records[service]!.state
        }

        /// The explanation of the service's state, if any.
        func detail(of service: String) -> String? {
            records[service]?.detail
        }

        /// How the service's process ended, since it was last started.
        func exitStatus(of service: String) -> ExitStatus? {
            records[service]?.exitStatus
        }

        /// The outcome of a stop order that the agent's snapshot told of (see ``AgentSnapshot/stopped(_:)``).
        func stopOutcomeFromSnapshot(of service: String) -> StopOutcome? {
            records[service]?.stopOutcomeFromSnapshot
        }

        /// Why the service's last readiness check failed, while it is not ready.
        func lastCheckError(of service: String) -> String? {
            records[service]?.lastCheckError
        }

        /// Whether the service's agent is registered, reachable or not.
        func isConnected(_ service: String) -> Bool {
            records[service]?.connected ?? false
        }

        /// Whether the connection of the service's registered agent has closed.
        func isUnreachable(_ service: String) -> Bool {
            records[service]?.unreachable ?? false
        }

        /// Whether the service's agent is registered and its connection open.
        func isReachable(_ service: String) -> Bool {
            isConnected(service) && !isUnreachable(service)
        }

        /// Whether the service's agent has been silent longer than `agent_suspect_after`.
        func isSuspect(_ service: String) -> Bool {
            records[service]?.suspect ?? false
        }

        /// Whether the service's process has ended: stopped, failed or killed after its timeout.
        func hasEnded(_ service: String) -> Bool {
            [.stopped, .failed, .timedOut].contains(state(of: service))
        }

        /// The services whose agent is registered, in declaration order.
        var connectedServices: [String] {
            names.filter(isConnected)
        }

        /// One row per service, in declaration order.
        func status(now: Timestamp) -> [ServiceStatus] {
            names.map { name in
                let record = records[name]!
                return ServiceStatus(
                    service: name, state: record.state, connected: record.connected && !record.unreachable,
                    suspect: record.suspect,
                    host: record.host,
                    pid: record.pid, uptime: record.state == .ready ? record.readyAt.map { now - $0 } : nil,
                    sinceLastChange: now - record.changedAt, detail: record.detail)
            }
        }

        // MARK: Agents

        /// The service's agent registered from `host`: connected and reachable.
        mutating func connect(_ service: String, host: String) {
            records[service]!.connected = true
            records[service]!.unreachable = false
            records[service]!.host = host
        }

        /// The connection of the service's agent closed; nothing happens if it was not connected.
        mutating func markUnreachable(_ service: String) {
            guard isConnected(service) else { return }
            records[service]!.unreachable = true
        }

        /// The service's agent is gone: neither connected nor suspect any more.
        mutating func disconnect(_ service: String) {
            records[service]!.connected = false
            records[service]!.unreachable = false
            records[service]!.suspect = false
        }

        /// The service's connected agent has been silent too long.
        /// - Returns: whether it has just become suspect.
        mutating func markSuspect(_ service: String) -> Bool {
            guard isConnected(service), !isSuspect(service) else { return false }
            records[service]!.suspect = true
            return true
        }

        /// The service's agent was heard from.
        /// - Returns: whether it was suspect until now.
        mutating func clearSuspect(_ service: String) -> Bool {
            guard isSuspect(service) else { return false }
            records[service]!.suspect = false
            return true
        }

        /// Takes what an agent says of its service as the service's state: an agent that outlived a
        /// coordinator brings a running service, which is adopted rather than started again.
        mutating func adopt(_ snapshot: AgentSnapshot, of service: String, now: Timestamp) {
            switch snapshot {
            case .idle:
                if state(of: service) == .lost { change(service, to: .waiting, now: now) }
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
                recordExit(status, of: service, now: now)
            case .stopped(let outcome):
                records[service]!.stopOutcomeFromSnapshot = outcome
                recordStop(.acknowledged(outcome), of: service, now: now)
            }
        }

        // MARK: The service

        /// Moves the service to `state` as of `now`, with `detail` as its explanation.
        mutating func change(_ service: String, to state: ServiceState, now: Timestamp, detail: String? = nil) {
            records[service]!.state = state
            records[service]!.changedAt = now
            records[service]!.detail = detail
        }

        /// Explains the service's state without changing it.
        mutating func explain(_ service: String, detail: String) {
            records[service]!.detail = detail
        }

        /// The service is being started: what is known of its previous process is forgotten.
        mutating func markStarting(_ service: String, now: Timestamp) {
            change(service, to: .starting, now: now)
            records[service]!.exitStatus = nil
            records[service]!.stopOutcomeFromSnapshot = nil
            records[service]!.lastCheckError = nil
        }

        /// The agent spawned the service's process.
        mutating func recordSpawn(of service: String, pid: Int32) {
            records[service]!.pid = pid
        }

        /// The service became ready for the first time since it was started.
        mutating func markReady(_ service: String, now: Timestamp) {
            change(service, to: .ready, now: now)
            records[service]!.readyAt = now
        }

        /// A readiness check of the service passed (`nil`) or failed with `error`.
        mutating func recordCheck(of service: String, error: String?) {
            records[service]!.lastCheckError = error
        }

        /// The service's process ended on its own with `status`.
        mutating func recordExit(_ status: ExitStatus, of service: String, now: Timestamp) {
            records[service]!.exitStatus = status
            change(service, to: .failed, now: now, detail: "process ended (\(status))")
        }

        /// What a stop concluded for the service, as its state.
        mutating func recordStop(_ outcome: ShutdownOutcome, of service: String, now: Timestamp) {
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
                explain(service, detail: outcome.description)
            case .recorded(let recorded):
                change(service, to: recorded.clean ? .stopped : .failed, now: now, detail: outcome.description)
            case .stoppedEarlier:
                break
            }
        }

        // MARK: Orders

        /// Sends an order and schedules its retransmission until the agent answers: orders are
        /// idempotent ("be started", "be stopped"), and agents answer a repeated one as the first.
        mutating func send(_ order: Order, to service: String, now: Timestamp) -> [Action] {
            records[service]!.unanswered = (order, 1)
            return [
                .send(order, to: service),
                .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: 1)),
            ]
        }

        /// The service's retransmission timer fired: its unanswered order goes again, if its agent is
        /// still connected, and the next retransmission waits longer.
        mutating func retransmit(to service: String, now: Timestamp) -> [Action] {
            guard isConnected(service), let (order, sends) = records[service]!.unanswered else { return [] }
            records[service]!.unanswered = (order, sends + 1)
            return [
                .send(order, to: service),
                .scheduleTimer(.retransmit(service), at: now + Self.retransmitDelay(afterSends: sends + 1)),
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
    }
}
