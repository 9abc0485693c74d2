import Logging
import QuiesceCore
import QuiesceRuntime

/// The coordinator's part in the election of standby coordinators, on its loop's thread: the
/// ``LeadershipStateMachine`` with its timers, fed with what the ``LeadershipDriver`` got from etcd,
/// and the driver asked to make the calls the machine wants. It tells the runtime the two changes
/// that matter to it, to start and to stop ordering, and logs what this coordinator is, once per
/// change.
struct LeadershipBridge {
    /// What the runtime must do after the election moved.
    enum Change: Equatable {
        /// Lead the fleet with `key`, whose ``ElectionKey/epoch`` every message now carries.
        case lead(ElectionKey)
        /// Stop ordering at once: this coordinator no longer leads, for `reason`.
        case stopOrdering(reason: String)
    }

    private var machine: LeadershipStateMachine
    private var timers = TimerSet<LeadershipStateMachine.Timer>()
    private let driver: LeadershipDriver
    private let logger: Logger
    /// The key of the campaign that won last, until the machine says whether it leads with it.
    private var wonKey: ElectionKey?
    /// The key this coordinator leads with, while it does.
    private(set) var leaderKey: ElectionKey?
    /// The lease held, for the resignation at the end.
    private var lease: Int64?
    /// The status last logged.
    private var logged: LeadershipStatus?
    /// The store's revision when etcd first granted this coordinator a lease: a shutdown that a
    /// leader finished at a later revision ended while this coordinator ran.
    private(set) var startRevision: Int64?

    init(driver: LeadershipDriver, leaseTTL: Duration, logger: Logger) {
        self.driver = driver
        self.machine = LeadershipStateMachine(leaseTTL: leaseTTL)
        self.logger = logger
    }

    /// Readable while etcd's answers wait: the loop polls it, then calls ``answersArrived(now:)``.
    var fileDescriptor: Int32 { driver.answers.fileDescriptor }

    /// The next timer's deadline, for the loop's poll.
    var nextDeadline: Timestamp? {
        mutating get { timers.nextDeadline }
    }

    /// What this coordinator is now, for `status`.
    var status: LeadershipStatus { machine.status }

    /// Whether this coordinator may send an order at `now` (``LeadershipStateMachine/mayOrder(at:)``).
    func mayOrder(at now: Timestamp) -> Bool { machine.mayOrder(at: now) }

    /// Asks for the first lease, and starts following the election's leader.
    mutating func start(now: Timestamp) -> [Change] {
        driver.observe(retryDelay: LeadershipStateMachine.retryDelay(machine.leaseTTL))
        return perform(machine.start(), now: now)
    }

    /// Tells the machine what etcd answered since the last call.
    mutating func answersArrived(now: Timestamp) -> [Change] {
        var changes: [Change] = []
        for answer in driver.answers.drain() {
            let actions: [LeadershipStateMachine.Action]
            switch answer {
            case .leaseGranted(let id, let ttl, let sentAt, let revision):
                if startRevision == nil, revision > 0 { startRevision = revision }
                actions = machine.leaseGranted(id: id, ttl: ttl, sentAt: sentAt, now: now)
                if case .campaign(let held)? = actions.first, held == id { lease = id }
            case .leaseGrantFailed(let problem):
                actions = machine.leaseGrantFailed(problem: problem, now: now)
            case .campaignWon(let key):
                wonKey = key
                actions = machine.campaignWon(key: key, now: now)
            case .campaignFailed(let lease, let problem):
                actions = machine.campaignFailed(lease: lease, problem: problem, now: now)
            case .renewed(let lease, let ttl, let sentAt):
                actions = machine.renewalSucceeded(lease: lease, ttl: ttl, sentAt: sentAt, now: now)
            case .renewalFailed(let lease, let problem):
                if let unlogged = renewalLog.record("renewal", now: now) {
                    logger.warning(
                        "Cannot renew the lease",
                        metadata: ["error": "\(problem)", "unlogged_since_last": "\(unlogged)"])
                }
                actions = machine.renewalFailed(lease: lease, problem: problem, now: now)
            case .leaseLost(let lease):
                actions = machine.leaseLost(lease: lease, now: now)
            case .leaderObserved(let key, let value):
                actions = machine.leaderObserved(key: key, value: value, now: now)
            }
            changes += perform(actions, now: now)
        }
        return changes
    }

    /// The runtime cannot lead with the key it won (``LeadershipStateMachine/leadershipRefused(problem:now:)``).
    mutating func refuse(problem: String, now: Timestamp) -> [Change] {
        perform(machine.leadershipRefused(problem: problem, now: now), now: now)
    }

    /// Opens the fleet's journal in etcd for the leader holding `key` (``EtcdJournal``).
    func openJournal(leading key: ElectionKey) throws -> EtcdJournal {
        try driver.openJournal(leading: key)
    }

    /// Fires the machine's timers that are due.
    mutating func timersDue(now: Timestamp) -> [Change] {
        timers.popExpired(now: now).flatMap { perform(machine.timerFired($0, now: now), now: now) }
    }

    /// This coordinator is ending: it stops ordering if it led, resigns and gives its lease back,
    /// waiting `bound` at most for etcd, and closes its client.
    mutating func finish(now: Timestamp, within bound: Duration) {
        let key = leaderKey
        _ = machine.resignAsked(now: now)
        leaderKey = nil
        driver.finish(resigning: key, revoking: lease, within: bound)
        lease = nil
    }

    /// Keeps failing renewals from flooding the log.
    private var renewalLog = LogThrottle(interval: .seconds(10))

    private mutating func perform(_ actions: [LeadershipStateMachine.Action], now: Timestamp) -> [Change] {
        var changes: [Change] = []
        for action in actions {
            switch action {
            case .grantLease(let ttl): driver.grant(ttl: ttl)
            case .campaign(let lease): driver.campaign(lease: lease)
            case .renewLease(let lease): driver.renew(lease: lease)
            case .scheduleTimer(let timer, let deadline): timers.schedule(timer, at: deadline)
            case .startOrdering:
                if let wonKey {
                    leaderKey = wonKey
                    changes.append(.lead(wonKey))
                }
            case .stopOrdering:
                leaderKey = nil
                changes.append(.stopOrdering(reason: Self.reason(machine.status)))
            case .resign(let key): driver.resign(key)
            case .revokeLease(let id):
                if lease == id { lease = nil }
                driver.revoke(lease: id)
            case .report(let status):
                guard status != logged else { continue }
                logged = status
                logger.notice("\(status)", metadata: ["election": "\(driver.electionName)"])
            }
        }
        return changes
    }

    private static func reason(_ status: LeadershipStatus) -> String {
        if case .demoted(let reason) = status { return reason.description }
        return status.description
    }
}
