/// Whether this coordinator may order the fleet, decided without I/O from what etcd answered.
///
/// Every coordinator of a fleet campaigns in one etcd election, each with a lease of its own that it
/// renews. The one whose campaign wins leads; the others stand by. The machine is told what etcd
/// answered (a lease granted, a campaign won, a renewal that succeeded or failed, a leader observed)
/// and when its timers fire, and returns what the runtime must do: ask etcd for a lease, campaign,
/// renew, resign, and above all start or stop ordering.
///
/// The rules:
/// - **The epoch comes from etcd.** A leader's epoch is 2^56 plus the revision at which its election
///   key was created (``ElectionKey/epoch``). That revision is higher than every earlier leader's:
///   etcd's revision is one counter for the whole cluster that only grows, and the election's leader is the key of lowest creation revision
///   under its name. A new leader's key was either created after the previous leader's key was
///   deleted, or already existed while that one led, when that one's was the lowest; either way it was
///   created at a later revision. So orders of a deposed leader carry a lower epoch than its
///   successor's, and agents that saw the successor refuse them.
/// - **A leader orders only while it can prove its lease is alive.** A lease lives `ttl` from when
///   etcd last renewed it; the machine counts from when the renewal (or the grant) was *sent*, which
///   is no later than when etcd renewed it. The leader stops ordering one renewal interval (a third of
///   the lease's TTL) before that conservative expiry: the margin covers an order still in flight to an
///   agent, a loop that turns late, and clocks whose rates differ a little, while leaving room for
///   several retried renewals before it. It then resigns, gives its lease back and campaigns again, as
///   Patroni demotes a primary that cannot update its leader key.
/// - **A standby never orders**, whatever it is told.
/// - Answers about a lease this machine no longer holds (a late renewal, a campaign won after the
///   lease was given up) change nothing; a lease or a leadership nobody wants any more is given back.
public struct LeadershipStateMachine: Sendable {
    /// The lease TTL asked of etcd (etcd may grant a longer one, never shorter than its minimum).
    public let leaseTTL: Duration

    private enum State: Sendable {
        /// Campaigning: a lease is asked for (`lease == nil`) or held, and its campaign is in flight.
        case campaigning(lease: Lease?, problem: String?)
        /// Campaigning, while another coordinator leads.
        case standingBy(lease: Lease, leader: ObservedLeader)
        /// Leading: this coordinator's campaign won with `key`, whose revision gives the epoch.
        case leading(key: ElectionKey, lease: Lease)
        /// Not leading, for `reason`; unless it resigned, a new lease is asked for.
        case demoted(reason: DemotionReason)
    }

    /// A lease this machine holds: its id, its TTL, and when it might expire at the latest.
    private struct Lease: Sendable {
        var id: Int64
        var ttl: Duration
        /// The send time of the last grant or renewal that succeeded, plus its TTL.
        var expiry: Timestamp
        /// What the last renewal that failed said, until one succeeds.
        var lastProblem: String?

        /// When the leader must stop ordering: one renewal interval before ``expiry``.
        var orderingDeadline: Timestamp { expiry + (.zero - LeadershipStateMachine.renewalInterval(ttl)) }
    }

    private var state: State = .campaigning(lease: nil, problem: nil)
    /// The election's leader observed last, whatever the state was: one observed while this machine
    /// held no lease makes it a standby as soon as it has one, not only once the leader changes.
    private var lastObserved: ObservedLeader?

    /// - Parameter leaseTTL: the lease TTL to ask of etcd (`coordinator.ha.lease_ttl`).
    public init(leaseTTL: Duration) {
        self.leaseTTL = leaseTTL
    }

    /// How often a lease of `ttl` is renewed, and how long before its conservative expiry a leader
    /// stops ordering: a third of the TTL, as etcd's own clients renew.
    public static func renewalInterval(_ ttl: Duration) -> Duration { ttl / 3 }

    /// How long after a failure a renewal, a grant or a campaign is tried again: a quarter of the
    /// renewal interval, so that a leader tries four renewals before it stops ordering.
    public static func retryDelay(_ ttl: Duration) -> Duration { renewalInterval(ttl) / 4 }

    /// What this coordinator is now, for `status` and the logs.
    public var status: LeadershipStatus {
        switch state {
        case .campaigning(_, let problem): .campaigning(problem: problem)
        case .standingBy(_, let leader): .standingBy(leader: leader.value, epoch: leader.epoch)
        case .leading(let key, _): .leading(epoch: key.epoch)
        case .demoted(let reason): .demoted(reason)
        }
    }

    /// Whether this coordinator may send an order at `now`: it leads, and its lease is proven alive
    /// past `now`. The runtime asks before every order, so that an order is never sent between the
    /// lease's ordering deadline and the turn of the loop that fires its timer.
    public func mayOrder(at now: Timestamp) -> Bool {
        guard case .leading(_, let lease) = state else { return false }
        return now < lease.orderingDeadline
    }

