import QuiesceCore

/// Drives a real ``CoordinatorStateMachine`` through the shutdown of a ``FleetScenario`` with
/// simulated agents and processes, one per instance, in simulated time, and records what the
/// promises need checked, instance by instance. The coordinator is configured with the scheduling
/// given, which a coordinator restarted mid-shutdown, or a standby taking over, must keep from its
/// journal.
///
/// A change of leader leaves the deposed coordinator's machine running for a while beside its
/// successor, as a frozen leader that wakes up would: its orders carry its epoch, which an agent
/// welcomed by the successor refuses (§7.10), and its first journal write, refused by etcd's guard
/// of the leadership, makes it stop.
struct ShutdownSimulation {
    /// Something that happens at a moment of simulated time.
    private enum Event {
        case report(InstanceID, StopOutcome)
        case agentLost(InstanceID)
        case timer(CoordinatorStateMachine.Timer)
        case coordinatorDies
        case coordinatorStarts
        case leaderDeposed
        case deposedTimer(CoordinatorStateMachine.Timer)
        case deposedNotices
    }

    /// Which coordinator an action comes from.
    private enum Role {
        /// The one that leads (or the only one).
        case leader
        /// A leader deposed that has not noticed yet.
        case deposed
    }

    /// A broken promise.
    struct Violation: CustomStringConvertible {
        var description: String
    }

    let scenario: FleetScenario
    let scheduling: Scheduling
    private let ackGrace: Duration = .seconds(2)
    private var coordinator: CoordinatorStateMachine
    private var now = Timestamp.zero
    private var queue: [(at: Timestamp, order: Int, event: Event)] = []
    private var sequence = 0
    private var timers: [CoordinatorStateMachine.Timer: Timestamp] = [:]
    /// Instances whose process still runs, in the simulation's truth.
    private var running: Set<InstanceID>
    /// Instances the coordinator has declared lost, timed out or killed.
    private var givenUp: Set<InstanceID> = []
    private var lost: Set<InstanceID> = []
    /// Instances whose stop order reached their agent, in the simulation's truth.
    private var ordered: Set<InstanceID> = []
    private var journal: [CoordinatorStateMachine.JournalEntry] = []
    private var coordinatorDown = false
    /// The epoch of the coordinator that leads, raised by every restart and change of leader.
    private var epoch = 1
    /// The epoch of the last `welcome` each agent accepted: it obeys only orders of that epoch.
    private var welcomed: [InstanceID: Int] = [:]
    /// A deposed leader still running, with its epoch and its timers.
    private var deposed: (machine: CoordinatorStateMachine, epoch: Int)?
    private var deposedTimers: [CoordinatorStateMachine.Timer: Timestamp] = [:]
    /// The instances whose end each coordinator was told of by the agent's report, or read in the
    /// journal: it must never order them to stop again. (An instance it gave up, timed out say, may
    /// still run, and may be killed to make sure; a snapshot's outcome is not counted: a resumed
    /// coordinator may repeat the stop to it, which the agent answers with the same report.)
    private var known: Set<InstanceID> = []
    private var knownToDeposed: Set<InstanceID> = []
    /// Orders of a deposed leader that agents refused, and its journal writes that etcd refused.
    private(set) var fencedOrders = 0
    private(set) var refusedWrites = 0
    /// Whether agents refuse orders of an epoch but their welcome's and etcd refuses a deposed
    /// leader's journal writes: off only to show that the checks catch a deposed leader's orders.
    private let fenced: Bool
    /// What each agent reported of its stop or kill order, which its snapshot tells a new coordinator.
    private var reportedOutcomes: [InstanceID: StopOutcome] = [:]
    private let configuration: Configuration
    private(set) var violations: [Violation] = []
    private(set) var report: ShutdownReport?

    init(_ scenario: FleetScenario, scheduling: Scheduling, fenced: Bool = true) {
        self.scenario = scenario
        self.fenced = fenced
        self.scheduling = scheduling
        var settings = CoordinatorSettings()
        // The restarted coordinator is configured with the other scheduling: it must go on with the
        // one its journal recorded.
        settings.scheduling = scheduling
        settings.shutdownTimeout = scenario.shutdownTimeout
        settings.ackGrace = ackGrace
        settings.agentLostAfter = .seconds(5)
        configuration = Configuration(coordinator: settings, graph: scenario.graph)
        coordinator = CoordinatorStateMachine(configuration: configuration, now: .zero)
        running = Set(scenario.instances)
        welcomed = Dictionary(uniqueKeysWithValues: scenario.instances.map { ($0, 1) })
    }

