import Foundation
import Logging
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The coordinator's I/O: one thread (the caller's) owns the ZeroMQ context and the ROUTER socket,
/// polls it together with the signal eventfd, feeds the ``CoordinatorStateMachine`` and performs the
/// actions it returns. Never call ``run()`` from Swift's cooperative thread pool: it blocks.
public final class CoordinatorRuntime {
    let configuration: Configuration
    let endpoint: String
    let logger: Logger
    let output: (String) -> Void
    /// Raised at every start of the coordinator, or taken from etcd by a leader; stamped on what it
    /// sends, required on what agents send. With `coordinator.ha`, 0 until it first leads: it then
    /// stamps nothing.
    var epoch: UInt64
    /// The journal given, or with `coordinator.ha` the fleet's journal in etcd while this coordinator
    /// leads.
    var journal: (any ShutdownJournal)?
    let clock = MonotonicClock()
    var machine: CoordinatorStateMachine
    var timers = TimerSet<CoordinatorStateMachine.Timer>()
    var registry = AgentRegistry()
    /// CLI peers that asked for the shutdown or an operation, to stream progress and the report to.
    var watchers: [Watcher] = []
    /// With `coordinator.ha`: this coordinator's part in the election; `nil` when it runs alone.
    var leadership: LeadershipBridge?
    /// Whether this coordinator orders the fleet: always when it runs alone, while it leads otherwise.
    var leads: Bool
    /// How a coordinator that does not lead answers, and whom it told so.
    var standby = StandbyAnswers()
    /// Why this coordinator ends without a report of its own: it stood by, and was told to end.
    var standbyEnd: String?
    var nextMessageID: UInt64 = 1
    /// The acknowledgements sent, until their agents have read them: when the coordinator may exit.
    var acknowledgements = FinalAcknowledgements()
    var report: ShutdownReport?
    /// What was turned away, for the log and `quiesce status`.
    var rejections = StatusDocument.Rejections()
    /// Keeps a peer that fails its handshake over and over from flooding the log.
    var handshakeLog = LogThrottle(interval: .seconds(10))
    /// The rate limit of registrations, and what to do with a repeated or refused one.
    var admission = RegistrationAdmission()
    /// Keeps a registration flood from flooding the log: one line per interval, with the count.
    var registrationLog = LogThrottle(interval: .seconds(10))
    /// Who may send what; its allowed identities follow the authenticator's keys.
    var authorization = Authorization()
    /// The router, its monitor, the ZAP handler and the admin plane, open while ``run()`` runs. The
    /// admin plane on `coordinator.admin_bind` (an `ipc://` socket only the coordinator's user can
    /// open) is plain, and everything that connects to it is an admin.
    var sockets: CoordinatorSockets!
    /// With a `security:` block: who may connect, asked through the ZAP handler.
    var authenticator: Authenticator?
    /// Routing ids of admin-plane peers carry this first byte (libzmq's own start with 0), so that one
    /// map of watchers serves both sockets.
    static let adminPlaneMark: UInt8 = 0xFF
    /// Keeps descriptors in reserve whatever connects to the main socket, and drops idle connections.
    var connections: ConnectionWatch!
    /// Keeps a flood of malformed or refused messages from flooding the log.
    var messageLog = LogThrottle(interval: .seconds(10))
    /// Folds the routine lines of services of many instances into one per service.
    var digest: ProgressDigest
    /// Messages read from one socket in one pass of the loop at most, so that signals, the ZAP handler,
    /// the monitor, the admin plane and timers (heartbeats) get their turn however fast a peer sends.
    static let messagesPerPass = 64
    /// The event stream: `quiesce events`, the metrics and the timeline.
    lazy var events = EventHub(origin: clock.now, logger: logger) {
        [unowned self] message, routingID, requestID in
        self.deliver(message, to: routingID, replyTo: requestID)
    }
    /// The fleet's startups and shutdowns, once the shutdown is over: what `--timeline` draws.
    public private(set) var timeline = Timeline()

