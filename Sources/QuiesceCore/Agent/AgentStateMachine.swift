/// The agent, without I/O: registration, the service's process from start order to final report, and
/// the stop escalation (stop signal, then SIGKILL when the timeout passes).
///
/// The runtime feeds it orders, the child's end, signals and timers, each with the current
/// ``Timestamp``, and performs the actions it returns. It numbers the messages it sends, so that the
/// coordinator's acknowledgement of its final report can be matched.
public struct AgentStateMachine: Sendable {
    /// What the agent can say to the coordinator.
    public enum Report: Hashable, Sendable {
        case register(AgentSnapshot)
        case heartbeat
        case started(pid: Int32)
        case ready
        case startFailed(String)
        /// A readiness check failed: before the first ready, each failure; after it, the failure that
        /// reached the threshold.
        case unready(String)
        /// The process ended on its own and will be started again after `delay` (restart `attempt`).
        case restarting(ExitStatus, attempt: Int, delay: Duration)
        /// The agent itself was asked to stop: the coordinator should stop the service, dependents first.
        case stopRequest
        case exited(ExitStatus)
        case stopped(StopOutcome)
    }

    public enum Timer: Hashable, Sendable {
        /// Repeat an unanswered registration.
        case registration
        case heartbeat
        /// The stop timeout: SIGKILL when it passes.
        case stopDeadline
        /// Repeat the unacknowledged final report.
        case reportRetry
        /// Stop waiting for the final report's acknowledgement and exit.
        case reportPatience
        /// Run the next readiness check.
        case probe
        /// Start the process again.
        case restart
        /// The drain is over: ask the process to stop.
        case drainEnd
        /// The coordinator did not order the stop the agent asked for: stop locally.
        case coordinatedStopFallback
        /// The coordinator has been silent too long: register again (the service keeps running).
        case coordinatorSilence
    }

    public enum Action: Equatable, Sendable {
        case send(Report, id: UInt64, replyTo: UInt64?)
        /// Start the service's process; answer with ``spawned(pid:now:)`` or ``spawnFailed(_:now:)``.
        case spawn
        /// Send a signal to the service's process group.
        case signal(Int32)
        /// Pass a signal the agent received on to the service's process (not its group).
        case forward(Int32)
        /// Run one readiness check, off the reactor; answer with ``probeFinished(error:now:)``.
        case runProbe(ReadinessProbe)
        /// Run the stop command, off the reactor, for at most `timeout`; answer with
        /// ``stopCommandFinished(error:now:)``.
        case runStopCommand(StopCommand, timeout: Duration)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        /// The agent's work is over: exit with this code.
        case exit(Int32)
    }

    /// How the agent behaves; see `quiesce agent --help`.
    public struct Settings: Sendable {
        public var stopSignal: Int32 = 15
        /// Asks the service to stop instead of the stop signal, which remains the fallback.
        public var stopCommand: StopCommand?
        public var localStopTimeout: Duration = .seconds(10)
        /// How long the agent, asked to stop by its own SIGTERM, waits for the coordinator to order the
        /// stop (after the service's dependents) before stopping locally. Zero stops locally at once.
        public var coordinatedStopTimeout: Duration = .seconds(10)
        public var registrationRetry: Duration = .seconds(1)
        public var reportRetry: Duration = .milliseconds(500)
        public var reportPatience: Duration = .seconds(5)
        /// The agent's own readiness probe; it wins over one the coordinator sends with the start order.
        public var readiness: ReadinessProbe?

        public init() {}
    }

    /// Exit codes besides the child's own status.
    public enum ExitCode {
        /// The coordinator refused the registration (unknown or duplicate name).
        public static let refused: Int32 = 78
        /// The service's command could not be started.
        public static let spawnFailed: Int32 = 127
    }

    private static let sigkill: Int32 = 9

    private enum Phase {
        /// Waiting for a start order.
        case idle
        /// The process could not be spawned; the reason was reported.
        case spawnFailed
        case running
        /// The process ended on its own with `status`; it is started again when `.restart` fires.
        case waitingToRestart(ExitStatus)
        /// A stop was ordered with a drain: reported not ready until `.drainEnd`, then stopped.
        case draining(order: UInt64, timeout: Duration)
        /// The stop (or kill) signal was sent. `order` is `nil` when the agent stops on its own signal.
        case stopping(order: UInt64?, killed: Bool, killOrdered: Bool)
        /// The final report is out, waiting for its acknowledgement; then the agent exits with
        /// `exitCode`, or, when it is `nil`, waits for a new start order.
        case reporting(Report, id: UInt64, replyTo: UInt64?, exitCode: Int32?)
        case exited
    }