    /// Starts the fleet, requests the shutdown, and runs until the report (or a generous bound).
    mutating func run() {
        for id in scenario.instances {
            _ = try! coordinator.agentRegistered(id, host: "sim", now: now).get()
        }
        for wave in coordinator.plan.startupWaves {
            for id in scenario.instances where wave.contains(id.service) { _ = coordinator.serviceReady(id, now: now) }
        }
        if coordinator.phaseName != "running" {
            violations.append(Violation(description: "the fleet did not start: \(coordinator.phaseName)"))
        }
        for (id, fault) in scenario.faults {
            if case .agentLost(let after) = fault { schedule(.agentLost(id), at: now + after) }
        }
        perform(coordinator.shutdownRequested(now: now))
        if let restart = scenario.coordinatorRestart {
            schedule(.coordinatorDies, at: now + restart)
        }
        if let change = scenario.leaderChange {
            schedule(.leaderDeposed, at: now + change.at)
            schedule(.coordinatorStarts, at: now + change.at + change.takeover)
            schedule(.deposedNotices, at: now + change.at + change.deposedFor)
        }
        // A restart or a takeover costs the coordinator its downtime and the re-registration grace: a
        // fresh deadline.
        let resumes = scenario.coordinatorRestart != nil || scenario.leaderChange != nil
        let bound =
            scenario.shutdownTimeout * (resumes ? 2 : 1) + ackGrace * 2 + .seconds(8)
            + (scenario.leaderChange?.takeover ?? .zero)
        while report == nil, let next = popNext() {
            guard next.at - .zero <= bound else {
                violations.append(Violation(description: "no report within \(bound) (still waiting at \(next.at))"))
                return
            }
            now = next.at
            switch next.event {
            case .report(let id, let outcome):
                guard !lost.contains(id) else { continue }
                running.remove(id)
                reportedOutcomes[id] = outcome
                // The report goes to the coordinator the agent follows. One to a dead or deposed
                // coordinator is repeated by the agent; its snapshot tells the next one anyway.
                if !coordinatorDown, welcomed[id] == epoch {
                    known.insert(id)
                    perform(coordinator.stopAcknowledged(id, outcome: outcome, now: now))
                } else if let deposed, welcomed[id] == deposed.epoch {
                    knownToDeposed.insert(id)
                    var machine = deposed.machine
                    let actions = machine.stopAcknowledged(id, outcome: outcome, now: now)
                    self.deposed?.machine = machine
                    perform(actions, as: .deposed)
                }
            case .leaderDeposed:
                deposed = (coordinator, epoch)
                deposedTimers = timers
                knownToDeposed = known
                for (timer, at) in timers { schedule(.deposedTimer(timer), at: at) }
                coordinatorDown = true
                timers.removeAll()
            case .deposedNotices:
                stopDeposed()
            case .deposedTimer(let timer):
                guard let deposed, deposedTimers[timer] == next.at else { continue }
                deposedTimers[timer] = nil
                var machine = deposed.machine
                let actions = machine.timerFired(timer, now: now)
                self.deposed?.machine = machine
                perform(actions, as: .deposed)
            case .coordinatorDies:
                coordinatorDown = true
                timers.removeAll()
                schedule(.coordinatorStarts, at: now + .milliseconds(500))
            case .coordinatorStarts:
                restartCoordinator()
            case .agentLost(let id):
                lost.insert(id)
                if let deposed {
                    var machine = deposed.machine
                    let actions = machine.agentLost(id, now: now)
                    self.deposed?.machine = machine
                    perform(actions, as: .deposed)
                }
                guard !coordinatorDown else { continue }
                // A lost agent's process dies with it in this model only if the agent was killed; keep
                // it running: the promise allows stopping its dependencies once it is declared lost.
                perform(coordinator.agentLost(id, now: now))
            case .timer(let timer):
                guard timers[timer] == next.at else { continue }
                timers[timer] = nil
                perform(coordinator.timerFired(timer, now: now))
            }
        }
        if report == nil { violations.append(Violation(description: "the shutdown never produced a report")) }
        checkReport()
    }

