import QuiesceCore

/// Drives a real ``CoordinatorStateMachine`` through the shutdown of a ``FleetScenario`` with
/// simulated agents and processes, in simulated time, and records what the promises need checked.
struct ShutdownSimulation {
    /// Something that happens at a moment of simulated time.
    private enum Event {
        case report(String, StopOutcome)
        case agentLost(String)
        case timer(CoordinatorStateMachine.Timer)
        case coordinatorDies
        case coordinatorStarts
    }

    /// A broken promise.
    struct Violation: CustomStringConvertible {
        var description: String
    }

    let scenario: FleetScenario
    private let ackGrace: Duration = .seconds(2)
    private var coordinator: CoordinatorStateMachine
    private var now = Timestamp.zero
    private var queue: [(at: Timestamp, order: Int, event: Event)] = []
    private var sequence = 0
    private var timers: [CoordinatorStateMachine.Timer: Timestamp] = [:]
    /// Services whose process still runs, in the simulation's truth.
    private var running: Set<String>
    /// Services the coordinator has declared lost, timed out or killed.
    private var givenUp: Set<String> = []
    private var lost: Set<String> = []
    /// Services whose stop order reached their agent, in the simulation's truth.
    private var ordered: Set<String> = []
    private var journal: [CoordinatorStateMachine.JournalEntry] = []
    private var coordinatorDown = false
    /// What each agent reported of its stop or kill order, which its snapshot tells a new coordinator.
    private var reportedOutcomes: [String: StopOutcome] = [:]
    private let configuration: Configuration
    private(set) var violations: [Violation] = []
    private(set) var report: ShutdownReport?

    init(_ scenario: FleetScenario) {
        self.scenario = scenario
        var settings = CoordinatorSettings()
        settings.shutdownTimeout = scenario.shutdownTimeout
        settings.ackGrace = ackGrace
        settings.agentLostAfter = .seconds(5)
        configuration = Configuration(coordinator: settings, graph: scenario.graph)
        coordinator = CoordinatorStateMachine(configuration: configuration, now: .zero)
        running = Set(scenario.graph.names)
    }

    /// Starts the fleet, requests the shutdown, and runs until the report (or a generous bound).
    mutating func run() {
        for name in scenario.graph.names {
            _ = try! coordinator.agentRegistered(name, host: "sim", now: now).get()
        }
        for wave in coordinator.plan.startupWaves {
            for name in wave { _ = coordinator.serviceReady(name, now: now) }
        }
        for (name, fault) in scenario.faults {
            if case .agentLost(let after) = fault { schedule(.agentLost(name), at: now + after) }
        }
        perform(coordinator.shutdownRequested(now: now))
        if let restart = scenario.coordinatorRestart {
            schedule(.coordinatorDies, at: now + restart)
        }
        // A restart costs the coordinator its downtime and the re-registration grace: a fresh deadline.
        let bound = scenario.shutdownTimeout * (scenario.coordinatorRestart == nil ? 1 : 2) + ackGrace * 2 + .seconds(8)
        while report == nil, let next = popNext() {
            guard next.at - .zero <= bound else {
                violations.append(Violation(description: "no report within \(bound) (still waiting at \(next.at))"))
                return
            }
            now = next.at
            switch next.event {
            case .report(let service, let outcome):
                guard !lost.contains(service) else { continue }
                running.remove(service)
                reportedOutcomes[service] = outcome
                // A report to a dead coordinator is repeated by the agent; the new one asks again anyway.
                guard !coordinatorDown else { continue }
                perform(coordinator.stopAcknowledged(service, outcome: outcome, now: now))
            case .coordinatorDies:
                coordinatorDown = true
                timers.removeAll()
                schedule(.coordinatorStarts, at: now + .milliseconds(500))
            case .coordinatorStarts:
                restartCoordinator()
            case .agentLost(let service):
                lost.insert(service)
                guard !coordinatorDown else { continue }
                // A lost agent's process dies with it in this model only if the agent was killed; keep
                // it running: the promise allows stopping its dependencies once it is declared lost.
                perform(coordinator.agentLost(service, now: now))
            case .timer(let timer):
                guard timers[timer] == next.at else { continue }
                timers[timer] = nil
                perform(coordinator.timerFired(timer, now: now))
            }
        }
        if report == nil { violations.append(Violation(description: "the shutdown never produced a report")) }
        checkReport()
    }