    private let settings: Settings
    private var phase: Phase = .idle
    private var registered = false
    private var heartbeatInterval: Duration = .seconds(1)
    private var coordinatorLostAfter: Duration = .seconds(5)
    /// The epoch of the coordinator that welcomed this agent; orders from another are stale.
    public private(set) var epoch: UInt64 = 0
    private var pid: Int32 = 0
    private var lastExit: ExitStatus?
    private var nextID: UInt64 = 1
    /// The probe in use for the current process, and what it found.
    private var probe: ReadinessProbe?
    private var ready = false
    private var unready = false
    private var consecutiveFailures = 0
    /// The restart policy for the current process, and the restarts since it last ran long enough.
    private var restartPolicy: RestartPolicy?
    private var restarts = 0
    private var spawnedAt: Timestamp = .zero
    /// Whether the agent exits once the service has stopped (the latest stop order says).
    private var exitsAfterStop = true
    /// Whether the agent asked the coordinator for a coordinated stop and waits for the order.
    private var stopRequested = false
    /// Whether the agent itself received SIGTERM or SIGINT: its container is going away, so it exits
    /// once its service has stopped, whatever the orders say.
    private var signalled = false

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Begins: registers with the coordinator.
    public mutating func start(now: Timestamp) -> [Action] {
        register(now: now)
    }

    // MARK: The coordinator

    /// The coordinator accepted the registration. It declares agents lost after `lostAfter` of
    /// silence; the agent declares the coordinator lost after as long.
    public mutating func welcomed(
        heartbeatInterval: Duration, lostAfter: Duration = .seconds(5), epoch: UInt64 = 0, now: Timestamp
    ) -> [Action] {
        self.heartbeatInterval = heartbeatInterval
        coordinatorLostAfter = lostAfter
        self.epoch = epoch
        guard !registered else { return [] }
        registered = true
        return [
            .cancelTimer(.registration), .scheduleTimer(.heartbeat, at: now + heartbeatInterval),
            .scheduleTimer(.coordinatorSilence, at: now + lostAfter),
        ]
    }

    /// Whether a message stamped with `epoch` comes from the coordinator this agent registered with.
    /// Messages without an epoch (older peers) are accepted.
    public func accepts(epoch messageEpoch: UInt64?) -> Bool {
        messageEpoch.map { $0 == epoch } ?? true
    }

    /// Any message from the current coordinator: it is alive.
    public func heardFromCoordinator(now: Timestamp) -> [Action] {
        registered ? [.scheduleTimer(.coordinatorSilence, at: now + coordinatorLostAfter)] : []
    }

    /// What the agent tells a coordinator about its service.
    public var snapshot: AgentSnapshot {
        switch phase {
        case .idle, .spawnFailed: .idle
        case .running: ready && !unready ? .ready(pid: pid) : .starting(pid: pid)
        case .waitingToRestart: .starting(pid: pid)
        case .draining, .stopping: .stopping(pid: pid)
        case .reporting(.stopped, _, _, nil): .idle
        case .reporting, .exited: lastExit.map(AgentSnapshot.exited) ?? .idle
        }
    }

    /// The coordinator refused the registration: the agent ends, and its process with it.
    public mutating func refused(now: Timestamp) -> [Action] {
        let kill: [Action] = hasProcess ? [.signal(Self.sigkill)] : []
        phase = .exited
        return kill + [.exit(ExitCode.refused)]
    }

    /// The coordinator does not know this agent (it restarted): register again.
    public mutating func notRegistered(now: Timestamp) -> [Action] {
        registered = false
        return [.cancelTimer(.heartbeat), .cancelTimer(.coordinatorSilence)] + register(now: now)
    }

    /// - Parameters:
    ///   - readiness: the coordinator's probe for the service, used when the agent has none.
    ///   - restart: whether to start the process again when it ends on its own.
    public mutating func startOrdered(readiness: ReadinessProbe?, restart: RestartPolicy? = nil, now: Timestamp)
        -> [Action]
    {
        switch phase {
        case .idle:
            probe = settings.readiness ?? readiness
            restartPolicy = restart
            return [.spawn]
        case .running:
            return ready && !unready ? send(.ready) : []
        case .spawnFailed, .waitingToRestart, .draining, .stopping, .reporting, .exited:
            return []
        }
    }