    /// - Parameters:
    ///   - epoch: higher than that of every earlier start of this coordinator; unused with
    ///     `coordinator.ha`, whose every leadership takes its epoch from etcd.
    ///   - journal: where the shutdown's intent and outcomes are kept; a pending shutdown in it is
    ///     resumed. Unused with `coordinator.ha`, whose leader keeps the journal in etcd.
    ///   - output: receives each progress line, as it happens.
    public init(
        configuration: Configuration, endpoint: String, epoch: UInt64, journal: (any ShutdownJournal)?, logger: Logger,
        output: @escaping (String) -> Void
    ) {
        self.configuration = configuration
        self.epoch = configuration.coordinator.ha == nil ? epoch : 0
        self.journal = configuration.coordinator.ha == nil ? journal : nil
        self.endpoint = endpoint
        self.logger = logger
        self.output = output
        self.leads = configuration.coordinator.ha == nil
        self.machine = CoordinatorStateMachine(
            configuration: configuration, now: clock.now, resuming: leads ? journal?.pendingShutdown() : nil)
        self.digest = ProgressDigest(graph: configuration.graph)
    }

    /// How a run of the coordinator ended.
    public enum Ending {
        /// The fleet's shutdown is over, with this report.
        case report(ShutdownReport)
        /// This coordinator stood by and ends without having shut the fleet down, for this reason.
        case standbyEnded(String)
    }

