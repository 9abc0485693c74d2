import CQuiesceSystem
import Logging
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's I/O: one thread (the caller's, which must outlive the child: it is the child's
/// parent-death anchor) owns the sockets to the coordinators (a ``CoordinatorConnection`` each), the
/// child process and the poll loop, feeds the ``AgentStateMachine`` and performs what it returns.
/// Which coordinator's messages reach the machine, and where its own go, ``LeaderFollowing`` decides.
public final class AgentRuntime {
    private let options: AgentOptions
    private let logger: Logger
    private let clock = MonotonicClock()
    private var machine: AgentStateMachine
    private var timers = TimerSet<AgentStateMachine.Timer>()
    private var child: ChildProcess?
    private let reaper = Reaper()
    private lazy var background = BackgroundRunner(reaper: reaper)
    private var healthEndpoint: HealthEndpoint?
    private var exitCode: Int32?
    /// One per endpoint, in the order of ``AgentOptions/coordinators``.
    private var connections: [CoordinatorConnection] = []
    /// Which of them the agent obeys.
    private var following: LeaderFollowing
    /// Messages dropped because their coordinator does not lead for this agent: logged once per
    /// coordinator and type, then at most every 10 s.
    private var notLeaderLog = LogThrottle(interval: .seconds(10))
    /// The messages dropped so far (malformed, stale or unexpected), counted in the log.
    private var droppedMessages = 0
    /// What `/metrics` shows, published with the health answers.
    private var metrics = AgentMetrics()
    /// When the stop under way was ordered or signalled, for its duration in ``metrics``.
    private var stopBegan: Timestamp?
    /// Whether a start order's readiness check has been refused already: it is logged once.
    private var loggedProbeRefusal = false
    /// The epoch of the earlier coordinator whose messages were last ignored: each is logged once in a row.
    private var lastIgnoredEpoch: UInt64?
    /// Whether the pages only the agent's start touched have been released (``releaseStartupPages()``).
    private var releasedStartupPages = false

    /// The coordinator counts as authenticated exactly when the connection is CURVE with its key.
    public init(options: AgentOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        var settings = options.settings
        settings.coordinatorTrust = options.curve == nil ? .unauthenticated : .authenticated
        self.machine = AgentStateMachine(settings: settings)
        self.following = LeaderFollowing(
            connections: options.coordinators.count, registrationRetry: settings.registrationRetry)
    }

