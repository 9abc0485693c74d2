/// The agent, without I/O: registration, the service's process from start order to final report, and
/// the stop escalation (stop signal, then SIGKILL when the timeout passes).
///
/// The runtime feeds it orders, the child's end, signals and timers, each with the current
/// ``Timestamp``, and performs the actions it returns. It numbers the messages it sends, so that the
/// coordinator's acknowledgement of its final report can be matched.
///
/// Three things change independently, each held in a state of its own: the service's process
/// (`State`), the registration with the coordinator (`Registration`), and the agent's own
/// SIGTERM or SIGINT (`OwnSignal`), which outlasts any one process. Their parts are in `+States`; the
/// messages and actions it returns in `+Actions`.
public struct AgentStateMachine: Sendable {
    /// Where the service's process is, from the start order to the final report; each case carries
    /// what only it needs.
    private enum State {
        /// Waiting for a start order.
        case idle
        /// A start order came: the process is being spawned with what the order set up.
        case spawning(Launch)
        /// The process could not be spawned; the reason was reported.
        case spawnFailed
        case running(RunningProcess)
        /// The process `pid` ended on its own with `status`; it is started again when `.restart` fires.
        case waitingToRestart(Launch, pid: Int32, status: ExitStatus)
        /// A stop was ordered with a drain: reported not ready until `.drainEnd`, then stopped within
        /// `timeout`.
        case draining(pid: Int32, order: StopOrder, timeout: Duration)
        /// The process was asked to stop (stop command or stop signal), or killed.
        case stopping(Stopping)
        /// The final report is out, waiting for its acknowledgement.
        case reporting(FinalReport)
        case exited
    }

    private static let sigkill: Int32 = 9

    private let settings: Settings
    private var state: State = .idle
    private var registration: Registration = .registering
    private var ownSignal: OwnSignal = .notReceived
    /// The epoch of the coordinator that welcomed this agent; orders from another are stale.
    public private(set) var epoch: UInt64 = 0
    /// The id of the next message the agent sends.
    private var nextMessageID: UInt64 = 1
    /// How the latest process ended: what the snapshot shows after the final report, and the exit
    /// code of an agent whose own signal comes while it waits for a new start order.
    private var lastExit: ExitStatus?
    /// The restarts since a process last ran for ``RestartPolicy/resetAfter``, counted across start
    /// orders.
    private var consecutiveRestarts = 0

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
    /// A welcome from an earlier coordinator (see ``isEarlier(epoch:)``) is ignored: the agent goes on
    /// registering, for the current coordinator may come back.
    public mutating func welcomed(
        heartbeatInterval: Duration, lostAfter: Duration = .seconds(5), epoch: UInt64 = 0, now: Timestamp
    ) -> [Action] {
        guard !isEarlier(epoch: epoch) else { return [] }
        self.epoch = epoch
        let wasRegistered = isRegistered
        registration = .registered(heartbeatInterval: heartbeatInterval, lostAfter: lostAfter)
        guard !wasRegistered else { return [] }
        return [
            .cancelTimer(.registration), .scheduleTimer(.heartbeat, at: now + heartbeatInterval),
            .scheduleTimer(.coordinatorSilence, at: now + lostAfter),
        ]
    }

    /// Whether `messageEpoch` is that of a coordinator earlier than the one that last welcomed this
    /// agent, which it does not obey (unless ``Settings/acceptsLowerEpoch``): every start of a
    /// coordinator has a higher epoch. Messages without an epoch (older peers) are not earlier.
    public func isEarlier(epoch messageEpoch: UInt64?) -> Bool {
        guard let messageEpoch, !settings.acceptsLowerEpoch else { return false }
        return messageEpoch < epoch
    }

    /// Why the agent would not run the readiness check of a start order that carries `readiness`, or
    /// `nil` when it would (its own probe, if it has one, is the one it runs).
    public func refusal(ofStartWith readiness: ReadinessProbe?) -> ProbeRefusal? {
        guard settings.readiness == nil, let readiness else { return nil }
        return settings.coordinatorTrust.refusal(of: readiness)
    }

    /// Whether a message stamped with `epoch` comes from the coordinator this agent registered with.
    /// Messages without an epoch (older peers) are accepted.
    public func accepts(epoch messageEpoch: UInt64?) -> Bool {
        messageEpoch.map { $0 == epoch } ?? true
    }