    /// Report not ready for `drain`, then ask the process to stop; kill it `timeout` after that. With
    /// `exit`, the agent exits once the stop is acknowledged; without, it waits for a new start order.
    public mutating func stopOrdered(
        order: UInt64, timeout: Duration, drain: Duration = .zero, exit: Bool = true, now: Timestamp
    ) -> [Action] {
        // An order that is part of another service's stop says stay; a signalled agent leaves anyway.
        exitsAfterStop = exit || signalled
        let cancel = cancelStopRequest()
        return cancel + stopOrdered(order: order, timeout: timeout, drain: drain, now: now)
    }

    private mutating func stopOrdered(order: UInt64, timeout: Duration, drain: Duration, now: Timestamp) -> [Action] {
        switch phase {
        case .running where drain > .zero:
            phase = .draining(order: order, timeout: timeout)
            return [.cancelTimer(.probe), .scheduleTimer(.drainEnd, at: now + drain)]
        case .running:
            return [.cancelTimer(.probe)] + beginStop(order: order, timeout: timeout, now: now)
        case .draining(_, let timeout):
            phase = .draining(order: order, timeout: timeout)
            return []
        case .stopping(_, let killed, let killOrdered):
            phase = .stopping(order: order, killed: killed, killOrdered: killOrdered)
            return []
        default:
            return answerWithoutProcess(order: order, now: now)
        }
    }

    /// Kill now; `exit` as for ``stopOrdered(order:timeout:drain:exit:now:)``.
    public mutating func killOrdered(order: UInt64, exit: Bool = true, now: Timestamp) -> [Action] {
        exitsAfterStop = exit || signalled
        return cancelStopRequest() + kill(order: order, now: now)
    }

    private mutating func kill(order: UInt64, now: Timestamp) -> [Action] {
        switch phase {
        case .running:
            phase = .stopping(order: order, killed: true, killOrdered: true)
            return [.cancelTimer(.probe), .signal(Self.sigkill)]
        case .draining:
            phase = .stopping(order: order, killed: true, killOrdered: true)
            return [.cancelTimer(.drainEnd), .signal(Self.sigkill)]
        case .stopping(_, let killed, _):
            phase = .stopping(order: order, killed: true, killOrdered: true)
            return killed ? [] : [.cancelTimer(.stopDeadline), .signal(Self.sigkill)]
        default:
            return answerWithoutProcess(order: order, now: now)
        }
    }

    /// The coordinator acknowledged the message `replyTo`.
    public mutating func acknowledged(replyTo: UInt64?, now: Timestamp) -> [Action] {
        guard case .reporting(_, let id, _, let exitCode) = phase, replyTo == id else { return [] }
        return [.cancelTimer(.reportRetry), .cancelTimer(.reportPatience)] + reportDone(exitCode: exitCode)
    }

    // MARK: The process

    public mutating func spawned(pid: Int32, now: Timestamp) -> [Action] {
        switch phase {
        case .idle, .waitingToRestart: break
        default: return []
        }
        phase = .running
        spawnedAt = now
        self.pid = pid
        ready = false
        unready = false
        consecutiveFailures = 0
        guard let probe else {
            ready = true
            return send(.started(pid: pid)) + send(.ready)
        }
        return send(.started(pid: pid)) + [.scheduleTimer(.probe, at: now + probe.initialDelay)]
    }

    /// A readiness check ended: `error` is `nil` when it passed, otherwise why it failed.
    public mutating func probeFinished(error: String?, now: Timestamp) -> [Action] {
        guard case .running = phase, let probe else { return [] }
        let next: [Action] = [.scheduleTimer(.probe, at: now + probe.interval)]
        guard let error else {
            consecutiveFailures = 0
            guard !ready || unready else { return next }
            ready = true
            unready = false
            return send(.ready) + next
        }
        guard ready else { return send(.unready(error)) + next }
        consecutiveFailures += 1
        guard consecutiveFailures == probe.failureThreshold else { return next }
        unready = true
        return send(.unready(error)) + next
    }

    public mutating func spawnFailed(_ message: String, now: Timestamp) -> [Action] {
        switch phase {
        case .idle, .waitingToRestart: break
        default: return []
        }
        phase = .spawnFailed
        return send(.startFailed(message))
    }