    /// Runs until the service has been stopped and reported, and returns the agent's exit code.
    public func run() throws -> Int32 {
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT])
        let forwarded = SignalWatcher(signals: [SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH])
        let inheritedLimit = raiseOpenFileLimit()
        logger.debug(
            "Open file limit",
            metadata: ["inherited": "\(inheritedLimit.soft)", "now": "\(OpenFileLimit.current.soft)"])
        let context = try Context()
        defer {
            for connection in connections { connection.close() }
            context.terminate()
        }
        for (index, endpoint) in options.coordinators.enumerated() {
            connections.append(
                try CoordinatorConnection(
                    context: context, endpoint: endpoint, index: index,
                    curve: options.credentials(ofCoordinator: index), logger: logger))
        }
        logger.info(
            "Agent starting",
            metadata: [
                "service": "\(options.name)", "coordinator": "\(options.coordinators.joined(separator: ","))",
            ])
        if let health = options.health {
            let connectionLimit = OpenFileLimit.current.connectionAllowance(ceiling: HealthEndpoint.connectionCeiling)
            healthEndpoint = try HealthEndpoint(host: health.host, port: health.port, connectionLimit: connectionLimit)
        }
        perform(machine.start(now: clock.now))
        while exitCode == nil {
            var items: [(PollItem, Poller<PollItem>.Item)] = [
                (.signals, .fileDescriptor(signals.fileDescriptor)),
                (.backgroundResults, .fileDescriptor(background.results.fileDescriptor)),
                (.forwardedSignals, .fileDescriptor(forwarded.fileDescriptor)),
            ]
            for (index, connection) in connections.enumerated() {
                items.append((.dealer(index), .socket(connection.dealer)))
                items.append((.connectionEvents(index), .socket(connection.events)))
            }
            if let child, child.isRunning { items.append((.childExit, .fileDescriptor(child.exitDescriptor))) }
            var poller = Poller(items)
            let deadlines = [timers.nextDeadline, following.deadline] + connections.map(\.deadline)
            let readable = try poller.poll(
                timeoutMilliseconds: clock.pollTimeout(until: deadlines.compactMap { $0 }.min(), limit: .seconds(1)))
            if readable[.signals] {
                for signal in signals.drain() {
                    logger.notice("Signal received", metadata: ["signal": "\(SignalName.name(of: signal))"])
                    stopBegan = stopBegan ?? clock.now
                    perform(machine.signalReceived(now: clock.now))
                }
            }
            if readable[.backgroundResults] {
                for result in background.results.drain() { handle(result) }
            }
            if readable[.forwardedSignals] {
                for signal in forwarded.drain() { perform(machine.signalToForward(signal)) }
            }
            for (index, connection) in connections.enumerated() {
                if readable[.dealer(index)] { try receiveAll(from: index) }
                if readable[.connectionEvents(index)], try connection.readEvents(now: clock.now) {
                    let action = following.connected(on: index)
                    if action == .deliver {
                        perform(machine.connectedToCoordinator(now: clock.now))
                    } else {
                        perform(action, from: index, envelope: nil)
                    }
                }
            }
            if readable[.childExit], let child, let status = reaper.reap(child) {
                logger.info("Service process ended", metadata: ["service": "\(options.name)", "status": "\(status)"])
                perform(machine.processExited(status, now: clock.now))
            }
            for timer in timers.popExpired(now: clock.now) {
                log(timer)
                if timer == .coordinatorSilence { following.coordinatorLost() }
                perform(machine.timerFired(timer, now: clock.now))
            }
            perform(following.timerFired(now: clock.now), from: following.destination, envelope: nil)
            for connection in connections { connection.reconnectIfDue(now: clock.now) }
            reaper.reapOrphans()
        }
        return exitCode!
    }

    private func receiveAll(from index: Int) throws {
        while let received = try connections[index].dealer.receive(maxFrames: WireCodec.maximumFrames + 1) {
            do throws(WireError) {
                if received.truncated { throw .wrongFrameCount(received.frames.count) }
                handle(try WireCodec.decode(received.frames), from: index)
            } catch {
                droppedMessages += 1
                logger.warning(
                    "Dropped a malformed message", metadata: ["reason": "\(error)", "dropped": "\(droppedMessages)"])
            }
        }
    }

    /// A message from the coordinator at `index`: ``LeaderFollowing`` first decides whether the
    /// machine hears it.
    private func handle(_ envelope: Envelope, from index: Int) {
        let now = clock.now
        var newLeader = false
        switch envelope.message {
        case .welcome:
            let epoch = envelope.epoch ?? 0
            let isEarlier = isFromEarlierCoordinator(envelope, epoch: epoch)
            let action = following.welcomed(on: index, epoch: epoch, isEarlier: isEarlier, now: now)
            switch action {
            case .deliver:
                break
            case .follow(let leader, let epoch):
                newLeader = true
                logLeader(leader, epoch: epoch)
            default:
                if !isEarlier { perform(action, from: index, envelope: envelope) }
                return
            }
        case .standby(let leader, let leaderEpoch):
            let action = following.standby(on: index, now: now)
            if action == .leaderLost {
                logger.warning(
                    "The coordinator at \(connections[index].endpoint) stood down; registering again, the service keeps running",
                    metadata: [
                        "service": "\(options.name)", "leader": "\(leader ?? "unknown")",
                        "leader_epoch": "\(leaderEpoch.map(String.init) ?? "unknown")",
                    ])
            }
            perform(action, from: index, envelope: envelope)
            return
        case .refused:
            let isEarlier = isFromEarlierCoordinator(envelope, epoch: envelope.epoch)
            let action = following.refused(on: index, epoch: envelope.epoch, isEarlier: isEarlier)
            guard action == .deliver else {
                if !isEarlier { perform(action, from: index, envelope: envelope) }
                return
            }
        case .error(let text) where text == "not registered":
            let isEarlier = isFromEarlierCoordinator(envelope, epoch: envelope.epoch)
            let action = following.notRegistered(on: index, isEarlier: isEarlier, now: now)
            guard action == .deliver else {
                if !isEarlier { perform(action, from: index, envelope: envelope) }
                return
            }
        case .error:
            guard following.received(on: index) == .deliver else {
                perform(.drop, from: index, envelope: envelope)
                return
            }
            guard !isFromEarlierCoordinator(envelope, epoch: envelope.epoch) else { return }
        default:
            guard following.received(on: index) == .deliver else {
                perform(.drop, from: index, envelope: envelope)
                return
            }
            guard machine.accepts(epoch: envelope.epoch) else {
                droppedMessages += 1
                logger.warning(
                    "Dropped a message from an earlier coordinator",
                    metadata: [
                        "type": "\(envelope.message.type)", "epoch": "\(envelope.epoch ?? 0)",
                        "dropped": "\(droppedMessages)",
                    ])
                return
            }
            perform(machine.heardFromCoordinator(now: now))
        }
        switch envelope.message {
        case .welcome(let interval, let lostAfter):
            logger.info(
                "Registered with the coordinator",
                metadata: ["service": "\(options.name)", "epoch": "\(envelope.epoch ?? 0)"])
            perform(
                machine.welcomed(
                    heartbeatInterval: interval, lostAfter: lostAfter, epoch: envelope.epoch ?? 0, now: now))
            if newLeader {
                perform(machine.heardFromCoordinator(now: now))
                perform(machine.leaderChanged(now: now))
            }
        case .refused(let reason):
            logger.error(
                "The coordinator refused this agent", metadata: ["service": "\(options.name)", "reason": "\(reason)"])
            perform(machine.refused(now: now))
        case .error(let text) where text == "not registered":
            perform(machine.notRegistered(now: now))
        case .error(let text):
            logger.warning(
                "The coordinator will not stop the service; stopping it locally", metadata: ["reason": "\(text)"])
            perform(machine.stopRequestRefused(now: now))
        case .start(let readiness, let restart):
            if let refusal = machine.refusal(ofStartWith: readiness), !loggedProbeRefusal {
                loggedProbeRefusal = true
                logger.error(
                    "Refused a start order's readiness check: \(refusal)",
                    metadata: ["service": "\(options.name)", "check": "\(refusal.kind)"])
            }
            perform(machine.startOrdered(readiness: readiness, restart: restart, now: now))
        case .stop(let timeout, let drain, let exit):
            logger.info(
                "Stop ordered",
                metadata: [
                    "service": "\(options.name)", "timeout": "\(timeout.configurationText)",
                    "drain": "\(drain.configurationText)",
                ])
            stopBegan = stopBegan ?? now
            perform(machine.stopOrdered(order: envelope.id, timeout: timeout, drain: drain, exit: exit, now: now))
        case .kill(let exit):
            logger.info("Kill ordered", metadata: ["service": "\(options.name)"])
            stopBegan = stopBegan ?? now
            perform(machine.killOrdered(order: envelope.id, exit: exit, now: now))
        case .ack:
            perform(machine.acknowledged(replyTo: envelope.replyTo, now: now))
        case .heartbeat:
            perform(machine.coordinatorHeartbeat(envelope.id, now: now))
        default:
            droppedMessages += 1
            logger.warning(
                "Dropped an unexpected message",
                metadata: ["type": "\(envelope.message.type)", "dropped": "\(droppedMessages)"])
        }
    }

    /// Whether `envelope`, stamped `epoch`, comes from a coordinator earlier than the one that welcomed
    /// this agent; if so it is dropped, and logged the first time in a row for its epoch.
    private func isFromEarlierCoordinator(_ envelope: Envelope, epoch: UInt64?) -> Bool {
        guard let epoch, machine.isEarlier(epoch: epoch) else { return false }
        droppedMessages += 1
        if lastIgnoredEpoch != epoch {
            lastIgnoredEpoch = epoch
            logger.warning(
                "Ignored a message from a coordinator whose epoch is lower than the one that welcomed this agent (--accept-lower-epoch obeys it)",
                metadata: [
                    "service": "\(options.name)", "type": "\(envelope.message.type)", "epoch": "\(epoch)",
                    "welcomed epoch": "\(machine.epoch)", "dropped": "\(droppedMessages)",
                ])
        }
        return true
    }

    /// Performs what ``LeaderFollowing`` decided about `envelope` (or an event without one) of the
    /// coordinator at `index`, when the machine does not hear it: `deliver` and `follow` are the
    /// caller's.
    private func perform(_ action: LeaderFollowing.Action, from index: Int, envelope: Envelope?) {
        switch action {
        case .deliver, .follow, .none:
            break
        case .drop:
            droppedMessages += 1
            let endpoint = connections[index].endpoint
            let type = envelope?.message.type ?? "event"
            guard let unlogged = notLeaderLog.record("\(index) \(type)", now: clock.now) else { return }
            logger.warning(
                "Dropped a message from the coordinator at \(endpoint), which does not lead for this agent",
                metadata: [
                    "service": "\(options.name)", "type": "\(type)", "epoch": "\(envelope?.epoch ?? 0)",
                    "leader": "\(following.leader.map { connections[$0.connection].endpoint } ?? "none")",
                    "dropped": "\(droppedMessages)", "unlogged_since_last": "\(unlogged)",
                ])
        case .leaderLost:
            perform(machine.notRegistered(now: clock.now))
        case .register(let targets):
            for target in targets {
                guard case .send(let outgoing, let id, let replyTo) = machine.registrationForAnotherCoordinator()
                else { continue }
                send(outgoing, id: id, replyTo: replyTo, on: target)
            }
        }
    }

    /// Says which coordinator now leads for this agent, when it has several.
    private func logLeader(_ leader: Int, epoch: UInt64) {
        guard connections.count > 1 else { return }
        logger.notice(
            "The coordinator at \(connections[leader].endpoint) leads for this agent",
            metadata: [
                "service": "\(options.name)", "coordinator": "\(connections[leader].endpoint)", "epoch": "\(epoch)",
            ])
    }

    /// Sends `outgoing` on the connection `index`, stamped with the epoch of the agent's last welcome.
    private func send(_ outgoing: AgentStateMachine.OutgoingMessage, id: UInt64, replyTo: UInt64?, on index: Int) {
        let epoch = machine.epoch > 0 ? machine.epoch : nil
        _ = try? connections[index].dealer.send(
            WireCodec.encode(Envelope(id: id, replyTo: replyTo, epoch: epoch, message: message(for: outgoing))))
    }

    /// The timers whose firing is news to the operator.
    private func log(_ timer: AgentStateMachine.Timer) {
        switch timer {
        case .reportPatience:
            logger.warning(
                "The coordinator did not acknowledge the final report in time; going on without it",
                metadata: ["service": "\(options.name)"])
        case .coordinatedStopFallback:
            logger.warning(
                "The coordinator did not order the stop in time; stopping the service locally",
                metadata: ["service": "\(options.name)"])
        case .coordinatorSilence:
            logger.warning(
                "The coordinator is silent; registering again, the service keeps running",
                metadata: ["service": "\(options.name)"])
        case .stopDeadline:
            logger.warning(
                "The stop timeout passed; killing the service's process group", metadata: ["service": "\(options.name)"]
            )
        case .registration, .heartbeat, .reportRetry, .probe, .restart, .drainEnd:
            break
        }
    }

    private func handle(_ result: BackgroundRunner.Result) {
        switch result {
        case .probe(let error):
            metrics.readinessChecks += 1
            if error != nil { metrics.failedReadinessChecks += 1 }
            if let error {
                logger.debug("Readiness check failed", metadata: ["service": "\(options.name)", "error": "\(error)"])
            }
            perform(machine.probeFinished(error: error, now: clock.now))
        case .stopCommand(let error):
            if let error {
                logger.warning(
                    "The stop command failed; sending the stop signal",
                    metadata: ["service": "\(options.name)", "error": "\(error)"])
            }
            perform(machine.stopCommandFinished(error: error, now: clock.now))
        }
    }

    private func perform(_ actions: [AgentStateMachine.Action]) {
        defer { publishHealth() }
        for action in actions {
            switch action {
            case .send(let outgoing, let id, let replyTo):
                count(outgoing)
                // The machine registers only while no coordinator leads for it: with every one.
                if case .register = outgoing {
                    for index in connections.indices { send(outgoing, id: id, replyTo: replyTo, on: index) }
                } else {
                    send(outgoing, id: id, replyTo: replyTo, on: following.destination)
                }
                if case .heartbeat = outgoing, machine.health.ready { releaseStartupPages() }
            case .spawn:
                spawn()
            case .signal(let signal):
                child?.signalGroup(signal)
            case .forward(let signal):
                if let child { kill(child.pid, signal) }
            case .runProbe(let probe):
                background.run(probe)
            case .runStopCommand(let command, let timeout):
                logger.info(
                    "Running the stop command", metadata: ["service": "\(options.name)", "command": "\(command)"])
                background.run(command, timeout: timeout)
            case .scheduleTimer(let timer, let deadline):
                timers.schedule(timer, at: deadline)
            case .cancelTimer(let timer):
                timers.cancel(timer)
            case .exit(let code):
                logger.info("Agent exiting", metadata: ["service": "\(options.name)", "exit_code": "\(code)"])
                exitCode = code
            }
        }
    }

    /// Counts in ``metrics`` what `outgoing` tells: a restart, the end of a stop.
    private func count(_ outgoing: AgentStateMachine.OutgoingMessage) {
        switch outgoing {
        case .restarting: metrics.restarts += 1
        case .stopped(let outcome):
            // A report sent again until acknowledged ends no other stop.
            guard let began = stopBegan else { return }
            metrics.lastStop = AgentMetrics.Stop(seconds: (clock.now - began).seconds, outcome: outcome.code)
            stopBegan = nil
        default: break
        }
    }

    /// Publishes what `/healthz`, `/readyz` and `/metrics` answer.
    private func publishHealth() {
        guard let healthEndpoint else { return }
        let health = machine.health
        metrics.state = machine.serviceState
        metrics.droppedMessages = droppedMessages
        healthEndpoint.update(
            HealthAnswers.State(alive: health.alive, ready: health.ready, service: options.name, metrics: metrics))
    }

    /// Once, at the first heartbeat after its service is ready: drops from the agent's resident memory
    /// the code and read-only data of the binary and its libraries that its start touched (argument
    /// parsing, the runtime's first scans of its metadata, the registration), mapped with their
    /// neighbours by the kernel's fault-around. They stay in the page cache, shared by every process
    /// that maps the same files, and what the agent uses from then on is mapped back at its next touch.
    private func releaseStartupPages() {
        guard !releasedStartupPages else { return }
        releasedStartupPages = true
        let released = quiesce_release_read_only_file_pages()
        logger.debug("Released the start's file pages", metadata: ["kilobytes": "\(released / 1024)"])
    }

    /// The wire form of what the agent says.
    private func message(for outgoing: AgentStateMachine.OutgoingMessage) -> Message {
        switch outgoing {
        case .register(let snapshot):
            .register(
                service: options.name, host: ProcessInfo.processInfo.hostName, agentPID: getpid(), snapshot: snapshot,
                instance: options.instance)
        case .heartbeat: .heartbeat
        case .started(let pid): .started(pid: pid)
        case .ready: .ready
        case .startFailed(let reason): .startFailed(reason: reason)
        case .unready(let reason): .unready(reason: reason)
        case .restarting(let status, let attempt, let delay): .restarting(status, attempt: attempt, delay: delay)
        case .stopRequest: .stopRequest
        case .exited(let status): .exited(status)
        case .stopped(let outcome): .stopped(outcome)
        }
    }

    private func spawn() {
        do {
            let process = try reaper.spawn(options.command)
            child = process
            logger.info("Service started", metadata: ["service": "\(options.name)", "pid": "\(process.pid)"])
            perform(machine.spawned(pid: process.pid, now: clock.now))
        } catch {
            logger.error("Service could not be started", metadata: ["service": "\(options.name)", "error": "\(error)"])
            perform(machine.spawnFailed(error.description, now: clock.now))
        }
    }
}

/// What the agent's loop waits on.
private enum PollItem: Hashable {
    /// The DEALER socket to the coordinator at this position of the agent's list.
    case dealer(Int)
    /// Its handshakes, from its monitor.
    case connectionEvents(Int)
    /// SIGTERM and SIGINT: a stop of the service.
    case signals
    /// Results of checks and stop commands run off the loop.
    case backgroundResults
    /// Signals passed on to the service.
    case forwardedSignals
    /// The service's pidfd, while it runs.
    case childExit
}