    /// Any message from the current coordinator: it is alive.
    public func heardFromCoordinator(now: Timestamp) -> [Action] {
        guard case .registered(_, let lostAfter) = registration else { return [] }
        return [.scheduleTimer(.coordinatorSilence, at: now + lostAfter)]
    }

    /// The coordinator's heartbeat `id` arrived: it is answered at once, so that the coordinator
    /// measures the round trip, and the answer stands for the agent's own next heartbeat, which is
    /// put off by an interval (one heartbeat each way per interval, as before).
    public mutating func coordinatorHeartbeat(_ id: UInt64, now: Timestamp) -> [Action] {
        guard case .registered(let interval, _) = registration else { return [] }
        defer { nextMessageID += 1 }
        return [.send(.heartbeat, id: nextMessageID, replyTo: id), .scheduleTimer(.heartbeat, at: now + interval)]
    }

    /// A handshake with the coordinator succeeded: an agent not registered registers at once, rather
    /// than at its next retry (a registration sent before the connection was up was dropped by the
    /// socket, which queues nothing while it is not connected).
    public mutating func connectedToCoordinator(now: Timestamp) -> [Action] {
        guard !isRegistered, !hasExited else { return [] }
        return register(now: now)
    }

    /// The coordinator refused the registration: the agent ends, and its process with it.
    public mutating func refused(now: Timestamp) -> [Action] {
        let kill: [Action] = hasProcess ? [.signal(Self.sigkill)] : []
        state = .exited
        return kill + [.exit(ExitCode.refused)]
    }

    /// The coordinator does not know this agent (it restarted): register again.
    public mutating func notRegistered(now: Timestamp) -> [Action] {
        registration = .registering
        return [.cancelTimer(.heartbeat), .cancelTimer(.coordinatorSilence)] + register(now: now)
    }

    /// The registration to send a coordinator other than the one the agent obeys (a standby, which
    /// hears from the agent within a second when it takes over: ``LeaderFollowing``), numbered as
    /// everything the agent sends.
    public mutating func registrationForAnotherCoordinator() -> Action {
        defer { nextMessageID += 1 }
        return .send(.register(snapshot), id: nextMessageID, replyTo: nil)
    }

    /// The agent now obeys another coordinator, the leader of a higher epoch: the final report that
    /// waits for an acknowledgement, if any, is sent there at once (the registration that coordinator
    /// welcomed carried its outcome in the snapshot).
    public func leaderChanged(now: Timestamp) -> [Action] {
        guard case .reporting(let report) = state else { return [] }
        return [.send(report.message, id: report.id, replyTo: report.replyTo)]
    }

    /// An order whose readiness check the agent does not run (see ``refusal(ofStartWith:)``) is
    /// answered with `start_failed`, naming the fix, and the agent waits for another start order: it
    /// neither starts a service it cannot check nor reports it ready unchecked.
    ///
    /// - Parameters:
    ///   - readiness: the coordinator's probe for the service, used when the agent has none.
    ///   - restart: whether to start the process again when it ends on its own.
    public mutating func startOrdered(readiness: ReadinessProbe?, restart: RestartPolicy? = nil, now: Timestamp)
        -> [Action]
    {
        switch state {
        case .idle, .spawning:
            if let refusal = refusal(ofStartWith: readiness) { return send(.startFailed(refusal.description)) }
            state = .spawning(Launch(probe: settings.readiness ?? readiness, restartPolicy: restart))
            return [.spawn]
        case .running(let process):
            return process.readiness.isReady ? send(.ready) : []
        case .spawnFailed, .waitingToRestart, .draining, .stopping, .reporting, .exited:
            return []
        }
    }

    /// Report not ready for `drain`, then ask the process to stop; kill it `timeout` after that. With
    /// `exit`, the agent exits once the stop is acknowledged; without, it waits for a new start order.
    public mutating func stopOrdered(
        order: UInt64, timeout: Duration, drain: Duration = .zero, exit: Bool = true, now: Timestamp
    ) -> [Action] {
        let order = stopOrder(order, exit: exit)
        return cancelStopRequest() + stop(order, timeout: timeout, drain: drain, now: now)
    }

