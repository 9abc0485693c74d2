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
/// parent-death anchor) owns the socket to the coordinator (a ``CoordinatorConnection``), the child
/// process and the poll loop, feeds the ``AgentStateMachine`` and performs what it returns.
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
    private var connection: CoordinatorConnection!
    /// The messages dropped so far (malformed, stale or unexpected), counted in the log.
    private var droppedMessages = 0
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
        connection = try CoordinatorConnection(
            context: context, endpoint: options.coordinator, curve: options.curve, logger: logger)
        defer {
            connection.close()
            context.terminate()
        }
        logger.info(
            "Agent starting", metadata: ["service": "\(options.name)", "coordinator": "\(options.coordinator)"])
        if let health = options.health {
            let connectionLimit = OpenFileLimit.current.connectionAllowance(ceiling: HealthEndpoint.connectionCeiling)
            healthEndpoint = HealthEndpoint(
                host: health.host, port: health.port, connectionLimit: connectionLimit, logger: logger)
        }
        perform(machine.start(now: clock.now))
        while exitCode == nil {
            var items: [(PollItem, Poller<PollItem>.Item)] = [
                (.dealer, .socket(connection.dealer)), (.connectionEvents, .socket(connection.events)),
                (.signals, .fileDescriptor(signals.fileDescriptor)),
                (.backgroundResults, .fileDescriptor(background.results.fileDescriptor)),
                (.forwardedSignals, .fileDescriptor(forwarded.fileDescriptor)),
            ]
            if let child, child.isRunning { items.append((.childExit, .fileDescriptor(child.exitDescriptor))) }
            var poller = Poller(items)
            let readable = try poller.poll(
                timeoutMilliseconds: clock.pollTimeout(
                    until: [timers.nextDeadline, connection.deadline].compactMap { $0 }.min(), limit: .seconds(1)))
            if readable[.signals] {
                for signal in signals.drain() {
                    logger.notice("Signal received", metadata: ["signal": "\(SignalName.name(of: signal))"])
                    perform(machine.signalReceived(now: clock.now))
                }
            }
            if readable[.backgroundResults] {
                for result in background.results.drain() { handle(result) }
            }
            if readable[.forwardedSignals] {
                for signal in forwarded.drain() { perform(machine.signalToForward(signal)) }
            }
            if readable[.dealer] { try receiveAll() }
            if readable[.connectionEvents], try connection.readEvents(now: clock.now) {
                perform(machine.connectedToCoordinator(now: clock.now))
            }
            if readable[.childExit], let child, let status = reaper.reap(child) {
                logger.info("Service process ended", metadata: ["service": "\(options.name)", "status": "\(status)"])
                perform(machine.processExited(status, now: clock.now))
            }
            for timer in timers.popExpired(now: clock.now) {
                log(timer)
                perform(machine.timerFired(timer, now: clock.now))
            }
            connection.reconnectIfDue(now: clock.now)
            reaper.reapOrphans()
        }
        return exitCode!
    }

    private func receiveAll() throws {
        while let received = try connection.dealer.receive(maxFrames: WireCodec.maximumFrames + 1) {
            do throws(WireError) {
                if received.truncated { throw .wrongFrameCount(received.frames.count) }
                handle(try WireCodec.decode(received.frames))
            } catch {
                droppedMessages += 1
                logger.warning(
                    "Dropped a malformed message", metadata: ["reason": "\(error)", "dropped": "\(droppedMessages)"])
            }
        }
    }

    private func handle(_ envelope: Envelope) {
        let now = clock.now
        switch envelope.message {
        case .welcome:
            guard !isFromEarlierCoordinator(envelope, epoch: envelope.epoch ?? 0) else { return }
        case .refused, .error:
            guard !isFromEarlierCoordinator(envelope, epoch: envelope.epoch) else { return }
        default:
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
            perform(machine.stopOrdered(order: envelope.id, timeout: timeout, drain: drain, exit: exit, now: now))
        case .kill(let exit):
            logger.info("Kill ordered", metadata: ["service": "\(options.name)"])
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
        defer {
            let health = machine.health
            healthEndpoint?.update(alive: health.alive, ready: health.ready)
        }
        for action in actions {
            switch action {
            case .send(let outgoing, let id, let replyTo):
                let epoch = machine.epoch > 0 ? machine.epoch : nil
                _ = try? connection.dealer.send(
                    WireCodec.encode(Envelope(id: id, replyTo: replyTo, epoch: epoch, message: message(for: outgoing))))
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
    /// The DEALER socket to the coordinator.
    case dealer
    /// Its handshakes, from its monitor.
    case connectionEvents
    /// SIGTERM and SIGINT: a stop of the service.
    case signals
    /// Results of checks and stop commands run off the loop.
    case backgroundResults
    /// Signals passed on to the service.
    case forwardedSignals
    /// The service's pidfd, while it runs.
    case childExit
}
