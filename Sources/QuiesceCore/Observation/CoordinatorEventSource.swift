/// Where the coordinator's events are made: it reads the actions the ``CoordinatorStateMachine``
/// returns, in order, and tells what they mean as ``CoordinatorEvent``s, remembering the wave and the
/// run under way so that their ends carry how long they took.
///
/// What the machine's actions do not show is told by the runtime as events of its own (a rejected
/// message, a refused registration, an instance's readiness). Actions that mean nothing to an observer
/// (heartbeats, timers, the journal) cost a switch and no allocation.
public struct CoordinatorEventSource: Sendable {
    private struct OpenWave: Sendable {
        var run: CoordinatorEvent.Run
        var number: Int
        var began: Timestamp
    }

    private struct OpenRun: Sendable {
        var run: CoordinatorEvent.Run
        var operation: String?
        var began: Timestamp
    }

    private var wave: OpenWave?
    private var run: OpenRun?
    /// The targeted operation under way (`restart api`), from its beginning to its report.
    private var operation: String?

    public init() {}

    /// The events that `action` tells. `retransmitting`: the action is one the `.retransmit` timer
    /// returned, so that an order it sends is an order sent again.
    public mutating func events(
        of action: CoordinatorStateMachine.Action, retransmitting: Bool = false, now: Timestamp
    ) -> [CoordinatorEvent] {
        switch action {
        case .send(let order, let id):
            if retransmitting { return [CoordinatorEvent(at: now, .orderRetransmitted(id))] }
            switch order {
            case .start: return [CoordinatorEvent(at: now, .ordered(.start, id, timeout: nil, drain: nil))]
            case .stop(let timeout, let drain, _):
                return [CoordinatorEvent(at: now, .ordered(.stop, id, timeout: timeout, drain: drain))]
            case .kill: return [CoordinatorEvent(at: now, .ordered(.kill, id, timeout: nil, drain: nil))]
            }
        case .sendHeartbeat, .scheduleTimer, .cancelTimer, .journal:
            return []
        case .progress(let progress):
            return events(of: progress, now: now)
        case .finish(let report):
            return endRun(
                now: now, after: report.total, result: report.termination.rawValue, exitCode: report.exitCode)
        case .operationFinished(let report):
            defer { operation = nil }
            guard run != nil else { return closeWave(now: now) }
            let result = report.interrupted ? "interrupted" : (report.startFailure == nil ? "complete" : "failed")
            return endRun(now: now, after: nil, result: result, exitCode: report.exitCode)
        }
    }

    private mutating func events(of progress: CoordinatorProgress, now: Timestamp) -> [CoordinatorEvent] {
        func event(_ kind: CoordinatorEvent.Kind) -> [CoordinatorEvent] { [CoordinatorEvent(at: now, kind)] }
        switch progress {
        case .agentConnected(let id, let host): return event(.agentRegistered(id, host: host))
        case .agentLost(let id): return event(.agentLost(id))
        case .agentSuspect(let id): return event(.agentSuspect(id))
        case .agentResponsive(let id): return event(.agentResponsive(id))
        case .serviceFailed(let id, let reason): return event(.instanceFailed(id, reason: reason))
        case .serviceUnready(let id, let reason): return event(.instanceUnready(id, reason: reason))
        case .serviceReadyAgain(let id): return event(.instanceReady(id))
        case .serviceRestarting(let id, let status, _, _), .serviceExited(let id, let status):
            return event(.instanceFailed(id, reason: "\(status)"))
        case .startedWithFewer(let service, _, _, _, _): return event(.serviceReady(service, after: nil))
        case .startup(.serviceReady(let service, let after)): return event(.serviceReady(service, after: after))
        case .startup(.serviceAdopted(let service, let ready)):
            return ready ? event(.serviceReady(service, after: nil)) : []
        case .startup(.waveStarted(let number, let total, let services)):
            return beginWave(.startup, number: number, total: total, services: services, now: now)
        case .startup(.servicesStarting):
            // Eager: no waves; the startup's run begins with its first orders, which are events.
            return run?.run == .startup ? [] : beginRun(.startup, now: now)
        case .startupComplete:
            // From the first wave: the wait for agents before it is not the startup's.
            return endRun(now: now, after: nil, result: "complete", exitCode: nil)
        case .startupFailed:
            return endRun(now: now, after: nil, result: "failed", exitCode: nil)
        case .shutdownBegan, .shutdownResumed:
            let interrupted = run == nil ? [] : endRun(now: now, after: nil, result: "interrupted", exitCode: nil)
            operation = nil
            return interrupted + beginRun(.shutdown, now: now)
        case .shutdown(.waveStarted(let number, let total, let services)):
            return beginWave(.shutdown, number: number, total: total, services: services, now: now)
        case .shutdown(.serviceFinished(let service, let outcome, let after)):
            return event(.serviceStopped(service, outcome, after: after))
        case .shutdown(.killingRemaining(let services, let reason)):
            return event(.killing(services, reason: reason))
        case .shutdown(.serviceUnreachable), .shutdown(.servicesStopping):
            return []
        case .instanceFinished(let id, let outcome, let after):
            return event(.instanceStopped(id, outcome, after: after))
        case .operationBegan(let operation):
            self.operation = "\(operation.kind.rawValue) \(operation.service)"
            return []
        case .rolling(.starting(let id, let stopped)):
            return event(.instanceStopped(id, .acknowledged(stopped), after: nil))
        case .rolling(.failed(let id, let reason)):
            return event(.instanceFailed(id, reason: reason))
        case .rolling(.stopping), .rolling(.readyAgain), .rolling(.skipped), .rolling(.halted):
            // The orders and the readiness these steps follow are events of their own.
            return []
        case .operationStopped(_, let report):
            return endRun(now: now, after: report.total, result: report.termination.rawValue, exitCode: nil)
        }
    }

    /// Ends the wave under way, and begins the run if none is.
    private mutating func beginWave(
        _ kind: CoordinatorEvent.Run, number: Int, total: Int, services: [String], now: Timestamp
    ) -> [CoordinatorEvent] {
        var events = closeWave(now: now)
        if run?.run != kind { events += beginRun(kind, now: now) }
        wave = OpenWave(run: kind, number: number, began: now)
        events.append(CoordinatorEvent(at: now, .waveBegan(kind, number: number, total: total, services: services)))
        return events
    }

    private mutating func beginRun(_ kind: CoordinatorEvent.Run, now: Timestamp) -> [CoordinatorEvent] {
        run = OpenRun(run: kind, operation: operation, began: now)
        return [CoordinatorEvent(at: now, .runBegan(kind, operation: operation))]
    }

    private mutating func closeWave(now: Timestamp) -> [CoordinatorEvent] {
        guard let open = wave else { return [] }
        wave = nil
        return [CoordinatorEvent(at: now, .waveEnded(open.run, number: open.number, after: now - open.began))]
    }

    /// Ends the wave and the run under way; `after` is the run's own measure of its length, when it has one.
    private mutating func endRun(now: Timestamp, after: Duration?, result: String, exitCode: Int32?)
        -> [CoordinatorEvent]
    {
        var events = closeWave(now: now)
        guard let open = run else { return events }
        run = nil
        events.append(
            CoordinatorEvent(
                at: now,
                .runEnded(
                    open.run, operation: open.operation, after: after ?? (now - open.began), result: result,
                    exitCode: exitCode)))
        return events
    }
}