    /// The coordinator starts: it asks etcd for a lease, then campaigns with it.
    public mutating func start() -> [Action] {
        state = .campaigning(lease: nil, problem: nil)
        return [.grantLease(ttl: leaseTTL), .report(status)]
    }

    /// etcd granted lease `id` of `ttl`, asked at `sentAt`: the machine campaigns with it.
    public mutating func leaseGranted(id: Int64, ttl: Duration, sentAt: Timestamp, now: Timestamp) -> [Action] {
        guard ttl > .zero else { return leaseGrantFailed(problem: "etcd granted lease \(id) no time", now: now) }
        guard awaitsLease else { return [.revokeLease(id)] }
        let lease = Lease(id: id, ttl: ttl, expiry: sentAt + ttl)
        if let leader = lastObserved, leader.key.lease != id {
            state = .standingBy(lease: lease, leader: leader)
        } else {
            state = .campaigning(lease: lease, problem: nil)
        }
        return [.campaign(lease: id)] + Self.timers(of: lease, now: now) + [.report(status)]
    }

    /// etcd did not grant a lease (unreachable, or an error): ask again after the retry delay.
    public mutating func leaseGrantFailed(problem: String, now: Timestamp) -> [Action] {
        guard awaitsLease else { return [] }
        state = .campaigning(lease: nil, problem: problem)
        return [.scheduleTimer(.retryGrant, at: now + Self.retryDelay(leaseTTL)), .report(status)]
    }

    /// The campaign with lease `key.lease` won: this coordinator leads with `key.epoch`, if
    /// its lease is still proven alive at `now`.
    public mutating func campaignWon(key: ElectionKey, now: Timestamp) -> [Action] {
        switch state {
        case .campaigning(.some(let lease), _) where lease.id == key.lease,
            .standingBy(let lease, _) where lease.id == key.lease:
            guard now < lease.orderingDeadline else {
                return demote(.leaseUnproven(lastProblem: lease.lastProblem), lease: lease, key: key)
            }
            state = .leading(key: key, lease: lease)
            return [.startOrdering(epoch: key.epoch), .report(status)]
        case .campaigning, .standingBy, .leading, .demoted:
            return [.resign(key)]
        }
    }

    /// The campaign with lease `lease` failed (an error, or its timeout): campaign again after the
    /// retry delay.
    public mutating func campaignFailed(lease: Int64, problem: String, now: Timestamp) -> [Action] {
        switch state {
        case .campaigning(.some(let held), _) where held.id == lease:
            state = .campaigning(lease: held, problem: problem)
            return [.scheduleTimer(.retryCampaign(lease: lease), at: now + Self.retryDelay(held.ttl)), .report(status)]
        case .standingBy(let held, _) where held.id == lease:
            return [.scheduleTimer(.retryCampaign(lease: lease), at: now + Self.retryDelay(held.ttl))]
        case .campaigning, .standingBy, .leading, .demoted:
            return []
        }
    }

    /// etcd renewed lease `lease` for `ttl`, asked at `sentAt`: the lease is proven alive until
    /// `sentAt + ttl`, less the margin.
    public mutating func renewalSucceeded(lease: Int64, ttl: Duration, sentAt: Timestamp, now: Timestamp) -> [Action] {
        guard ttl > .zero else { return leaseLost(lease: lease, now: now) }
        guard var held = heldLease, held.id == lease else { return [] }
        held.ttl = ttl
        held.expiry = max(held.expiry, sentAt + ttl)
        held.lastProblem = nil
        replaceHeldLease(with: held)
        return Self.timers(of: held, now: now)
    }

    /// A renewal of lease `lease` failed (etcd unreachable, an error, a timeout): renew again after
    /// the retry delay. Nothing else changes until the ordering deadline passes.
    public mutating func renewalFailed(lease: Int64, problem: String, now: Timestamp) -> [Action] {
        guard var held = heldLease, held.id == lease else { return [] }
        held.lastProblem = problem
        replaceHeldLease(with: held)
        return [.scheduleTimer(.renewal(lease: lease), at: now + Self.retryDelay(held.ttl))]
    }

    /// etcd says lease `lease` no longer exists (a renewal answered with no time left, or "lease not
    /// found"): whatever this coordinator was doing with it is over.
    public mutating func leaseLost(lease: Int64, now: Timestamp) -> [Action] {
        guard let held = heldLease, held.id == lease else { return [] }
        return loseLease(held, reason: .leaseExpired)
    }

    /// The election's leader is `key`, holding `value` (what it campaigned with: its name).
    public mutating func leaderObserved(key: ElectionKey, value: String, now: Timestamp) -> [Action] {
        let observed = ObservedLeader(key: key, value: value)
        lastObserved = observed
        switch state {
        case .leading(let ours, let lease):
            guard key.revision > ours.revision else { return [] }
            // A leader of a later revision means this one's key is gone: its lease expired at etcd.
            return demote(.anotherLeader(value, epoch: key.epoch), lease: lease, key: nil)
        case .campaigning(.some(let lease), _) where key.lease != lease.id:
            state = .standingBy(lease: lease, leader: observed)
            return [.report(status)]
        case .standingBy(let lease, let leader) where key.lease != lease.id && key != leader.key:
            state = .standingBy(lease: lease, leader: observed)
            return [.report(status)]
        case .campaigning, .standingBy, .demoted:
            return []
        }
    }