    private mutating func stop(_ order: StopOrder, timeout: Duration, drain: Duration, now: Timestamp) -> [Action] {
        switch state {
        case .running(let process) where drain > .zero:
            state = .draining(pid: process.pid, order: order, timeout: timeout)
            return [.cancelTimer(.probe), .scheduleTimer(.drainEnd, at: now + drain)]
        case .running(let process):
            return [.cancelTimer(.probe)]
                + beginStop(pid: process.pid, cause: .order(order), timeout: timeout, now: now)
        case .draining(let pid, _, let drainingTimeout):
            // A repeated order: it is answered when the drain and the stop are over.
            state = .draining(pid: pid, order: order, timeout: drainingTimeout)
            return []
        case .stopping(var stopping):
            stopping.cause = .order(order)
            state = .stopping(stopping)
            return []
        case .idle, .spawning, .spawnFailed, .waitingToRestart, .reporting, .exited:
            return answerWithoutProcess(order, now: now)
        }
    }

    /// Kill now; `exit` as for ``stopOrdered(order:timeout:drain:exit:now:)``.
    public mutating func killOrdered(order: UInt64, exit: Bool = true, now: Timestamp) -> [Action] {
        let order = stopOrder(order, exit: exit)
        return cancelStopRequest() + kill(order, now: now)
    }

    private mutating func kill(_ order: StopOrder, now: Timestamp) -> [Action] {
        switch state {
        case .running(let process):
            state = .stopping(Stopping(pid: process.pid, cause: .order(order), escalation: .killOrdered))
            return [.cancelTimer(.probe), .signal(Self.sigkill)]
        case .draining(let pid, _, _):
            state = .stopping(Stopping(pid: pid, cause: .order(order), escalation: .killOrdered))
            return [.cancelTimer(.drainEnd), .signal(Self.sigkill)]
        case .stopping(var stopping):
            let alreadyKilled = stopping.escalation != .asked
            stopping.cause = .order(order)
            stopping.escalation = .killOrdered
            state = .stopping(stopping)
            return alreadyKilled ? [] : [.cancelTimer(.stopDeadline), .signal(Self.sigkill)]
        case .idle, .spawning, .spawnFailed, .waitingToRestart, .reporting, .exited:
            return answerWithoutProcess(order, now: now)
        }
    }

    /// The coordinator acknowledged the message `replyTo`.
    public mutating func acknowledged(replyTo: UInt64?, now: Timestamp) -> [Action] {
        guard case .reporting(let report) = state, replyTo == report.id else { return [] }
        return [.cancelTimer(.reportRetry), .cancelTimer(.reportPatience)] + reportDone(report.afterReport)
    }

    // MARK: The process

    public mutating func spawned(pid: Int32, now: Timestamp) -> [Action] {
        let launch: Launch
        switch state {
        case .spawning(let starting): launch = starting
        case .waitingToRestart(let restarting, _, _): launch = restarting
        case .idle, .spawnFailed, .running, .draining, .stopping, .reporting, .exited: return []
        }
        guard let probe = launch.probe else {
            state = .running(
                RunningProcess(
                    pid: pid, spawnedAt: now, launch: launch, readiness: .ready(consecutiveFailures: 0)))
            return send(.started(pid: pid)) + send(.ready)
        }
        let pacing = ReadinessPacing(probe: probe, spawnedAt: now)
        state = .running(
            RunningProcess(pid: pid, spawnedAt: now, launch: launch, readiness: .notReadyYet, pacing: pacing))
        return send(.started(pid: pid)) + [.scheduleTimer(.probe, at: pacing.firstCheck)]
    }

    /// A readiness check ended: `error` is `nil` when it passed, otherwise why it failed. The next
    /// one runs when ``ReadinessPacing`` says: soon until one passes, then at the interval.
    public mutating func probeFinished(error: String?, now: Timestamp) -> [Action] {
        guard case .running(var process) = state, let probe = process.launch.probe, var pacing = process.pacing
        else { return [] }
        let verdict = pacing.checkEnded(error: error, now: now)
        process.pacing = pacing
        let next: [Action] = [.scheduleTimer(.probe, at: verdict.nextCheck)]
        let said: [Action]
        switch (process.readiness, error) {
        case (.ready, nil):
            process.readiness = .ready(consecutiveFailures: 0)
            said = []
        case (.notReadyYet, nil), (.unready, nil):
            process.readiness = .ready(consecutiveFailures: 0)
            said = send(.ready)
        case (.notReadyYet, let error?):
            said = verdict.reportsFailure ? send(.unready(error)) : []
        case (.ready(let failures), let error?) where failures + 1 == probe.failureThreshold:
            process.readiness = .unready
            said = send(.unready(error))
        case (.ready(let failures), _?):
            process.readiness = .ready(consecutiveFailures: failures + 1)
            said = []
        case (.unready, _?):
            said = []
        }
        state = .running(process)
        return said + next
    }