    /// The service's process ended (it was reaped). Whatever it left in its group is killed.
    public mutating func processExited(_ status: ExitStatus, now: Timestamp) -> [Action] {
        lastExit = status
        switch phase {
        case .running:
            if now - spawnedAt >= RestartPolicy.resetAfter { restarts = 0 }
            if let policy = restartPolicy, policy.restarts(after: status, restarts: restarts) {
                restarts += 1
                let delay = policy.delay(forAttempt: restarts)
                phase = .waitingToRestart(status)
                return [.cancelTimer(.probe), .signal(Self.sigkill)]
                    + send(.restarting(status, attempt: restarts, delay: delay)) + [
                        .scheduleTimer(.restart, at: now + delay)
                    ]
            }
            return [.cancelTimer(.probe), .signal(Self.sigkill)]
                + report(.exited(status), replyTo: nil, exitCode: status.shellCode, now: now)
        case .draining(let order, _):
            return [.cancelTimer(.drainEnd), .signal(Self.sigkill)]
                + report(.stopped(.stopped(status)), replyTo: order, exitCode: afterStop(status), now: now)
        case .stopping(let order, let killed, let killOrdered):
            let outcome: StopOutcome =
                killOrdered
                ? .killed : (killed && status == .signalled(Self.sigkill) ? .killedAfterTimeout : .stopped(status))
            let message: Report = order == nil ? .exited(status) : .stopped(outcome)
            return [.cancelTimer(.stopDeadline), .signal(Self.sigkill)]
                + report(message, replyTo: order, exitCode: afterStop(status), now: now)
        case .idle, .spawnFailed, .waitingToRestart, .reporting, .exited:
            return []
        }
    }

    /// The agent itself received SIGTERM or SIGINT (docker stop): it asks the coordinator to stop the
    /// service after its dependents, and stops it locally if no order comes in time. A second signal
    /// stops it locally at once; one more kills it. A signal that finds an ordered stop under way
    /// hurries nothing: the agent exits once the service has stopped.
    public mutating func signalReceived(now: Timestamp) -> [Action] {
        // A stop under way because of an order is not hurried by the first signal, only by another.
        let again = signalled
        signalled = true
        switch phase {
        case .running where registered && !stopRequested && settings.coordinatedStopTimeout > .zero:
            stopRequested = true
            return send(.stopRequest) + [
                .scheduleTimer(.coordinatedStopFallback, at: now + settings.coordinatedStopTimeout)
            ]
        case .running:
            return cancelStopRequest() + [.cancelTimer(.probe)]
                + beginStop(order: nil, timeout: settings.localStopTimeout, now: now)
        case .draining(let order, _) where again:
            // Asked to stop again: the drain is cut short.
            return [.cancelTimer(.drainEnd)] + beginStop(order: order, timeout: settings.localStopTimeout, now: now)
        case .stopping(let order, false, let killOrdered) where again:
            phase = .stopping(order: order, killed: true, killOrdered: killOrdered)
            return [.cancelTimer(.stopDeadline), .signal(Self.sigkill)]
        case .idle:
            phase = .exited
            return [.exit(0)]
        case .spawnFailed:
            phase = .exited
            return [.exit(ExitCode.spawnFailed)]
        case .waitingToRestart(let status):
            return [.cancelTimer(.restart)]
                + report(.exited(status), replyTo: nil, exitCode: status.shellCode, now: now)
        case .draining, .stopping, .reporting, .exited:
            return []
        }
    }

    /// The coordinator would not run the stop the agent asked for: stop locally now.
    public mutating func stopRequestRefused(now: Timestamp) -> [Action] {
        guard stopRequested, case .running = phase else { return [] }
        return cancelStopRequest() + [.cancelTimer(.probe)]
            + beginStop(order: nil, timeout: settings.localStopTimeout, now: now)
    }

    /// The stop command ended: `error` is `nil` when it succeeded. On failure the stop signal is sent.
    public func stopCommandFinished(error: String?, now: Timestamp) -> [Action] {
        guard error != nil, case .stopping(_, false, _) = phase else { return [] }
        return [.signal(settings.stopSignal)]
    }

    /// The agent received a signal it passes on (SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH), as PID 1 does.
    public func signalToForward(_ signal: Int32) -> [Action] {
        hasProcess ? [.forward(signal)] : []
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch (timer, phase) {
        case (.registration, _) where !registered:
            return register(now: now)
        case (.heartbeat, _) where registered:
            return send(.heartbeat) + [.scheduleTimer(.heartbeat, at: now + heartbeatInterval)]
        case (.stopDeadline, .stopping(let order, false, let killOrdered)):
            phase = .stopping(order: order, killed: true, killOrdered: killOrdered)
            return [.signal(Self.sigkill)]
        case (.reportRetry, .reporting(let report, let id, let replyTo, _)):
            return [
                .send(report, id: id, replyTo: replyTo), .scheduleTimer(.reportRetry, at: now + settings.reportRetry),
            ]
        case (.probe, .running):
            return probe.map { [.runProbe($0)] } ?? []
        case (.restart, .waitingToRestart):
            return [.spawn]
        case (.drainEnd, .draining(let order, let timeout)):
            return beginStop(order: order, timeout: timeout, now: now)
        case (.reportPatience, .reporting(_, _, _, let exitCode)):
            return [.cancelTimer(.reportRetry)] + reportDone(exitCode: exitCode)
        case (.coordinatedStopFallback, .running) where stopRequested:
            return stopRequestRefused(now: now)
        case (.coordinatorSilence, _) where registered:
            // The service keeps running; a coordinator that comes back gets a snapshot of it.
            return notRegistered(now: now)
        default:
            return []
        }
    }

