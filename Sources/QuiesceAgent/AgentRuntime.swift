import Foundation
import Logging
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The agent's I/O: registers with the coordinator, starts the service's process when ordered, stops
/// it when ordered (stop signal, then SIGKILL after the timeout), and reports. One thread (the
/// caller's, which must outlive the child: it is the child's parent-death anchor) owns the socket, the
/// child and the poll loop.
public final class AgentRuntime {
    private enum Phase {
        /// Waiting for a start order.
        case idle
        /// The process could not be spawned; the reason was reported.
        case spawnFailed
        case running(ChildProcess)
        /// Stop signal sent at `signalledAt`; SIGKILL at `killAt` unless it ends first.
        case stopping(ChildProcess, order: UInt64?, killAt: Timestamp, killed: Bool, killOrdered: Bool)
        /// The final report is out; waiting for its acknowledgement until `giveUpAt`.
        case reporting(Envelope, exitCode: Int32, giveUpAt: Timestamp)
        case done(exitCode: Int32)
    }

    private let options: AgentOptions
    private let logger: Logger
    private let clock = MonotonicClock()
    private var phase: Phase = .idle
    private var registered = false
    private var heartbeatInterval: Duration = .seconds(1)
    private var nextRegistration: Timestamp = .zero
    private var nextHeartbeat: Timestamp = .zero
    private var nextReportRetry: Timestamp = .zero
    private var nextMessageID: UInt64 = 1
    private var dealer: Socket!
    /// Messages dropped because they could not be decoded.
    public private(set) var droppedMessages = 0