    /// Runs until the shutdown is over, and returns its report; with `coordinator.ha`, a coordinator
    /// that stands by may end without one.
    public func run() throws -> Ending {
        raiseOpenFileLimit()
        let descriptorLimit = Int(clamping: OpenFileLimit.current.soft)
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP])
        let context = try Context()
        if let security = configuration.security {
            let keys = try Authenticator(settings: security, services: configuration.graph.names)
            authenticator = keys
            authorization.allowedIdentities = keys.allowedIdentities
        }
        sockets = try CoordinatorSockets(
            context: context, endpoint: endpoint, curve: authenticator?.serverKeys,
            backlog: Sockets.backlog(descriptorLimit: descriptorLimit), adminBind: configuration.coordinator.adminBind)
        if let adminBind = configuration.coordinator.adminBind {
            logger.info("Admin plane listening", metadata: ["endpoint": "\(adminBind)"])
        }
        if let address = configuration.coordinator.metricsBind {
            let metrics = CoordinatorMetrics(services: configuration.graph.names)
            _ = try MetricsEndpoint(
                address: address, registry: metrics.registry,
                connectionLimit: OpenFileLimit.current.connectionAllowance(ceiling: MetricsEndpoint.connectionCeiling),
                logger: logger)
            events.metrics = metrics
        }
        if let ha = configuration.coordinator.ha {
            let driver = try LeadershipDriver(
                settings: ha, value: ha.advertised(bind: endpoint), clock: clock, logger: logger)
            leadership = LeadershipBridge(driver: driver, leaseTTL: ha.leaseTTL, logger: logger)
        }
        defer {
            leadership?.finish(now: clock.now, within: Self.resignationLimit)
            sockets.close()
            context.terminate()
        }
        connections = ConnectionWatch(
            descriptorLimit: descriptorLimit, inUse: OpenFileLimit.descriptorsInUse(), logger: logger)
        let bound = (try? sockets.router.lastEndpoint()) ?? endpoint
        logger.info(
            "Coordinator listening",
            metadata: [
                "endpoint": "\(bound)", "services": "\(configuration.graph.names.count)",
                "curve": "\(authenticator != nil)", "descriptor_limit": "\(descriptorLimit)",
                "connection_limit": "\(connections.limit)",
                "backlog": "\(Sockets.backlog(descriptorLimit: descriptorLimit))",
            ])
        var poller = Poller(
            sockets.pollItems(signals: signals.fileDescriptor, leadership: leadership?.fileDescriptor))
        if leadership != nil {
            electionMoved(leadership?.start(now: clock.now) ?? [])
        } else {
            perform(machine.start(now: clock.now))
        }

        while report == nil, standbyEnd == nil {
            let nextDeadline = [leads ? timers.nextDeadline : nil, leadership?.nextDeadline].compactMap { $0 }.min()
            let readable = try poller.poll(
                timeoutMilliseconds: clock.pollTimeout(until: nextDeadline, limit: .seconds(1)))
            if readable[.signals] {
                for signal in signals.drain() {
                    logger.notice("Signal received", metadata: ["signal": "\(SignalName.name(of: signal))"])
                    if signal == SIGHUP {
                        reloadKeys()
                    } else if leads {
                        perform(machine.shutdownRequested(now: clock.now))
                    } else {
                        standbyEnd = Self.standbySignalled
                    }
                }
            }
            if readable[.leadership] { electionMoved(leadership?.answersArrived(now: clock.now) ?? []) }
            electionMoved(leadership?.timersDue(now: clock.now) ?? [])
            if readable[.zap] { try answerZAP() }
            if readable[.monitor] { try readMonitor() }
            if readable[.adminPlane], let adminPlane = sockets.adminPlane {
                try receiveAll(from: adminPlane, adminPlane: true)
            }
            if readable[.router] { try receiveAll(from: sockets.router) }
            for timer in leads ? timers.popExpired(now: clock.now) : [] {
                let retransmitting = if case .retransmit = timer { true } else { false }
                perform(machine.timerFired(timer, now: clock.now), retransmitting: retransmitting)
            }
            try dropIdleConnections()
            if leads { events.tick(rejections: rejections, now: clock.now) { machine.status(now: $0) } }
        }
        if let standbyEnd {
            logger.notice("Standby coordinator ending", metadata: ["reason": "\(standbyEnd)"])
            return .standbyEnded(standbyEnd)
        }
        timeline = events.timeline(now: clock.now, criticalPath: report!.criticalPath)
        var document = ReportDocument(report!)
        document.timeline = TimelineDocument(timeline)
        for watcher in watchers {
            send(.report(document), to: watcher.routingID, replyTo: watcher.requestID)
        }
        try drain(poller: &poller)
        return .report(report!)
    }

    /// Keeps serving until every agent acknowledged has closed its connection, which it does once it
    /// has read its acknowledgement (an `IMMEDIATE` DEALER drops what it has not read when its peer
    /// closes; see ImmediateTests and ``FinalAcknowledgements``); late reports are still acknowledged
    /// meanwhile. Ends after ``drainLimit`` at most, so that a peer that keeps its connection open or
    /// keeps sending cannot keep the coordinator alive.
    func drain(poller: inout Poller<CoordinatorSockets.PollItem>) throws {
        let deadline = clock.now + Self.drainLimit
        while !acknowledgements.allRead(now: clock.now), clock.now < deadline {
            let until = min(acknowledgements.readWithoutClosing ?? deadline, deadline)
            let readable = try poller.poll(timeoutMilliseconds: clock.pollTimeout(until: until, limit: Self.drainLimit))
            if readable[.monitor] { try readMonitor() }
            if readable[.router] { try receiveAll(from: sockets.router) }
        }
        if !acknowledgements.allRead(now: clock.now) {
            logger.notice(
                "Exiting before every acknowledged agent closed its connection",
                metadata: [
                    "unclosed": "\(acknowledgements.unclosed)", "waited": "\(Self.drainLimit.configurationText)",
                ])
        }
    }

    static let drainLimit: Duration = .seconds(2)

    /// Receives the messages waiting on `socket`, ``messagesPerPass`` at most, and handles them; what
    /// cannot be decoded is dropped, counted and logged without flooding. On the admin plane, routing ids carry ``adminPlaneMark`` and every peer is
    /// ``Authorization/localAdmin``.
    func receiveAll(from socket: Socket, adminPlane: Bool = false) throws {
        for _ in 0..<Self.messagesPerPass {
            guard let received = try socket.receive(maxFrames: WireCodec.maximumFrames + 1) else { return }
            guard let peer = received.frames.first else { continue }
            let routingID = adminPlane ? [Self.adminPlaneMark] + peer : peer
            let frames = Array(received.frames.dropFirst())
            do throws(WireError) {
                if received.truncated { throw .wrongFrameCount(frames.count) }
                handle(
                    try WireCodec.decode(frames), from: routingID,
                    identity: adminPlane ? Authorization.localAdmin : received.userID,
                    descriptor: adminPlane ? nil : received.sourceDescriptor)
            } catch {
                rejections.malformedMessages += 1
                guard let unlogged = messageLog.record("malformed", now: clock.now) else { continue }
                logger.warning(
                    "Dropped a malformed message",
                    metadata: [
                        "reason": "\(error)", "dropped": "\(rejections.malformedMessages)",
                        "admin_plane": "\(adminPlane)",
                        "instance": "\(registry.instance(for: routingID)?.description ?? "?")",
                        "unlogged_since_last": "\(unlogged)",
                    ])
            }
        }
    }

    /// - Parameter descriptor: the connection the message came on, for the main socket's.
    func handle(_ envelope: Envelope, from routingID: [UInt8], identity: String?, descriptor: Int32?) {
        let now = clock.now
        let agent = registry.connectedAgent(
            at: routingID, stamped: envelope.epoch, currentEpoch: epoch, isConnected: machine.isConnected)
        let rule = Authorization.rule(for: envelope.message, fromAgentOf: agent?.service)
        guard authorization.permits(identity, as: rule.senders) else {
            refuse(envelope, from: routingID, identity: identity, under: rule)
            return
        }
        connections.heard(on: descriptor, from: routingID, now: now)
        guard leads else {
            answerAsStandby(envelope, from: routingID)
            return
        }
        if case .register(let service, let host, let agentPID, let snapshot, let instance) = envelope.message {
            // An agent of QSC/1.0 names no instance: its host does.
            let id = InstanceID(service: service, instance: instance ?? InstanceID.fromHost(host))
            register(
                id, host: host, agentPID: agentPID, snapshot: snapshot, routingID: routingID,
                sender: identity ?? Self.connectionName(routingID), requestID: envelope.id)
            return
        }
        if let agent {
            perform(machine.heard(from: agent, now: now))
            handleAgentMessage(envelope, from: agent, routingID: routingID, descriptor: descriptor)
            return
        }
        switch envelope.message {
        case .statusRequest:
            let document = StatusDocument(
                phase: machine.phaseName, services: machine.status(now: now), rejections: rejections,
                leadership: leadership.map { LeadershipDocument($0.status) })
            send(.statusReply(document), to: routingID, replyTo: envelope.id)
        case .eventsRequest:
            switch events.subscribe(routingID: routingID, requestID: envelope.id) {
            case .subscribed:
                logger.info("Events subscriber added")
                send(.heartbeat, to: routingID, replyTo: envelope.id)
            case .alreadySubscribed:
                break
            case .full:
                send(
                    .error("\(EventSubscriptions.maximum) subscribers listen already; try again later"), to: routingID,
                    replyTo: envelope.id)
            }
        case .shutdownRequest(let scheduling):
            logger.notice("Shutdown requested by an operator")
            watchers.append(Watcher(routingID: routingID, requestID: envelope.id, operation: false))
            perform(machine.shutdownRequested(now: now, scheduling: scheduling))
        case .operationRequest(let kind, let service, let maxUnavailable, let scheduling):
            let operation = Operation(
                kind: kind, service: service, maxUnavailable: maxUnavailable ?? 1, scheduling: scheduling)
            switch machine.operationRequested(operation, now: now) {
            case .success(let actions):
                logger.notice(
                    "Operation requested by an operator",
                    metadata: ["operation": "\(kind.rawValue)", "service": "\(service)"])
                watchers.append(Watcher(routingID: routingID, requestID: envelope.id, operation: true))
                perform(actions)
            case .failure(let refusal):
                send(.error(refusal.description), to: routingID, replyTo: envelope.id)
            }
        case .heartbeat, .started, .ready, .startFailed, .exited, .stopped:
            logger.debug(
                "Message from an agent that is not registered; dropped", metadata: ["type": "\(envelope.message.type)"])
            send(.error("not registered"), to: routingID, replyTo: envelope.id)
        default:
            rejections.malformedMessages += 1
            guard let unlogged = messageLog.record("unexpected", now: clock.now) else { return }
            logger.warning(
                "Dropped an unexpected message",
                metadata: [
                    "type": "\(envelope.message.type)", "dropped": "\(rejections.malformedMessages)",
                    "unlogged_since_last": "\(unlogged)",
                ])
        }
    }

    /// Names a plain connection, which has no identity, for the registration limit and the log.
    static func connectionName(_ routingID: [UInt8]) -> String {
        "connection:" + routingID.map { String($0, radix: 16) }.joined(separator: ".")
    }

    /// Performs actions in order, telling the event stream of each. `retransmitting`: they answer a
    /// retransmission timer.
    func perform(_ actions: [CoordinatorStateMachine.Action], retransmitting: Bool = false) {
        for action in actions {
            guard leads else { return }
            events.observe(action, retransmitting: retransmitting, now: clock.now)
            switch action {
            case .send(let order, let id):
                // Between the lease's ordering deadline and the loop's turn that fires its timer, the
                // order is not sent; the machine sends it again once this coordinator leads again.
                if leadership?.mayOrder(at: clock.now) == false { continue }
                if !deliver(order, to: id) { closed(id) }
            case .sendHeartbeat(let id):
                if !sendHeartbeat(to: id) { closed(id) }
            case .scheduleTimer(let timer, let deadline):
                timers.schedule(timer, at: deadline)
            case .cancelTimer(let timer):
                timers.cancel(timer)
            case .progress(let progress):
                let lines = digest.lines(for: progress)
                if let folded = lines.folded { logger.debug("Progress", metadata: ["line": "\(folded)"]) }
                for line in lines.printed {
                    output(line)
                    for watcher in watchers {
                        send(.progress(line), to: watcher.routingID, replyTo: watcher.requestID)
                    }
                }
            case .finish(let report):
                self.report = report
            case .journal(let entry):
                do {
                    try journal?.append(entry)
                } catch {
                    // Leading without the journal, a standby taking over would not know this.
                    if leadership != nil {
                        refuseLeadership(because: error)
                        return
                    }
                    logger.error(
                        "Cannot write the journal; a restarted coordinator would not know this",
                        metadata: ["error": "\(error)"])
                }
            case .operationFinished(let report):
                logger.notice(
                    "Operation finished",
                    metadata: [
                        "operation": "\(report.operation.kind.rawValue) \(report.operation.service)",
                        "exit_code": "\(report.exitCode)",
                    ])
                let document = ReportDocument(report, scheduling: configuration.coordinator.scheduling)
                for watcher in watchers where watcher.operation {
                    send(.report(document), to: watcher.routingID, replyTo: watcher.requestID)
                }
                watchers.removeAll { $0.operation }
            }
        }
    }

    /// Sends an order; `false` when the agent is no longer reachable.
    func deliver(_ order: CoordinatorStateMachine.Order, to id: InstanceID) -> Bool {
        guard let routingID = registry.routingID(for: id) else { return false }
        let message: Message
        switch order {
        case .start(let readiness, let restart): message = .start(readiness: readiness, restart: restart)
        case .stop(let timeout, let drain, let exit): message = .stop(timeout: timeout, drain: drain, exit: exit)
        case .kill(let exit): message = .kill(exit: exit)
        }
        logger.debug("Order sent", metadata: ["instance": "\(id)", "order": "\(message.type)"])
        return send(message, to: routingID)
    }

    /// Sends a heartbeat; `false` when the agent is no longer reachable.
    func sendHeartbeat(to id: InstanceID) -> Bool {
        guard let routingID = registry.routingID(for: id) else { return false }
        events.heartbeatSent(to: id, messageID: nextMessageID, now: clock.now)
        return send(.heartbeat, to: routingID)
    }

    /// Nothing could be routed to the agent of instance `id`: its connection has closed. It has until
    /// `agent_lost_after` to come back.
    func closed(_ id: InstanceID) {
        if !machine.isUnreachable(id) {
            logger.log(
                level: digest.folds(id.service) ? .debug : .notice,
                "Agent connection closed; waiting for it to register again", metadata: ["instance": "\(id)"])
        }
        machine.connectionClosed(id, now: clock.now)
    }

    @discardableResult
    func send(_ message: Message, to routingID: [UInt8], replyTo: UInt64? = nil) -> Bool {
        deliver(message, to: routingID, replyTo: replyTo) == .queued
    }

    /// ``send(_:to:replyTo:)``, telling a full queue from a peer that is gone.
    func deliver(_ message: Message, to routingID: [UInt8], replyTo: UInt64?) -> EventHub.Delivery {
        let envelope = Envelope(id: nextMessageID, replyTo: replyTo, epoch: epoch == 0 ? nil : epoch, message: message)
        nextMessageID += 1
        do {
            if routingID.first == Self.adminPlaneMark, let adminPlane = sockets.adminPlane {
                return try adminPlane.send([Array(routingID.dropFirst())] + WireCodec.encode(envelope))
                    ? .queued : .queueFull
            }
            return try sockets.router.send([routingID] + WireCodec.encode(envelope)) ? .queued : .queueFull
        } catch {
            logger.debug("Send failed", metadata: ["type": "\(message.type)", "error": "\(error)"])
            return .gone
        }
    }
}

/// A CLI peer waiting for progress and a report.
struct Watcher {
    var routingID: [UInt8]
    var requestID: UInt64
    /// Waits for a targeted operation's report rather than the shutdown's.
    var operation: Bool
}