    private mutating func perform(_ actions: [CoordinatorStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(.stop(let timeout, _, _), let service):
                checkNoDependentRuns(before: service)
                guard !lost.contains(service) else { continue }
                guard running.contains(service), !ordered.contains(service) else {
                    // Already stopping or stopped (ordered by an earlier coordinator): the agent answers
                    // when its process has ended, with the same outcome.
                    if !running.contains(service), scenario.faults[service] != .reportLost {
                        schedule(.report(service, .stopped(.exited(0))), at: now + .milliseconds(10))
                    }
                    continue
                }
                ordered.insert(service)
                let duration = scenario.stopDurations[service]!
                switch scenario.faults[service] {
                case .ignoresStop?:
                    schedule(.report(service, .killedAfterTimeout), at: now + timeout)
                case .reportLost?:
                    // The process stops, but the report never arrives.
                    running.remove(service)
                case .agentLost?, nil:
                    if duration <= timeout {
                        schedule(.report(service, .stopped(.exited(0))), at: now + duration)
                    } else {
                        schedule(.report(service, .killedAfterTimeout), at: now + timeout)
                    }
                }
            case .send(.kill, let service):
                guard !lost.contains(service), scenario.faults[service] != .reportLost else {
                    running.remove(service)
                    continue
                }
                schedule(.report(service, .killed), at: now + .milliseconds(10))
            case .send(.start, _):
                break
            case .scheduleTimer(.lost, _), .scheduleTimer(.suspect, _):
                // Agents that are not lost heartbeat; a lost one is declared by its `.agentLost` event.
                break
            case .scheduleTimer(.heartbeat, _), .sendHeartbeat:
                // The coordinator's heartbeats keep agents from giving it up; these agents never do.
                break
            case .scheduleTimer(let timer, let at):
                timers[timer] = at
                schedule(.timer(timer), at: at)
            case .cancelTimer(let timer):
                timers[timer] = nil
            case .progress(.shutdown(.serviceFinished(let service, let outcome, _))):
                switch outcome {
                case .lost, .timedOut, .killed: givenUp.insert(service)
                case .acknowledged, .notConnected, .recorded, .stoppedEarlier: break
                }
            case .progress:
                break
            case .finish(let report):
                self.report = report
            case .operationFinished:
                violations.append(Violation(description: "an operation finished during a shutdown"))
            case .journal(let entry):
                journal.append(entry)
            }
        }
    }

    /// A new coordinator from the journal: what it recorded stays, every agent not lost registers
    /// again with a snapshot of its service.
    private mutating func restartCoordinator() {
        coordinatorDown = false
        var recorded: [String: RecordedOutcome]?
        for entry in journal {
            switch entry {
            case .shutdownBegan: recorded = recorded ?? [:]
            case .outcome(let service, let outcome): recorded?[service] = outcome
            case .shutdownFinished: recorded = nil
            }
        }
        coordinator = CoordinatorStateMachine(configuration: configuration, now: now, resuming: recorded)
        perform(coordinator.start(now: now))
        for name in scenario.graph.names where !lost.contains(name) {
            let snapshot: AgentSnapshot =
                !running.contains(name)
                ? reportedOutcomes[name].map(AgentSnapshot.stopped) ?? .exited(.exited(0))
                : (ordered.contains(name) ? .stopping(pid: 1) : .ready(pid: 1))
            if case .success(let actions) = coordinator.agentRegistered(name, host: "sim", snapshot: snapshot, now: now)
            {
                perform(actions)
            }
        }
    }

    /// The first promise: a stop order reaches a service only when none of its dependents still runs,
    /// unless the coordinator gave that dependent up (lost, timed out, killed) and says so.
    private mutating func checkNoDependentRuns(before service: String) {
        for dependent in scenario.graph.dependents(of: service)
        where running.contains(dependent) && !givenUp.contains(dependent) {
            violations.append(
                Violation(description: "\(service) ordered to stop at \(now) while \(dependent) still runs"))
        }
    }

    /// The second promise: every service ends in a reported state, and the end comes in time.
    private mutating func checkReport() {
        guard let report else { return }
        let reported = Set(report.entries.map(\.service))
        if reported != Set(scenario.graph.names) {
            violations.append(
                Violation(description: "unreported services: \(Set(scenario.graph.names).subtracting(reported))"))
        }
        if report.total > scenario.shutdownTimeout + ackGrace {
            violations.append(
                Violation(description: "the shutdown took \(report.total), past its deadline plus the grace"))
        }
        if report.termination == .completed {
            for entry in report.entries where running.contains(entry.service) && !givenUp.contains(entry.service) {
                violations.append(Violation(description: "\(entry.service) reported \(entry.outcome) but still runs"))
            }
        }
    }

    private mutating func schedule(_ event: Event, at: Timestamp) {
        sequence += 1
        queue.append((at, sequence, event))
    }

    private mutating func popNext() -> (at: Timestamp, order: Int, event: Event)? {
        guard let index = queue.indices.min(by: { (queue[$0].at, queue[$0].order) < (queue[$1].at, queue[$1].order) })
        else {
            return nil
        }
        return queue.remove(at: index)
    }
}
