import QuiesceCore
import QuiesceRuntime
import QuiesceWire

/// With `coordinator.ha`: what the runtime does as the election moves (docs/protocol.md, §7.11). It
/// binds its sockets as any coordinator does, and keeps them through every change of leadership, so
/// that agents' connections survive a takeover; while it does not lead it answers as a standby
/// (``StandbyAnswers``) and never orders.
extension CoordinatorRuntime {
    /// What a signal to a standby says: it ends this coordinator alone.
    static let standbySignalled =
        "a signal ends this standby coordinator only, not the fleet: the fleet's shutdown is the leader's "
        + "(quiesce shutdown, or a signal to the leader)"

    /// How long a coordinator that ends waits for etcd to take its resignation.
    static let resignationLimit: Duration = .seconds(2)

    /// Why a standby ends when it wins the election after its leader finished the fleet's shutdown.
    static let fleetShutDown = "the leader finished the fleet's shutdown while this coordinator stood by"

    /// Does what the election's changes ask: lead, or stop ordering.
    func electionMoved(_ changes: [LeadershipBridge.Change]) {
        for change in changes {
            switch change {
            case .lead(let key): takeOver(with: key)
            case .stopOrdering(let reason): stepDown(because: reason)
            }
        }
    }

    /// Answers `envelope` as a coordinator that does not lead.
    func answerAsStandby(_ envelope: Envelope, from routingID: [UInt8]) {
        let status = leadership?.status ?? .campaigning(problem: nil)
        switch standby.answer(to: envelope.message, from: routingID) {
        case .status:
            let document = StatusDocument(
                phase: StandbyAnswers.phase(status), services: [], rejections: rejections,
                leadership: LeadershipDocument(status))
            send(.statusReply(document), to: routingID, replyTo: envelope.id)
        case .standby:
            send(StandbyAnswers.standby(status), to: routingID, replyTo: envelope.id)
        case .nothing:
            break
        }
    }

    /// This coordinator won the election with `key`: it reads the fleet's journal in etcd, leads with
    /// the key's epoch, resumes as a restarted coordinator does (from the journal and the agents'
    /// snapshots), and tells every connection it answered `standby` that it does not know it, so that
    /// their agents register now. Without a readable journal it does not lead; a leader having
    /// finished the fleet's shutdown since this coordinator started, it ends.
    private func takeOver(with key: ElectionKey) {
        guard let leadership else { return }
        let journal: EtcdJournal
        let pending: RecordedShutdown?
        do {
            journal = try leadership.openJournal(leading: key)
            pending = journal.pendingShutdown()
            if pending == nil {
                if let start = leadership.startRevision, journal.ended(since: start) {
                    standbyEnd = Self.fleetShutDown
                    return
                }
                try journal.clearEnd()
            }
        } catch {
            refuseLeadership(because: error)
            return
        }
        self.journal = journal
        epoch = key.epoch
        machine = CoordinatorStateMachine(configuration: configuration, now: clock.now, resuming: pending)
        timers = TimerSet()
        registry = AgentRegistry()
        leads = true
        logger.notice(
            "Leading the fleet",
            metadata: ["epoch": "\(epoch)", "phase": "\(machine.phaseName)", "key": "\(key.key)"])
        for routingID in standby.takeAnswered() {
            send(.error("not registered"), to: routingID)
        }
        perform(machine.start(now: clock.now))
    }

    /// The journal in etcd could not be read or written as this coordinator leads: what it would
    /// order might be unknown to its successor, so it does not lead with this key. It resigns and
    /// campaigns again; leading again, it reads the journal afresh.
    func refuseLeadership(because error: any Error) {
        logger.error(
            "Cannot keep the shutdown's journal in etcd; not leading with this election key, campaigning again",
            metadata: ["error": "\(error)"])
        electionMoved(leadership?.refuse(problem: "\(error)", now: clock.now) ?? [])
    }

    /// This coordinator may no longer prove it leads: it sends no order from now on, tells the agents
    /// it had welcomed and the operators waiting for a report that it stands by, and answers as a
    /// standby while it campaigns again. What it knew of the fleet is dropped: the journal and the
    /// agents' snapshots hold it for whichever coordinator leads next, itself included.
    private func stepDown(because reason: String) {
        guard leads else { return }
        leads = false
        logger.warning(
            "Stopped ordering the fleet: this coordinator no longer leads", metadata: ["reason": "\(reason)"])
        let answer = StandbyAnswers.standby(leadership?.status ?? .demoted(.leaseUnproven(lastProblem: nil)))
        for routingID in registry.routingIDs {
            send(answer, to: routingID)
            standby.remember(routingID)
        }
        for watcher in watchers {
            send(answer, to: watcher.routingID, replyTo: watcher.requestID)
        }
        watchers = []
        registry = AgentRegistry()
        timers = TimerSet()
        journal = nil
    }
}