    public mutating func spawnFailed(_ message: String, now: Timestamp) -> [Action] {
        switch state {
        case .spawning, .waitingToRestart: break
        case .idle, .spawnFailed, .running, .draining, .stopping, .reporting, .exited: return []
        }
        state = .spawnFailed
        return send(.startFailed(message))
    }

    /// The service's process ended (it was reaped). Whatever it left in its group is killed.
    public mutating func processExited(_ status: ExitStatus, now: Timestamp) -> [Action] {
        lastExit = status
        switch state {
        case .running(let process):
            if now - process.spawnedAt >= RestartPolicy.resetAfter { consecutiveRestarts = 0 }
            if let policy = process.launch.restartPolicy,
                policy.restarts(after: status, restarts: consecutiveRestarts)
            {
                consecutiveRestarts += 1
                let delay = policy.delay(forAttempt: consecutiveRestarts)
                state = .waitingToRestart(process.launch, pid: process.pid, status: status)
                return [.cancelTimer(.probe), .signal(Self.sigkill)]
                    + send(.restarting(status, attempt: consecutiveRestarts, delay: delay)) + [
                        .scheduleTimer(.restart, at: now + delay)
                    ]
            }
            return [.cancelTimer(.probe), .signal(Self.sigkill)]
                + report(.exited(status), replyTo: nil, then: .exit(status.shellCode), now: now)
        case .draining(_, let order, _):
            return [.cancelTimer(.drainEnd), .signal(Self.sigkill)]
                + report(.stopped(.stopped(status)), replyTo: order.id, then: order.afterReport(status), now: now)
        case .stopping(let stopping):
            let finalReport: [Action]
            switch stopping.cause {
            case .order(let order):
                let outcome: StopOutcome =
                    switch stopping.escalation {
                    case .killOrdered: .killed
                    case .killed where status == .signalled(Self.sigkill): .killedAfterTimeout
                    case .asked, .killed: .stopped(status)
                    }
                finalReport = report(
                    .stopped(outcome), replyTo: order.id, then: order.afterReport(status), now: now)
            case .ownSignal:
                finalReport = report(.exited(status), replyTo: nil, then: .exit(status.shellCode), now: now)
            }
            return [.cancelTimer(.stopDeadline), .signal(Self.sigkill)] + finalReport
        case .idle, .spawning, .spawnFailed, .waitingToRestart, .reporting, .exited:
            return []
        }
    }

    /// The agent itself received SIGTERM or SIGINT (docker stop): it asks the coordinator to stop the
    /// service after its dependents, and stops it locally if no order comes in time. A second signal
    /// stops it locally at once; one more kills it. A signal that finds an ordered stop under way
    /// hurries nothing: the agent exits once the service has stopped.
    public mutating func signalReceived(now: Timestamp) -> [Action] {
        let earlier = ownSignal
        if earlier == .notReceived { ownSignal = .received }
        // A stop under way because of an order is not hurried by the first signal, only by another.
        let again = earlier != .notReceived
        switch state {
        case .running
        where isRegistered && earlier != .awaitingCoordinatedStop && settings.coordinatedStopTimeout > .zero:
            ownSignal = .awaitingCoordinatedStop
            return send(.stopRequest) + [
                .scheduleTimer(.coordinatedStopFallback, at: now + settings.coordinatedStopTimeout)
            ]
        case .running(let process):
            return cancelStopRequest() + [.cancelTimer(.probe)]
                + beginStop(pid: process.pid, cause: .ownSignal, timeout: settings.localStopTimeout, now: now)
        case .draining(let pid, let order, _) where again:
            // Asked to stop again: the drain is cut short.
            return [.cancelTimer(.drainEnd)]
                + beginStop(pid: pid, cause: .order(order), timeout: settings.localStopTimeout, now: now)
        case .stopping(var stopping) where again && stopping.escalation == .asked:
            stopping.escalation = .killed
            state = .stopping(stopping)
            return [.cancelTimer(.stopDeadline), .signal(Self.sigkill)]
        case .idle, .spawning:
            state = .exited
            return [.exit(0)]
        case .spawnFailed:
            state = .exited
            return [.exit(ExitCode.spawnFailed)]
        case .waitingToRestart(_, _, let status):
            return [.cancelTimer(.restart)]
                + report(.exited(status), replyTo: nil, then: .exit(status.shellCode), now: now)
        case .draining, .stopping, .reporting, .exited:
            return []
        }
    }