    /// Forgets a pending coordinated-stop request (an order came, or the agent stops on its own).
    private mutating func cancelStopRequest() -> [Action] {
        guard stopRequested else { return [] }
        stopRequested = false
        return [.cancelTimer(.coordinatedStopFallback)]
    }

    /// The agent's exit code after a stop, or `nil` when it stays to start the service again.
    private func afterStop(_ status: ExitStatus) -> Int32? {
        exitsAfterStop ? status.shellCode : nil
    }

    /// The final report was acknowledged or given up on: exit, or wait for a new start order.
    private mutating func reportDone(exitCode: Int32?) -> [Action] {
        guard let exitCode = exitCode ?? (signalled ? lastExit?.shellCode ?? 0 : nil) else {
            phase = .idle
            return []
        }
        phase = .exited
        return [.exit(exitCode)]
    }

    /// What `/healthz` and `/readyz` answer: whether the process lives, and whether the service is
    /// ready and not draining.
    public var health: (alive: Bool, ready: Bool) {
        switch phase {
        case .running: (true, ready && !unready)
        case .draining, .stopping: (true, false)
        case .idle, .spawnFailed, .waitingToRestart, .reporting, .exited: (false, false)
        }
    }

    /// Asks the process to stop (the stop command if there is one, else the stop signal) and kills it
    /// when `timeout` passes.
    private mutating func beginStop(order: UInt64?, timeout: Duration, now: Timestamp) -> [Action] {
        phase = .stopping(order: order, killed: false, killOrdered: false)
        let ask: Action =
            settings.stopCommand.map { .runStopCommand($0, timeout: timeout) } ?? .signal(settings.stopSignal)
        return [ask, .scheduleTimer(.stopDeadline, at: now + timeout)]
    }

    private var hasProcess: Bool {
        switch phase {
        case .running, .draining, .stopping: true
        case .idle, .spawnFailed, .waitingToRestart, .reporting, .exited: false
        }
    }

    /// A stop or kill order when there is no process to stop.
    private mutating func answerWithoutProcess(order: UInt64, now: Timestamp) -> [Action] {
        switch phase {
        case .idle:
            return report(.stopped(.notStarted), replyTo: order, exitCode: exitsAfterStop ? 0 : nil, now: now)
        case .spawnFailed:
            return report(
                .stopped(.notStarted), replyTo: order, exitCode: exitsAfterStop ? ExitCode.spawnFailed : nil, now: now)
        case .waitingToRestart(let status):
            return [.cancelTimer(.restart)]
                + report(.stopped(.alreadyExited(status)), replyTo: order, exitCode: afterStop(status), now: now)
        case .reporting(.exited(let status), _, _, _):
            // The process ended on its own before this order: that is the order's outcome.
            return report(.stopped(.alreadyExited(status)), replyTo: order, exitCode: afterStop(status), now: now)
        case .reporting(let report, let id, _, let exitCode):
            // A repeated order: the same outcome answers it.
            phase = .reporting(report, id: id, replyTo: order, exitCode: exitCode)
            return [.send(report, id: id, replyTo: order)]
        case .running, .draining, .stopping, .exited:
            return []
        }
    }

    private mutating func register(now: Timestamp) -> [Action] {
        send(.register(snapshot)) + [.scheduleTimer(.registration, at: now + settings.registrationRetry)]
    }

    /// Sends the final report and waits for its acknowledgement, repeating it meanwhile.
    private mutating func report(_ report: Report, replyTo: UInt64?, exitCode: Int32?, now: Timestamp) -> [Action] {
        let id = nextID
        nextID += 1
        phase = .reporting(report, id: id, replyTo: replyTo, exitCode: exitCode)
        return [
            .send(report, id: id, replyTo: replyTo),
            .scheduleTimer(.reportRetry, at: now + settings.reportRetry),
            .scheduleTimer(.reportPatience, at: now + settings.reportPatience),
        ]
    }

    private mutating func send(_ report: Report) -> [Action] {
        defer { nextID += 1 }
        return [.send(report, id: nextID, replyTo: nil)]
    }
}
