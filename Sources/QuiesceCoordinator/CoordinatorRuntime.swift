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
    private let configuration: Configuration
    private let endpoint: String
    private let logger: Logger
    private let output: (String) -> Void
    /// Raised at every start of the coordinator; stamped on what it sends, required on what agents send.
    private let epoch: UInt64
    private let journal: (any ShutdownJournal)?
    private let clock = MonotonicClock()
    private var machine: CoordinatorStateMachine
    private var timers = TimerSet<CoordinatorStateMachine.Timer>()
    private var registry = AgentRegistry()
    /// CLI peers that asked for the shutdown or an operation, to stream progress and the report to.
    private var watchers: [Watcher] = []
    private var nextMessageID: UInt64 = 1
    /// The acknowledgements sent, until their agents have read them: when the coordinator may exit.
    private var acknowledgements = FinalAcknowledgements()
    private var report: ShutdownReport?
    /// What was turned away, for the log and `quiesce status`.
    private var rejections = StatusDocument.Rejections()
    /// Keeps a peer that fails its handshake over and over from flooding the log.
    private var handshakeLog = LogThrottle(interval: .seconds(10))
    /// The rate limit of registrations, and what to do with a repeated or refused one.
    private var admission = RegistrationAdmission()
    /// Keeps a registration flood from flooding the log: one line per interval, with the count.
    private var registrationLog = LogThrottle(interval: .seconds(10))
    /// Who may send what; its allowed identities follow the authenticator's keys.
    private var authorization = Authorization()
    /// The router, its monitor, the ZAP handler and the admin plane, open while ``run()`` runs. The
    /// admin plane on `coordinator.admin_bind` (an `ipc://` socket only the coordinator's user can
    /// open) is plain, and everything that connects to it is an admin.
    private var sockets: CoordinatorSockets!
    /// With a `security:` block: who may connect, asked through the ZAP handler.
    private var authenticator: Authenticator?
    /// Routing ids of admin-plane peers carry this first byte (libzmq's own start with 0), so that one
    /// map of watchers serves both sockets.
    private static let adminPlaneMark: UInt8 = 0xFF
    /// Keeps descriptors in reserve whatever connects to the main socket, and drops idle connections.
    private var connections: ConnectionWatch!
    /// Keeps a flood of malformed or refused messages from flooding the log.
    private var messageLog = LogThrottle(interval: .seconds(10))
    /// Folds the routine lines of services of many instances into one per service.
    private var digest: ProgressDigest
    /// Messages read from one socket in one pass of the loop at most, so that signals, the ZAP handler,
    /// the monitor, the admin plane and timers (heartbeats) get their turn however fast a peer sends.
    private static let messagesPerPass = 64
    /// The event stream: `quiesce events`, the metrics and the timeline.
    private lazy var events = EventHub(origin: clock.now, logger: logger) {
        [unowned self] message, routingID, requestID in
        self.deliver(message, to: routingID, replyTo: requestID)
    }
    /// The fleet's startups and shutdowns, once the shutdown is over: what `--timeline` draws.
    public private(set) var timeline = Timeline()

    /// - Parameters:
    ///   - epoch: higher than that of every earlier start of this coordinator.
    ///   - journal: where the shutdown's intent and outcomes are kept; a pending shutdown in it is resumed.
    ///   - output: receives each progress line, as it happens.
    public init(
        configuration: Configuration, endpoint: String, epoch: UInt64, journal: (any ShutdownJournal)?, logger: Logger,
        output: @escaping (String) -> Void
    ) {
        self.configuration = configuration
        self.epoch = epoch
        self.journal = journal
        self.endpoint = endpoint
        self.logger = logger
        self.output = output
        self.machine = CoordinatorStateMachine(
            configuration: configuration, now: clock.now, resuming: journal?.pendingShutdown())
        self.digest = ProgressDigest(graph: configuration.graph)
    }

    /// Runs until the shutdown is over, and returns its report.
    public func run() throws -> ShutdownReport {
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
        defer {
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
        var poller = Poller(sockets.pollItems(signals: signals.fileDescriptor))
        perform(machine.start(now: clock.now))

        while report == nil {
            let readable = try poller.poll(
                timeoutMilliseconds: clock.pollTimeout(until: timers.nextDeadline, limit: .seconds(1)))
            if readable[.signals] {
                for signal in signals.drain() {
                    logger.notice("Signal received", metadata: ["signal": "\(SignalName.name(of: signal))"])
                    if signal == SIGHUP {
                        reloadKeys()
                    } else {
                        perform(machine.shutdownRequested(now: clock.now))
                    }
                }
            }
            if readable[.zap] { try answerZAP() }
            if readable[.monitor] { try readMonitor() }
            if readable[.adminPlane], let adminPlane = sockets.adminPlane {
                try receiveAll(from: adminPlane, adminPlane: true)
            }
            if readable[.router] { try receiveAll(from: sockets.router) }
            for timer in timers.popExpired(now: clock.now) {
                let retransmitting = if case .retransmit = timer { true } else { false }
                perform(machine.timerFired(timer, now: clock.now), retransmitting: retransmitting)
            }
            try dropIdleConnections()
            events.tick(rejections: rejections, now: clock.now) { machine.status(now: $0) }
        }
        timeline = events.timeline(now: clock.now, criticalPath: report!.criticalPath)
        var document = ReportDocument(report!)
        document.timeline = TimelineDocument(timeline)
        for watcher in watchers {
            send(.report(document), to: watcher.routingID, replyTo: watcher.requestID)
        }
        try drain(poller: &poller)
        return report!
    }

    /// Keeps serving until every agent acknowledged has closed its connection, which it does once it
    /// has read its acknowledgement (an `IMMEDIATE` DEALER drops what it has not read when its peer
    /// closes; see ImmediateTests and ``FinalAcknowledgements``); late reports are still acknowledged
    /// meanwhile. Ends after ``drainLimit`` at most, so that a peer that keeps its connection open or
    /// keeps sending cannot keep the coordinator alive.
    private func drain(poller: inout Poller<CoordinatorSockets.PollItem>) throws {
        let deadline = clock.now + Self.drainLimit
        while !acknowledgements.allRead(now: clock.now), clock.now < deadline {
            let until = min(acknowledgements.readWithoutClosing ?? deadline, deadline)
            let readable = try poller.poll(timeoutMilliseconds: clock.pollTimeout(until: until, limit: Self.drainLimit))
            if readable[.monitor] { try readMonitor() }
            if readable[.router] { try receiveAll(from: sockets.router) }
        }
    }

    private static let drainLimit: Duration = .seconds(2)

    /// Receives the messages waiting on `socket`, ``messagesPerPass`` at most, and handles them; what
    /// cannot be decoded is dropped, counted and logged without flooding. On the admin plane, routing ids carry ``adminPlaneMark`` and every peer is
    /// ``Authorization/localAdmin``.
    private func receiveAll(from socket: Socket, adminPlane: Bool = false) throws {
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

    /// Answers the pending ZAP requests: is the client's key allowed, and as whom. A refusal is
    /// logged here, with the peer's address and key; the monitor counts it as a failed handshake.
    private func answerZAP() throws {
        guard let zap = sockets.zap, let authenticator else { return }
        while let request = try zap.receive(maxFrames: 8) {
            let reply = ZAPHandler.reply(to: request, authenticator: authenticator)
            if reply.count > 2, reply[2] != Array("200".utf8), request.frames.count > 6 {
                let key = Z85.encode(request.frames[6])
                if let unlogged = handshakeLog.record("zap \(key)", now: clock.now) {
                    logger.warning(
                        "Connection refused: its key is not allowed",
                        metadata: [
                            "address": "\(String(decoding: request.frames[3], as: UTF8.self))", "key": "\(key)",
                            "refused_since_last_logged": "\(unlogged)",
                        ])
                }
            }
            _ = try zap.send(reply)
        }
    }

    /// Counts the main socket's connections and failed handshakes, drops connections past the cap, and
    /// logs without flooding.
    private func readMonitor() throws {
        while let event = try sockets.monitor.next() {
            connections.handle(event, now: clock.now)
            if event.kind == .disconnected { acknowledgements.closed(Int32(bitPattern: event.value)) }
            guard let failure = event.handshakeFailure else { continue }
            rejections.failedHandshakes += 1
            if let unlogged = handshakeLog.record(failure, now: clock.now) {
                logger.warning(
                    "Handshake failed",
                    metadata: [
                        "reason": "\(failure)", "failed_handshakes": "\(rejections.failedHandshakes)",
                        "unlogged_since_last": "\(unlogged)",
                    ])
            }
        }
    }

    /// Shuts down the main socket's connections that stayed idle carrying neither a registered agent
    /// nor an operator waiting for a report; the monitor is read first.
    private func dropIdleConnections() throws {
        try readMonitor()
        connections.dropIdle(now: clock.now) { routingID in
            registry.instance(for: routingID) != nil || watchers.contains { $0.routingID == routingID }
                || events.holdsSubscriber(routingID)
        }
        rejections.droppedIdleConnections = connections.droppedIdle
    }

    /// SIGHUP: reads the key files again; agents whose key was revoked are lost from now on.
    private func reloadKeys() {
        guard let authenticator else {
            logger.notice("SIGHUP ignored: no security block, no keys to reload")
            return
        }
        do {
            let revoked = try authenticator.reload()
            authorization.allowedIdentities = authenticator.allowedIdentities
            logger.notice("Keys reloaded", metadata: ["revoked": "\(revoked.sorted())"])
            for identity in revoked where identity.hasPrefix("agent:") {
                perform(machine.agentsLost(of: String(identity.dropFirst("agent:".count)), now: clock.now))
            }
        } catch {
            logger.error("Keys not reloaded; the previous ones stay in force", metadata: ["error": "\(error)"])
        }
    }

    /// Counts and logs a message its sender may not send, and tells the sender what `rule` says.
    private func refuse(
        _ envelope: Envelope, from routingID: [UInt8], identity: String?, under rule: Authorization.Rule
    ) {
        rejections.refusedMessages += 1
        if let unlogged = messageLog.record("refused \(identity ?? "none")", now: clock.now) {
            logger.warning(
                "Message refused: its key may not send it",
                metadata: [
                    "type": "\(envelope.message.type)", "identity": "\(identity ?? "none")",
                    "refused": "\(rejections.refusedMessages)", "unlogged_since_last": "\(unlogged)",
                ])
        }
        if let refusal = rule.refusal { send(refusal, to: routingID, replyTo: envelope.id) }
    }

    /// - Parameter descriptor: the connection the message came on, for the main socket's.
    private func handle(_ envelope: Envelope, from routingID: [UInt8], identity: String?, descriptor: Int32?) {
        let now = clock.now
        let agent = registry.connectedAgent(
            at: routingID, stamped: envelope.epoch, currentEpoch: epoch, isConnected: machine.isConnected)
        let rule = Authorization.rule(for: envelope.message, fromAgentOf: agent?.service)
        guard authorization.permits(identity, as: rule.senders) else {
            refuse(envelope, from: routingID, identity: identity, under: rule)
            return
        }
        connections.heard(on: descriptor, from: routingID, now: now)
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
                phase: machine.phaseName, services: machine.status(now: now), rejections: rejections)
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
    private static func connectionName(_ routingID: [UInt8]) -> String {
        "connection:" + routingID.map { String($0, radix: 16) }.joined(separator: ".")
    }

    /// Judges a registration of instance `id` from `sender` (the key's identity, or the connection).
    private func register(
        _ id: InstanceID, host: String, agentPID: Int32, snapshot: AgentSnapshot, routingID: [UInt8], sender: String,
        requestID: UInt64
    ) {
        let service = id.service
        let isConnected = machine.isConnected(id)
        switch admission.registrationReceived(
            of: id, from: sender, on: routingID, registry: registry,
            awaited: !isConnected && configuration.graph.contains(service), isConnected: isConnected, now: clock.now)
        {
        case .rateLimited:
            rejections.rateLimitedRegistrations += 1
            if let unlogged = registrationLog.record("rate limit", now: clock.now) {
                logger.warning(
                    "Registration dropped: too many this second from its sender",
                    metadata: [
                        "service": "\(service)", "instance": "\(id.instance)", "sender": "\(sender)",
                        "dropped": "\(rejections.rateLimitedRegistrations)", "unlogged_since_last": "\(unlogged)",
                    ])
            }
            return
        case .welcomeAgain:
            send(welcome, to: routingID, replyTo: requestID)
            return
        case .register:
            break
        }
        var outcome = machine.agentRegistered(id, host: host, snapshot: snapshot, now: clock.now)
        if case .failure(let refusal) = outcome,
            let previous = RegistrationAdmission.connectionToProbe(
                after: refusal, of: id, on: routingID, registry: registry),
            !send(.heartbeat, to: previous)
        {
            // The connection registered before has closed (its agent restarted or reconnected), which
            // the coordinator had not noticed yet: this registration is its agent coming back.
            closed(id)
            outcome = machine.agentRegistered(id, host: host, snapshot: snapshot, now: clock.now)
        }
        switch outcome {
        case .success(let actions):
            registry.bind(id, to: routingID)
            logger.log(
                level: digest.folds(service) ? .debug : .info, "Agent registered",
                metadata: [
                    "service": "\(service)", "instance": "\(id.instance)", "host": "\(host)",
                    "agent_pid": "\(agentPID)", "snapshot": "\(snapshot)",
                ])
            send(welcome, to: routingID, replyTo: requestID)
            perform(actions)
        case .failure(let refusal):
            events.emit(.registrationRefused(id, reason: refusal.description), now: clock.now)
            logger.warning(
                "Agent refused",
                metadata: [
                    "service": "\(service)", "instance": "\(id.instance)", "host": "\(host)", "reason": "\(refusal)",
                ])
            send(.refused(reason: refusal.description), to: routingID, replyTo: requestID)
        }
    }

    private var welcome: Message {
        .welcome(
            heartbeatInterval: configuration.coordinator.heartbeatInterval,
            lostAfter: configuration.coordinator.agentLostAfter)
    }

    private func handleAgentMessage(
        _ envelope: Envelope, from id: InstanceID, routingID: [UInt8], descriptor: Int32?
    ) {
        let now = clock.now
        switch envelope.message {
        case .heartbeat:
            events.heartbeatAnswered(by: id, replyTo: envelope.replyTo, now: now)
        case .started(let pid):
            events.emit(.instanceStarted(id, pid: pid), now: now)
            perform(machine.serviceStarted(id, pid: pid, now: now))
        case .ready:
            events.emit(.instanceReady(id), now: now)
            perform(machine.serviceReady(id, now: now))
        case .startFailed(let reason):
            perform(machine.serviceStartFailed(id, message: reason, now: now))
        case .restarting(let status, let attempt, let delay):
            perform(machine.serviceRestarting(id, status: status, attempt: attempt, delay: delay, now: now))
        case .unready(let reason):
            logger.info("Service not ready", metadata: ["instance": "\(id)", "reason": "\(reason)"])
            perform(machine.serviceUnready(id, reason: reason, now: now))
        case .exited(let status):
            acknowledge(envelope, from: routingID, descriptor: descriptor)
            perform(machine.serviceExited(id, status: status, now: now))
        case .stopRequest:
            logger.notice("Agent asks for a coordinated stop of its instance", metadata: ["instance": "\(id)"])
            switch machine.operationRequested(
                Operation(kind: .stop, service: id.service, requestedByAgent: true, instance: id.instance), now: now)
            {
            case .success(let actions):
                perform(actions)
            case .failure(let refusal):
                send(.error(refusal.description), to: routingID, replyTo: envelope.id)
            }
        case .stopped(let outcome):
            acknowledge(envelope, from: routingID, descriptor: descriptor)
            logger.log(
                level: digest.folds(id.service) ? .debug : .info, "Stop acknowledged",
                metadata: ["instance": "\(id)", "outcome": "\(outcome)"])
            perform(machine.stopAcknowledged(id, outcome: outcome, now: now))
        default:
            rejections.malformedMessages += 1
            guard messageLog.record("unexpected \(id)", now: now) != nil else { return }
            logger.warning(
                "Dropped an unexpected message from an agent",
                metadata: ["instance": "\(id)", "type": "\(envelope.message.type)"])
        }
    }

    /// - Parameter descriptor: the connection the report came on, which the agent closes once it has
    ///   read the acknowledgement.
    private func acknowledge(_ report: Envelope, from routingID: [UInt8], descriptor: Int32?) {
        send(.ack, to: routingID, replyTo: report.id)
        acknowledgements.sent(on: descriptor, now: clock.now)
    }

    /// Performs actions in order, telling the event stream of each. `retransmitting`: they answer a
    /// retransmission timer.
    private func perform(_ actions: [CoordinatorStateMachine.Action], retransmitting: Bool = false) {
        for action in actions {
            events.observe(action, retransmitting: retransmitting, now: clock.now)
            switch action {
            case .send(let order, let id):
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
    private func deliver(_ order: CoordinatorStateMachine.Order, to id: InstanceID) -> Bool {
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
    private func sendHeartbeat(to id: InstanceID) -> Bool {
        guard let routingID = registry.routingID(for: id) else { return false }
        events.heartbeatSent(to: id, messageID: nextMessageID, now: clock.now)
        return send(.heartbeat, to: routingID)
    }

    /// Nothing could be routed to the agent of instance `id`: its connection has closed. It has until
    /// `agent_lost_after` to come back.
    private func closed(_ id: InstanceID) {
        if !machine.isUnreachable(id) {
            logger.log(
                level: digest.folds(id.service) ? .debug : .notice,
                "Agent connection closed; waiting for it to register again", metadata: ["instance": "\(id)"])
        }
        machine.connectionClosed(id, now: clock.now)
    }

    @discardableResult
    private func send(_ message: Message, to routingID: [UInt8], replyTo: UInt64? = nil) -> Bool {
        deliver(message, to: routingID, replyTo: replyTo) == .queued
    }

    /// ``send(_:to:replyTo:)``, telling a full queue from a peer that is gone.
    private func deliver(_ message: Message, to routingID: [UInt8], replyTo: UInt64?) -> EventHub.Delivery {
        let envelope = Envelope(id: nextMessageID, replyTo: replyTo, epoch: epoch, message: message)
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
private struct Watcher {
    var routingID: [UInt8]
    var requestID: UInt64
    /// Waits for a targeted operation's report rather than the shutdown's.
    var operation: Bool
}