    /// The coordinator would not run the stop the agent asked for: stop locally now.
    public mutating func stopRequestRefused(now: Timestamp) -> [Action] {
        guard ownSignal == .awaitingCoordinatedStop, case .running(let process) = state else { return [] }
        return cancelStopRequest() + [.cancelTimer(.probe)]
            + beginStop(pid: process.pid, cause: .ownSignal, timeout: settings.localStopTimeout, now: now)
    }

    /// The stop command ended: `error` is `nil` when it succeeded. On failure the stop signal is sent.
    public func stopCommandFinished(error: String?, now: Timestamp) -> [Action] {
        guard error != nil, case .stopping(let stopping) = state, stopping.escalation == .asked else { return [] }
        return [.signal(settings.stopSignal)]
    }

    /// The agent received a signal it passes on (SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH), as PID 1 does.
    public func signalToForward(_ signal: Int32) -> [Action] {
        hasProcess ? [.forward(signal)] : []
    }

    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch (timer, state) {
        case (.registration, _):
            return isRegistered ? [] : register(now: now)
        case (.heartbeat, _):
            guard case .registered(let interval, _) = registration else { return [] }
            return send(.heartbeat) + [.scheduleTimer(.heartbeat, at: now + interval)]
        case (.coordinatorSilence, _):
            // The service keeps running; a coordinator that comes back gets a snapshot of it.
            return isRegistered ? notRegistered(now: now) : []
        case (.stopDeadline, .stopping(var stopping)) where stopping.escalation == .asked:
            stopping.escalation = .killed
            state = .stopping(stopping)
            return [.signal(Self.sigkill)]
        case (.reportRetry, .reporting(let report)):
            return [
                .send(report.message, id: report.id, replyTo: report.replyTo),
                .scheduleTimer(.reportRetry, at: now + settings.reportRetry),
            ]
        case (.reportPatience, .reporting(let report)):
            return [.cancelTimer(.reportRetry)] + reportDone(report.afterReport)
        case (.probe, .running(var process)):
            guard let probe = process.launch.probe else { return [] }
            process.pacing?.checkBegan(now: now)
            state = .running(process)
            return [.runProbe(probe)]
        case (.restart, .waitingToRestart):
            return [.spawn]
        case (.drainEnd, .draining(let pid, let order, let timeout)):
            return beginStop(pid: pid, cause: .order(order), timeout: timeout, now: now)
        case (.coordinatedStopFallback, .running):
            return stopRequestRefused(now: now)
        case (.stopDeadline, _), (.reportRetry, _), (.reportPatience, _), (.probe, _), (.restart, _), (.drainEnd, _),
            (.coordinatedStopFallback, _):
            return []
        }
    }

    // MARK: What the agent tells

    /// What the agent tells a coordinator about its service.
    var snapshot: AgentSnapshot {
        switch state {
        case .idle, .spawning, .spawnFailed: .idle
        case .running(let process): process.readiness.isReady ? .ready(pid: process.pid) : .starting(pid: process.pid)
        case .waitingToRestart(_, let pid, _): .starting(pid: pid)
        case .draining(let pid, _, _): .stopping(pid: pid)
        case .stopping(let stopping): .stopping(pid: stopping.pid)
        case .reporting(let report): report.snapshot ?? lastExit.map(AgentSnapshot.exited) ?? .idle
        case .exited: lastExit.map(AgentSnapshot.exited) ?? .idle
        }
    }

    /// What `/healthz` and `/readyz` answer: whether the process lives, and whether the service is
    /// ready and not draining.
    public var health: (alive: Bool, ready: Bool) {
        switch state {
        case .running(let process): (true, process.readiness.isReady)
        case .draining, .stopping: (true, false)
        case .idle, .spawning, .spawnFailed, .waitingToRestart, .reporting, .exited: (false, false)
        }
    }

    // MARK: Helpers

    private var isRegistered: Bool {
        if case .registered = registration { true } else { false }
    }

    private var hasExited: Bool {
        if case .exited = state { true } else { false }
    }

    private var hasProcess: Bool {
        switch state {
        case .running, .draining, .stopping: true
        case .idle, .spawning, .spawnFailed, .waitingToRestart, .reporting, .exited: false
        }
    }

    /// An order numbered `id`; an agent that received its own signal exits after the stop, whatever
    /// `exit` says (an order that is part of another service's stop says stay).
    private func stopOrder(_ id: UInt64, exit: Bool) -> StopOrder {
        StopOrder(id: id, exit: exit || ownSignal != .notReceived)
    }

    /// Forgets a pending coordinated-stop request (an order came, or the agent stops on its own).
    private mutating func cancelStopRequest() -> [Action] {
        guard ownSignal == .awaitingCoordinatedStop else { return [] }
        ownSignal = .received
        return [.cancelTimer(.coordinatedStopFallback)]
    }

    /// Asks the process to stop (the stop command if there is one, else the stop signal) and kills it
    /// when `timeout` passes.
    private mutating func beginStop(pid: Int32, cause: StopCause, timeout: Duration, now: Timestamp) -> [Action] {
        state = .stopping(Stopping(pid: pid, cause: cause, escalation: .asked))
        let ask: Action =
            settings.stopCommand.map { .runStopCommand($0, timeout: timeout) } ?? .signal(settings.stopSignal)
        return [ask, .scheduleTimer(.stopDeadline, at: now + timeout)]
    }

    /// A stop or kill order when there is no process to stop.
    private mutating func answerWithoutProcess(_ order: StopOrder, now: Timestamp) -> [Action] {
        switch state {
        case .idle, .spawning:
            return report(
                .stopped(.notStarted), replyTo: order.id, then: order.exit ? .exit(0) : .awaitStartOrder, now: now)
        case .spawnFailed:
            return report(
                .stopped(.notStarted), replyTo: order.id,
                then: order.exit ? .exit(ExitCode.spawnFailed) : .awaitStartOrder, now: now)
        case .waitingToRestart(_, _, let status):
            return [.cancelTimer(.restart)]
                + report(
                    .stopped(.alreadyExited(status)), replyTo: order.id, then: order.afterReport(status), now: now)
        case .reporting(var report):
            if case .exited(let status) = report.message {
                // The process ended on its own before this order: that is the order's outcome.
                return self.report(
                    .stopped(.alreadyExited(status)), replyTo: order.id, then: order.afterReport(status), now: now)
            }
            // A repeated order: the same outcome answers it.
            report.replyTo = order.id
            state = .reporting(report)
            return [.send(report.message, id: report.id, replyTo: order.id)]
        case .running, .draining, .stopping, .exited:
            return []
        }
    }

    /// The final report was acknowledged or given up on: exit, or wait for a new start order.
    private mutating func reportDone(_ afterReport: AfterReport) -> [Action] {
        switch afterReport {
        case .exit(let code):
            state = .exited
            return [.exit(code)]
        case .awaitStartOrder where ownSignal != .notReceived:
            state = .exited
            return [.exit(lastExit?.shellCode ?? 0)]
        case .awaitStartOrder:
            state = .idle
            return []
        }
    }

    private mutating func register(now: Timestamp) -> [Action] {
        send(.register(snapshot)) + [.scheduleTimer(.registration, at: now + settings.registrationRetry)]
    }

    /// Sends the final report and waits for its acknowledgement, repeating it meanwhile.
    private mutating func report(
        _ message: OutgoingMessage, replyTo: UInt64?, then afterReport: AfterReport, now: Timestamp
    ) -> [Action] {
        let id = nextMessageID
        nextMessageID += 1
        state = .reporting(FinalReport(message: message, id: id, replyTo: replyTo, afterReport: afterReport))
        return [
            .send(message, id: id, replyTo: replyTo),
            .scheduleTimer(.reportRetry, at: now + settings.reportRetry),
            .scheduleTimer(.reportPatience, at: now + settings.reportPatience),
        ]
    }

    private mutating func send(_ message: OutgoingMessage) -> [Action] {
        defer { nextMessageID += 1 }
        return [.send(message, id: nextMessageID, replyTo: nil)]
    }
}