    /// A timer this machine asked for fired at `now`.
    public mutating func timerFired(_ timer: Timer, now: Timestamp) -> [Action] {
        switch timer {
        case .renewal(let lease):
            guard let held = heldLease, held.id == lease else { return [] }
            return [.renewLease(lease)]
        case .leaseDeadline(let lease):
            guard let held = heldLease, held.id == lease, now >= held.orderingDeadline else { return [] }
            return loseLease(held, reason: .leaseUnproven(lastProblem: held.lastProblem))
        case .retryGrant:
            guard case .campaigning(nil, _) = state else { return [] }
            return [.grantLease(ttl: leaseTTL)]
        case .retryCampaign(let lease):
            switch state {
            case .campaigning(.some(let held), _) where held.id == lease: return [.campaign(lease: lease)]
            case .standingBy(let held, _) where held.id == lease: return [.campaign(lease: lease)]
            case .campaigning, .standingBy, .leading, .demoted: return []
            }
        }
    }

    /// The leader cannot lead with the key it won: the shutdown's journal in etcd refused a write or
    /// could not be read, so that what it would order might not be known to its successor. As when
    /// its lease is lost, it stops ordering, resigns, and campaigns again with a new lease; leading
    /// again, it reads the journal afresh.
    public mutating func leadershipRefused(problem: String, now: Timestamp) -> [Action] {
        guard case .leading(let key, let lease) = state else { return [] }
        return demote(.journalUnusable(problem), lease: lease, key: key)
    }

    /// The coordinator is asked to step down (it is stopping): it stops ordering if it led, resigns,
    /// gives its lease back, and campaigns no more.
    public mutating func resignAsked(now: Timestamp) -> [Action] {
        var actions: [Action] = []
        switch state {
        case .leading(let key, let lease):
            actions = [.stopOrdering, .resign(key), .revokeLease(lease.id)]
        case .campaigning(.some(let lease), _), .standingBy(let lease, _):
            actions = [.revokeLease(lease.id)]
        case .demoted(reason: .resigned):
            return []
        case .campaigning(nil, _), .demoted:
            break
        }
        state = .demoted(reason: .resigned)
        return actions + [.report(status)]
    }

    // MARK: - Private

    /// Whether a lease is asked for: campaigning without one, or demoted other than by resigning.
    private var awaitsLease: Bool {
        switch state {
        case .campaigning(nil, _): true
        case .demoted(let reason): reason != .resigned
        case .campaigning(.some, _), .standingBy, .leading: false
        }
    }

    private var heldLease: Lease? {
        switch state {
        case .campaigning(let lease, _): lease
        case .standingBy(let lease, _), .leading(_, let lease): lease
        case .demoted: nil
        }
    }

    private mutating func replaceHeldLease(with lease: Lease) {
        switch state {
        case .campaigning(_, let problem): state = .campaigning(lease: lease, problem: problem)
        case .standingBy(_, let leader): state = .standingBy(lease: lease, leader: leader)
        case .leading(let key, _): state = .leading(key: key, lease: lease)
        case .demoted: break
        }
    }

    /// The held lease is dead or unproven: a leader is demoted; a campaigner starts over with a new lease.
    private mutating func loseLease(_ lease: Lease, reason: DemotionReason) -> [Action] {
        if case .leading(let key, _) = state { return demote(reason, lease: lease, key: key) }
        forgetObservation(of: lease)
        state = .campaigning(lease: nil, problem: reason.description)
        return [.revokeLease(lease.id), .grantLease(ttl: leaseTTL), .report(status)]
    }

    /// Stops ordering if this coordinator led, gives up `key` and `lease`, and asks for a new lease.
    private mutating func demote(_ reason: DemotionReason, lease: Lease, key: ElectionKey?) -> [Action] {
        var actions: [Action] = []
        if case .leading = state { actions.append(.stopOrdering) }
        if let key { actions.append(.resign(key)) }
        forgetObservation(of: lease)
        state = .demoted(reason: reason)
        actions += [.revokeLease(lease.id), .grantLease(ttl: leaseTTL), .report(status)]
        return actions
    }

    /// A leader observed with `lease`, this machine's own, is gone with it: it is no standby's leader.
    private mutating func forgetObservation(of lease: Lease) {
        if lastObserved?.key.lease == lease.id { lastObserved = nil }
    }

    private static func timers(of lease: Lease, now: Timestamp) -> [Action] {
        [
            .scheduleTimer(.renewal(lease: lease.id), at: now + renewalInterval(lease.ttl)),
            .scheduleTimer(.leaseDeadline(lease: lease.id), at: lease.orderingDeadline),
        ]
    }
}

/// The leader of the election as observed: its key and what it campaigned with.
struct ObservedLeader: Sendable, Equatable {
    var key: ElectionKey
    var value: String

    var epoch: UInt64 { key.epoch }
}