    public init(options: AgentOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs until the service has been stopped and reported, and returns the agent's exit code.
    public func run() throws -> Int32 {
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT])
        let context = try Context()
        dealer = try Sockets.dealer(context: context, connect: options.coordinator)
        defer {
            dealer.close()
            context.terminate()
        }
        logger.info("Agent starting", metadata: ["service": "\(options.name)", "coordinator": "\(options.coordinator)"])
        while true {
            if case .done(let exitCode) = phase { return exitCode }
            tick()
            var items: [Poller.Item] = [.socket(dealer), .fileDescriptor(signals.fileDescriptor)]
            if let child = currentChild { items.append(.fileDescriptor(child.exitDescriptor)) }
            var poller = Poller(items)
            let readable = try poller.poll(timeoutMilliseconds: clock.pollTimeout(until: nextDeadline, limit: .seconds(1)))
            if readable[1] {
                for signal in signals.drain() { handleOwnSignal(signal) }
            }
            if readable[0] { try receiveAll() }
            if readable.count > 2, readable[2] { reapChild() }
        }
    }

    private var currentChild: ChildProcess? {
        switch phase {
        case .running(let child), .stopping(let child, _, _, _, _): child
        case .idle, .spawnFailed, .reporting, .done: nil
        }
    }

    private var nextDeadline: Timestamp? {
        var deadlines = [registered ? nextHeartbeat : nextRegistration]
        switch phase {
        case .stopping(_, _, let killAt, false, _): deadlines.append(killAt)
        case .reporting(_, _, let giveUpAt): deadlines += [nextReportRetry, giveUpAt]
        default: break
        }
        return deadlines.min()
    }

    /// Time-driven work: registration retries, heartbeats, the kill deadline, report retransmission.
    private func tick() {
        let now = clock.now
        if !registered, now >= nextRegistration {
            nextRegistration = now + options.registrationRetry
            send(.register(service: options.name, host: ProcessInfo.processInfo.hostName, agentPID: getpid()))
        }
        if registered, now >= nextHeartbeat {
            nextHeartbeat = now + heartbeatInterval
            send(.heartbeat)
        }
        switch phase {
        case .stopping(let child, let order, let killAt, false, let killOrdered) where now >= killAt:
            logger.warning("Stop timeout passed; killing the process group", metadata: ["pid": "\(child.pid)"])
            child.signalGroup(SIGKILL)
            phase = .stopping(child, order: order, killAt: killAt, killed: true, killOrdered: killOrdered)
        case .reporting(let report, let exitCode, let giveUpAt):
            if now >= giveUpAt {
                logger.warning("Final report not acknowledged; exiting anyway", metadata: ["service": "\(options.name)"])
                phase = .done(exitCode: exitCode)
            } else if now >= nextReportRetry {
                nextReportRetry = now + options.reportRetry
                resend(report)
            }
        default:
            break
        }
    }

    private func receiveAll() throws {
        while let received = try dealer.receive(maxFrames: WireCodec.maximumFrames + 1) {
            do throws(WireError) {
                if received.truncated { throw .wrongFrameCount(received.frames.count) }
                handle(try WireCodec.decode(received.frames))
            } catch {
                droppedMessages += 1
                logger.warning("Dropped a malformed message", metadata: ["reason": "\(error)", "dropped": "\(droppedMessages)"])
            }
        }
    }

    private func handle(_ envelope: Envelope) {
        switch envelope.message {
        case .welcome(let interval):
            if !registered { logger.info("Registered with the coordinator", metadata: ["service": "\(options.name)"]) }
            registered = true
            heartbeatInterval = interval
        case .refused(let reason):
            logger.error("The coordinator refused this agent", metadata: ["service": "\(options.name)", "reason": "\(reason)"])
            currentChild?.signalGroup(SIGKILL)
            phase = .done(exitCode: AgentExitCode.refused)
        case .error(let text) where text == "not registered":
            registered = false
            nextRegistration = clock.now
        case .start:
            start()
        case .stop(let timeout):
            stop(order: envelope.id, timeout: timeout, kill: false)
        case .kill:
            stop(order: envelope.id, timeout: .zero, kill: true)
        case .ack:
            if case .reporting(let report, let exitCode, _) = phase, envelope.replyTo == report.id {
                phase = .done(exitCode: exitCode)
            }
        case .heartbeat:
            break
        default:
            droppedMessages += 1
            logger.warning("Dropped an unexpected message", metadata: ["type": "\(envelope.message.type)"])
        }
    }

    private func start() {
        switch phase {
        case .idle:
            do {
                let child = try ChildProcess.spawn(options.command)
                phase = .running(child)
                logger.info("Service started", metadata: ["service": "\(options.name)", "pid": "\(child.pid)"])
                send(.started(pid: child.pid))
                send(.ready)
            } catch {
                logger.error("Service could not be started", metadata: ["service": "\(options.name)", "error": "\(error)"])
                phase = .spawnFailed
                send(.startFailed(reason: error.description))
            }
        case .running:
            send(.ready)
        case .spawnFailed, .stopping, .reporting, .done:
            break
        }
    }

    private func stop(order: UInt64, timeout: Duration, kill: Bool) {
        switch phase {
        case .idle:
            report(.stopped(.notStarted), replyTo: order, exitCode: 0)
        case .spawnFailed:
            report(.stopped(.notStarted), replyTo: order, exitCode: AgentExitCode.spawnFailed)
        case .running(let child):
            child.signalGroup(kill ? SIGKILL : options.stopSignal)
            logger.info(
                kill ? "Kill ordered" : "Stop ordered",
                metadata: ["service": "\(options.name)", "signal": "\(SignalName.name(of: kill ? SIGKILL : options.stopSignal))"])
            phase = .stopping(child, order: order, killAt: clock.now + timeout, killed: kill, killOrdered: kill)
        case .stopping(let child, _, let killAt, let killed, let killOrdered):
            if kill && !killed { child.signalGroup(SIGKILL) }
            phase = .stopping(child, order: order, killAt: killAt, killed: killed || kill, killOrdered: killOrdered || kill)
        case .reporting(let report, let exitCode, _):
            if case .exited(let status) = report.message {
                // The process ended on its own before this order: that is the order's outcome.
                self.report(.stopped(.alreadyExited(status)), replyTo: order, exitCode: exitCode)
            } else {
                // A repeated order: answer with the same outcome.
                resend(Envelope(id: report.id, replyTo: order, message: report.message))
            }
        case .done:
            break
        }
    }

    private func reapChild() {
        guard let child = currentChild, let status = child.reap() else { return }
        // Whatever the child left in its group goes with it.
        child.signalGroup(SIGKILL)
        switch phase {
        case .stopping(_, let order, _, let killed, let killOrdered):
            let outcome: StopOutcome =
                killOrdered ? .killed : (killed && status == .signalled(SIGKILL) ? .killedAfterTimeout : .stopped(status))
            logger.info("Service stopped", metadata: ["service": "\(options.name)", "outcome": "\(outcome)"])
            let message: Message = order == nil ? .exited(status) : .stopped(outcome)
            report(message, replyTo: order, exitCode: status.shellCode)
        default:
            logger.warning("Service process ended on its own", metadata: ["service": "\(options.name)", "status": "\(status)"])
            report(.exited(status), replyTo: nil, exitCode: status.shellCode)
        }
    }

    /// The agent itself got SIGTERM/SIGINT (docker stop): stop the service locally and report it.
    private func handleOwnSignal(_ signal: Int32) {
        logger.notice("Signal received", metadata: ["signal": "\(SignalName.name(of: signal))"])
        switch phase {
        case .running(let child):
            child.signalGroup(options.stopSignal)
            phase = .stopping(child, order: nil, killAt: clock.now + options.localStopTimeout, killed: false, killOrdered: false)
        case .idle, .spawnFailed:
            phase = .done(exitCode: 0)
        case .stopping(let child, let order, let killAt, false, let killOrdered):
            // A second signal: do not wait for the timeout.
            child.signalGroup(SIGKILL)
            phase = .stopping(child, order: order, killAt: killAt, killed: true, killOrdered: killOrdered)
        case .stopping, .reporting, .done:
            break
        }
    }

    private func report(_ message: Message, replyTo: UInt64?, exitCode: Int32) {
        let envelope = Envelope(id: nextMessageID, replyTo: replyTo, message: message)
        nextMessageID += 1
        phase = .reporting(envelope, exitCode: exitCode, giveUpAt: clock.now + options.reportPatience)
        nextReportRetry = clock.now + options.reportRetry
        resend(envelope)
    }

    private func resend(_ envelope: Envelope) {
        _ = try? dealer.send(WireCodec.encode(envelope))
    }

    private func send(_ message: Message) {
        resend(Envelope(id: nextMessageID, message: message))
        nextMessageID += 1
    }
}