    private mutating func perform(_ actions: [CoordinatorStateMachine.Action], as role: Role = .leader) {
        let sender = role == .leader ? epoch : deposed?.epoch ?? 0
        for action in actions {
            if role == .deposed {
                switch deposedStep(action) {
                case .stops: return
                case .handled: continue
                case .reachesAgents: break
                }
            }
            switch action {
            case .send(.stop, let id), .send(.kill, let id):
                // A kill to an instance whose end is known is how a coordinator tells its agent to
                // stand down; a stop would stop it again (drain, stop command and all).
                if case .send(.stop, _) = action, (role == .leader ? known : knownToDeposed).contains(id) {
                    violations.append(
                        Violation(description: "\(id) ordered to stop again at \(now) after its end was known"))
                }
                // An agent obeys only the coordinator whose welcome it accepted last.
                if fenced, welcomed[id] != sender, !lost.contains(id) {
                    fencedOrders += 1
                    continue
                }
            default: break
            }
            switch action {
            case .send(.stop(let timeout, _, _), let id):
                checkNoDependentRuns(before: id)
                guard !lost.contains(id) else { continue }
                guard running.contains(id), !ordered.contains(id) else {
                    // Already stopping or stopped (ordered by an earlier coordinator): the agent answers
                    // when its process has ended, with the same outcome.
                    if !running.contains(id), scenario.faults[id] != .reportLost {
                        schedule(.report(id, .stopped(.exited(0))), at: now + .milliseconds(10))
                    }
                    continue
                }
                ordered.insert(id)
                let duration = scenario.stopDurations[id]!
                switch scenario.faults[id] {
                case .ignoresStop?:
                    schedule(.report(id, .killedAfterTimeout), at: now + timeout)
                case .reportLost?:
                    // The process stops, but the report never arrives.
                    running.remove(id)
                case .agentLost?, nil:
                    if duration <= timeout {
                        schedule(.report(id, .stopped(.exited(0))), at: now + duration)
                    } else {
                        schedule(.report(id, .killedAfterTimeout), at: now + timeout)
                    }
                }
            case .send(.kill, let id):
                guard !lost.contains(id), scenario.faults[id] != .reportLost else {
                    running.remove(id)
                    continue
                }
                schedule(.report(id, .killed), at: now + .milliseconds(10))
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
                // The service's outcome sums up its instances': one given up gives it this outcome.
                if Self.givesUp(outcome) { givenUp.formUnion(scenario.instances.filter { $0.service == service }) }
            case .progress(.instanceFinished(let id, let outcome, _)):
                if Self.givesUp(outcome) { givenUp.insert(id) }
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

    /// What becomes of a deposed leader's action.
    private enum DeposedStep {
        /// Its journal write was refused: it stops ordering, and the actions after it never happen.
        case stops
        /// Done here: its timers are its own, and what it learns is told to no one.
        case handled
        /// An order (or, unfenced, a journal write), which goes on as the leader's would.
        case reachesAgents
    }

    private mutating func deposedStep(_ action: CoordinatorStateMachine.Action) -> DeposedStep {
        switch action {
        case .journal:
            guard fenced else { return .reachesAgents }
            refusedWrites += 1
            stopDeposed()
            return .stops
        case .send(.stop, _), .send(.kill, _):
            return .reachesAgents
        case .scheduleTimer(.lost, _), .scheduleTimer(.suspect, _), .scheduleTimer(.heartbeat, _):
            return .handled
        case .scheduleTimer(let timer, let at):
            deposedTimers[timer] = at
            schedule(.deposedTimer(timer), at: at)
            return .handled
        case .cancelTimer(let timer):
            deposedTimers[timer] = nil
            return .handled
        case .send, .sendHeartbeat, .progress, .finish, .operationFinished:
            return .handled
        }
    }

    /// The deposed leader notices it no longer leads and stops ordering.
    private mutating func stopDeposed() {
        deposed = nil
        deposedTimers.removeAll()
    }

    private static func givesUp(_ outcome: ShutdownOutcome) -> Bool {
        switch outcome {
        case .lost, .timedOut, .killed: true
        case .acknowledged, .notConnected, .recorded, .stoppedEarlier: false
        }
    }

    /// A new coordinator from the journal: what it recorded stays, every agent not lost registers
    /// again with a snapshot of its instance.
    private mutating func restartCoordinator() {
        coordinatorDown = false
        epoch += 1
        var recorded: RecordedShutdown?
        for entry in journal {
            switch entry {
            case .shutdownBegan(let scheduling): recorded = recorded ?? RecordedShutdown(scheduling: scheduling)
            case .outcome(let service, let outcome): recorded?.services[service] = outcome
            case .instanceOutcome(let id, let outcome):
                recorded?.instances[id.service, default: [:]][id.instance] = outcome
            case .shutdownFinished: recorded = nil
            }
        }
        var restarted = configuration
        restarted.coordinator.scheduling = scheduling == .waves ? .eager : .waves
        coordinator = CoordinatorStateMachine(configuration: restarted, now: now, resuming: recorded)
        known = Set(
            scenario.instances.filter {
                recorded?.services[$0.service] != nil || recorded?.outcome(of: $0) != nil
            })
        perform(coordinator.start(now: now))
        for id in scenario.instances where !lost.contains(id) {
            welcomed[id] = epoch
            let snapshot: AgentSnapshot =
                !running.contains(id)
                ? reportedOutcomes[id].map(AgentSnapshot.stopped) ?? .exited(.exited(0))
                : (ordered.contains(id) ? .stopping(pid: 1) : .ready(pid: 1))
            if case .success(let actions) = coordinator.agentRegistered(id, host: "sim", snapshot: snapshot, now: now) {
                perform(actions)
            }
        }
    }

    /// The first promise: a stop order reaches an instance only when no instance of its service's
    /// dependents still runs, unless the coordinator gave that instance up (lost, timed out, killed)
    /// and says so.
    private mutating func checkNoDependentRuns(before id: InstanceID) {
        let dependents = Set(scenario.graph.dependents(of: id.service))
        for dependent in scenario.instances
        where dependents.contains(dependent.service) && running.contains(dependent) && !givenUp.contains(dependent) {
            violations.append(Violation(description: "\(id) ordered to stop at \(now) while \(dependent) still runs"))
        }
    }

    /// The second promise: every service ends in a reported state, and the end comes in time; and
    /// the report says the scheduling the shutdown began with.
    private mutating func checkReport() {
        guard let report else { return }
        if report.scheduling != scheduling {
            violations.append(Violation(description: "the report says \(report.scheduling), not \(scheduling)"))
        }
        let reported = Set(report.entries.map(\.service))
        if reported != Set(scenario.graph.names) {
            violations.append(
                Violation(description: "unreported services: \(Set(scenario.graph.names).subtracting(reported))"))
        }
        if report.total > scenario.shutdownTimeout + ackGrace {
            violations.append(
                Violation(description: "the shutdown took \(report.total), past its deadline plus the grace"))
        }
        let reportedInstances = Set(
            report.entries.flatMap { entry in
                entry.instances.map { InstanceID(service: entry.service, instance: $0.instance) }
            })
        // After a coordinator restart, an instance lost and never back is unknown to the new
        // coordinator: it cannot be named, but its service must be reported given up. A service the
        // journal recorded as a whole (one instance) is reported as the journal has it.
        let outcomes = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.service, $0.outcome) })
        for id in Set(scenario.instances).subtracting(reportedInstances) {
            let restarted = scenario.coordinatorRestart != nil || scenario.leaderChange != nil
            let givenUp = lost.contains(id) && outcomes[id.service].map(Self.givesUp) == true
            let recordedWhole = if case .recorded? = outcomes[id.service] { true } else { false }
            if !restarted || !(givenUp || recordedWhole) {
                violations.append(Violation(description: "unreported instance: \(id)"))
            }
        }
        if report.termination == .completed {
            for id in scenario.instances where running.contains(id) && !givenUp.contains(id) {
                violations.append(Violation(description: "\(id) reported stopped but still runs"))
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
