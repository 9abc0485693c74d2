import QuiesceCore
import Testing

/// The epoch of a leader whose key etcd created at `revision`.
private func epoch(_ revision: UInt64) -> UInt64 { (1 << 56) + revision }

/// The leadership rule, event by event, with a manual clock. A lease of 6 s is renewed every 2 s,
/// retried every 0.5 s after a failure, and proves the leadership until 4 s after the send of the
/// last grant or renewal that succeeded.
@Suite("Leadership")
struct LeadershipStateMachineTests {
    typealias Machine = LeadershipStateMachine
    static let ttl = Duration.seconds(6)
    static let key = ElectionKey(key: "/quiesce/fleet/1a", revision: 41, lease: 0x1a)

    /// A machine that leads with `key` (epoch 41), its lease granted at `.zero` and the campaign won at 1 s.
    static func leader(_ clock: inout ManualClock) -> Machine {
        var machine = Machine(leaseTTL: ttl)
        _ = machine.start()
        _ = machine.leaseGranted(id: 0x1a, ttl: ttl, sentAt: clock.now, now: clock.now)
        clock.advance(by: .seconds(1))
        let actions = machine.campaignWon(key: key, now: clock.now)
        #expect(actions == [.startOrdering(epoch: epoch(41)), .report(.leading(epoch: epoch(41)))])
        return machine
    }

    @Test("A coordinator asks for a lease, campaigns with it, and leads with the epoch of its key's revision")
    func campaignToLeadership() {
        var clock = ManualClock()
        var machine = Machine(leaseTTL: Self.ttl)
        #expect(machine.start() == [.grantLease(ttl: .seconds(6)), .report(.campaigning(problem: nil))])
        #expect(!machine.mayOrder(at: clock.now))
        clock.advance(by: .milliseconds(300))
        let granted = machine.leaseGranted(id: 0x1a, ttl: Self.ttl, sentAt: .zero, now: clock.now)
        #expect(
            granted == [
                .campaign(lease: 0x1a),
                .scheduleTimer(.renewal(lease: 0x1a), at: .after(.milliseconds(2300))),
                .scheduleTimer(.leaseDeadline(lease: 0x1a), at: .after(.seconds(4))),
                .report(.campaigning(problem: nil)),
            ])
        #expect(!machine.mayOrder(at: clock.now), "campaigning is not leading")
        clock.advance(by: .milliseconds(700))
        let won = machine.campaignWon(key: Self.key, now: clock.now)
        #expect(won == [.startOrdering(epoch: epoch(41)), .report(.leading(epoch: epoch(41)))])
        #expect(machine.mayOrder(at: clock.now))
        #expect(machine.status == .leading(epoch: epoch(41)))
    }

    @Test("The lease is counted from when the grant was sent, not from when its answer came")
    func leaseCountedFromSend() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        let granted = machine.leaseGranted(id: 7, ttl: Self.ttl, sentAt: .zero, now: .after(.milliseconds(1500)))
        #expect(granted.contains(.scheduleTimer(.leaseDeadline(lease: 7), at: .after(.seconds(4)))))
        _ = machine.campaignWon(key: ElectionKey(key: "/f/7", revision: 3, lease: 7), now: .after(.seconds(2)))
        #expect(machine.mayOrder(at: .after(.milliseconds(3999))))
        #expect(!machine.mayOrder(at: .after(.seconds(4))), "one renewal interval before 0 s + 6 s")
    }

    @Test("Renewals that succeed keep the leadership proven, counted from each renewal's send")
    func renewalsKeepLeading() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        clock.now = .after(.seconds(2))
        #expect(machine.timerFired(.renewal(lease: 0x1a), now: clock.now) == [.renewLease(0x1a)])
        clock.advance(by: .milliseconds(400))
        let renewed = machine.renewalSucceeded(lease: 0x1a, ttl: Self.ttl, sentAt: .after(.seconds(2)), now: clock.now)
        #expect(
            renewed == [
                .scheduleTimer(.renewal(lease: 0x1a), at: .after(.milliseconds(4400))),
                .scheduleTimer(.leaseDeadline(lease: 0x1a), at: .after(.seconds(6))),
            ])
        clock.now = .after(.seconds(4))
        #expect(machine.timerFired(.leaseDeadline(lease: 0x1a), now: clock.now) == [], "the deadline moved")
        #expect(machine.mayOrder(at: .after(.milliseconds(5999))))
        #expect(machine.status == .leading(epoch: epoch(41)))
    }

    @Test("A leader whose renewals fail stops ordering at the deadline, resigns, and asks for a new lease")
    func failedRenewalsDemote() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        clock.now = .after(.seconds(2))
        #expect(machine.timerFired(.renewal(lease: 0x1a), now: clock.now) == [.renewLease(0x1a)])
        let problem = "etcd lease keep-alive: no endpoint answered"
        var failed = machine.renewalFailed(lease: 0x1a, problem: problem, now: clock.now)
        #expect(failed == [.scheduleTimer(.renewal(lease: 0x1a), at: .after(.milliseconds(2500)))])
        #expect(machine.mayOrder(at: clock.now), "one failure proves nothing yet: the lease may live")
        clock.now = .after(.milliseconds(2500))
        #expect(machine.timerFired(.renewal(lease: 0x1a), now: clock.now) == [.renewLease(0x1a)])
        failed = machine.renewalFailed(lease: 0x1a, problem: problem, now: clock.now)
        #expect(failed == [.scheduleTimer(.renewal(lease: 0x1a), at: .after(.seconds(3)))])
        #expect(machine.status == .leading(epoch: epoch(41)))
        #expect(!machine.mayOrder(at: .after(.seconds(4))), "past the deadline even before its timer fires")
        clock.now = .after(.seconds(4))
        let demoted = machine.timerFired(.leaseDeadline(lease: 0x1a), now: clock.now)
        let reason = DemotionReason.leaseUnproven(lastProblem: problem)
        #expect(
            demoted == [
                .stopOrdering, .resign(Self.key), .revokeLease(0x1a), .grantLease(ttl: .seconds(6)),
                .report(.demoted(reason)),
            ])
        #expect(machine.status == .demoted(reason))
        #expect(!machine.mayOrder(at: clock.now))
        #expect(machine.timerFired(.renewal(lease: 0x1a), now: clock.now) == [], "the old lease is given up")
        #expect(machine.renewalSucceeded(lease: 0x1a, ttl: Self.ttl, sentAt: .after(.seconds(3)), now: clock.now) == [])
        #expect(!machine.mayOrder(at: clock.now), "a late renewal does not restore the leadership")
    }

    @Test("A demoted leader campaigns again with a new lease, and leads again only with a later revision's epoch")
    func leadsAgainWithHigherEpoch() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        clock.now = .after(.seconds(4))
        _ = machine.timerFired(.leaseDeadline(lease: 0x1a), now: clock.now)
        clock.advance(by: .seconds(1))
        let granted = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: .after(.seconds(4)), now: clock.now)
        #expect(granted.first == .campaign(lease: 0x2b))
        #expect(granted.last == .report(.campaigning(problem: nil)))
        let late = machine.campaignWon(key: Self.key, now: clock.now)
        #expect(late == [.resign(Self.key)], "a campaign of the old lease that wins late is resigned")
        let again = ElectionKey(key: "/quiesce/fleet/2b", revision: 57, lease: 0x2b)
        #expect(
            machine.campaignWon(key: again, now: clock.now) == [
                .startOrdering(epoch: epoch(57)), .report(.leading(epoch: epoch(57))),
            ])
    }

    @Test("A campaign won once the lease is no longer proven leads nothing: it is resigned and the lease replaced")
    func wonTooLate() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        _ = machine.leaseGranted(id: 0x1a, ttl: Self.ttl, sentAt: .zero, now: .zero)
        let won = machine.campaignWon(key: Self.key, now: .after(.seconds(4)))
        #expect(
            won == [
                .resign(Self.key), .revokeLease(0x1a), .grantLease(ttl: .seconds(6)),
                .report(.demoted(.leaseUnproven(lastProblem: nil))),
            ])
        #expect(!machine.mayOrder(at: .after(.seconds(4))))
    }

    @Test("A standby reports the leader and never orders, whatever it is told")
    func standbyNeverOrders() {
        var clock = ManualClock()
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        _ = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: .zero, now: .zero)
        let other = ElectionKey(key: "/quiesce/fleet/1a", revision: 41, lease: 0x1a)
        let observed = machine.leaderObserved(key: other, value: "coordinator-a", now: clock.now)
        #expect(observed == [.report(.standingBy(leader: "coordinator-a", epoch: epoch(41)))])
        #expect(machine.leaderObserved(key: other, value: "coordinator-a", now: clock.now) == [], "no news")
        var every: [Machine.Action] = []
        clock.now = .after(.seconds(2))
        every += machine.timerFired(.renewal(lease: 0x2b), now: clock.now)
        every += machine.renewalSucceeded(lease: 0x2b, ttl: Self.ttl, sentAt: clock.now, now: clock.now)
        every += machine.renewalFailed(lease: 0x2b, problem: "etcd unreachable", now: clock.now)
        every += machine.campaignFailed(lease: 0x2b, problem: "etcd campaign: no answer", now: clock.now)
        every += machine.timerFired(.retryCampaign(lease: 0x2b), now: clock.now)
        every += machine.leaderObserved(
            key: ElectionKey(key: "/quiesce/fleet/3c", revision: 60, lease: 0x3c), value: "coordinator-c",
            now: clock.now)
        clock.now = .after(.seconds(6))
        every += machine.timerFired(.leaseDeadline(lease: 0x2b), now: clock.now)
        #expect(!every.contains { if case .startOrdering = $0 { true } else { false } })
        #expect(!machine.mayOrder(at: clock.now))
        #expect(every.contains(.campaign(lease: 0x2b)), "the failed campaign was tried again")
        #expect(every.contains(.report(.standingBy(leader: "coordinator-c", epoch: epoch(60)))))
        #expect(every.suffix(3) == [.revokeLease(0x2b), .grantLease(ttl: .seconds(6)), .report(machine.status)])
        #expect(machine.status == .campaigning(problem: "the lease could not be renewed in time (etcd unreachable)"))
    }

    @Test("A standby whose own campaign wins leads, with its key's epoch")
    func standbyTakesOver() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        _ = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: .zero, now: .zero)
        _ = machine.leaderObserved(key: Self.key, value: "coordinator-a", now: .zero)
        let ours = ElectionKey(key: "/quiesce/fleet/2b", revision: 44, lease: 0x2b)
        #expect(machine.leaderObserved(key: ours, value: "coordinator-b", now: .after(.seconds(1))) == [])
        let won = machine.campaignWon(key: ours, now: .after(.seconds(1)))
        #expect(won == [.startOrdering(epoch: epoch(44)), .report(.leading(epoch: epoch(44)))])
        #expect(machine.mayOrder(at: .after(.seconds(1))))
    }

    @Test("A leader observed before any lease was granted makes the coordinator a standby once it has one")
    func leaderObservedBeforeTheLease() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        #expect(machine.leaderObserved(key: Self.key, value: "coordinator-a", now: .zero) == [])
        #expect(machine.status == .campaigning(problem: nil), "no lease yet: campaigning still")
        let granted = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: .zero, now: .zero)
        #expect(granted.first == .campaign(lease: 0x2b), "a standby campaigns too")
        #expect(granted.last == .report(.standingBy(leader: "coordinator-a", epoch: epoch(41))))
        #expect(!machine.mayOrder(at: .zero))
    }

    @Test("A demoted leader does not stand by behind its own old key")
    func ownKeyForgottenOnDemotion() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        _ = machine.leaderObserved(key: Self.key, value: "us", now: clock.now)
        _ = machine.leaseLost(lease: 0x1a, now: clock.now)
        let granted = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: clock.now, now: clock.now)
        #expect(granted.last == .report(.campaigning(problem: nil)))
    }

    @Test("A leader whose journal in etcd is refused stops ordering, resigns and campaigns again; a standby ignores it")
    func journalRefusalDemotes() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        let reason = DemotionReason.journalUnusable("the journal's outcome of api was not written")
        let refused = machine.leadershipRefused(problem: "the journal's outcome of api was not written", now: clock.now)
        #expect(
            refused == [
                .stopOrdering, .resign(Self.key), .revokeLease(0x1a), .grantLease(ttl: .seconds(6)),
                .report(.demoted(reason)),
            ])
        #expect(!machine.mayOrder(at: clock.now))
        #expect(machine.leadershipRefused(problem: "again", now: clock.now) == [], "no longer leading")
        _ = machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: clock.now, now: clock.now)
        let again = ElectionKey(key: "/quiesce/fleet/2b", revision: 57, lease: 0x2b)
        #expect(machine.campaignWon(key: again, now: clock.now).first == .startOrdering(epoch: epoch(57)))
    }

    @Test("A leader that observes a leader of a later revision stops ordering at once")
    func deposedByObservation() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        let older = ElectionKey(key: "/quiesce/fleet/0f", revision: 12, lease: 0x0f)
        #expect(machine.leaderObserved(key: older, value: "old", now: clock.now) == [], "an old observation")
        #expect(machine.leaderObserved(key: Self.key, value: "us", now: clock.now) == [])
        let newer = ElectionKey(key: "/quiesce/fleet/2b", revision: 50, lease: 0x2b)
        let deposed = machine.leaderObserved(key: newer, value: "coordinator-b", now: clock.now)
        let reason = DemotionReason.anotherLeader("coordinator-b", epoch: epoch(50))
        #expect(
            deposed == [.stopOrdering, .revokeLease(0x1a), .grantLease(ttl: .seconds(6)), .report(.demoted(reason))])
        #expect(!machine.mayOrder(at: clock.now))
    }

    @Test("A lease etcd says is gone demotes the leader at once")
    func leaseLostDemotes() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        #expect(machine.leaseLost(lease: 0x99, now: clock.now) == [], "not our lease")
        let lost = machine.renewalSucceeded(lease: 0x1a, ttl: .zero, sentAt: clock.now, now: clock.now)
        #expect(
            lost == [
                .stopOrdering, .resign(Self.key), .revokeLease(0x1a), .grantLease(ttl: .seconds(6)),
                .report(.demoted(.leaseExpired)),
            ])
        #expect(machine.leaseLost(lease: 0x1a, now: clock.now) == [], "already given up")
    }

    @Test("Resigning stops ordering, gives everything back, and ends the campaigning")
    func resign() {
        var clock = ManualClock()
        var machine = Self.leader(&clock)
        let resigned = machine.resignAsked(now: clock.now)
        #expect(resigned == [.stopOrdering, .resign(Self.key), .revokeLease(0x1a), .report(.demoted(.resigned))])
        #expect(!machine.mayOrder(at: clock.now))
        #expect(machine.resignAsked(now: clock.now) == [])
        #expect(
            machine.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: clock.now, now: clock.now) == [.revokeLease(0x2b)])
        #expect(machine.leaseGrantFailed(problem: "late", now: clock.now) == [])
        #expect(machine.timerFired(.retryGrant, now: clock.now) == [])
        #expect(machine.status == .demoted(.resigned))
    }

    @Test("A standby that resigns gives its lease back, which withdraws its campaign")
    func standbyResigns() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        #expect(machine.resignAsked(now: .zero) == [.report(.demoted(.resigned))], "no lease yet")
        var standby = Machine(leaseTTL: Self.ttl)
        _ = standby.start()
        _ = standby.leaseGranted(id: 0x2b, ttl: Self.ttl, sentAt: .zero, now: .zero)
        _ = standby.leaderObserved(key: Self.key, value: "coordinator-a", now: .zero)
        #expect(standby.resignAsked(now: .zero) == [.revokeLease(0x2b), .report(.demoted(.resigned))])
    }

    @Test("A grant or a campaign that fails is tried again after the retry delay, saying why")
    func retries() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        let problem = "etcd lease grant: no endpoint answered"
        let failed = machine.leaseGrantFailed(problem: problem, now: .after(.seconds(1)))
        #expect(
            failed == [
                .scheduleTimer(.retryGrant, at: .after(.milliseconds(1500))), .report(.campaigning(problem: problem)),
            ])
        #expect(machine.timerFired(.retryGrant, now: .after(.milliseconds(1500))) == [.grantLease(ttl: .seconds(6))])
        _ = machine.leaseGranted(id: 5, ttl: Self.ttl, sentAt: .after(.seconds(2)), now: .after(.seconds(2)))
        #expect(machine.timerFired(.retryGrant, now: .after(.seconds(2))) == [], "a lease is held")
        let campaign = machine.campaignFailed(lease: 5, problem: "timed out", now: .after(.seconds(3)))
        #expect(
            campaign == [
                .scheduleTimer(.retryCampaign(lease: 5), at: .after(.milliseconds(3500))),
                .report(.campaigning(problem: "timed out")),
            ])
        #expect(machine.campaignFailed(lease: 4, problem: "an old lease", now: .after(.seconds(3))) == [])
        #expect(machine.timerFired(.retryCampaign(lease: 4), now: .after(.seconds(4))) == [])
        #expect(machine.timerFired(.retryCampaign(lease: 5), now: .after(.seconds(4))) == [.campaign(lease: 5)])
    }

    @Test("A grant of no time is a failed grant")
    func grantOfNoTime() {
        var machine = Machine(leaseTTL: Self.ttl)
        _ = machine.start()
        let actions = machine.leaseGranted(id: 5, ttl: .zero, sentAt: .zero, now: .zero)
        #expect(actions.first == .scheduleTimer(.retryGrant, at: .after(.milliseconds(500))))
    }

    @Test("An epoch is 2^56 plus the key's revision: it grows with the revision and is above a lone coordinator's")
    func epochAboveLoneCoordinators() {
        let first = ElectionKey(key: "/quiesce/fleet/1", revision: 1, lease: 1)
        #expect(first.epoch == 72_057_594_037_927_937)
        #expect(ElectionKey(key: "/quiesce/fleet/2", revision: 2, lease: 2).epoch == first.epoch + 1)
        // A lone coordinator's epoch: a counter, or milliseconds since 1970, which reach the end of
        // the year 9999 at 253,402,300,800,000.
        #expect(first.epoch > 253_402_300_800_000)
        #expect(ElectionKey(key: "/quiesce/fleet/x", revision: .max, lease: 3).epoch == (1 << 56) + UInt64(Int64.max))
    }

    @Test("What status says in each case")
    func statusText() {
        #expect("\(LeadershipStatus.campaigning(problem: nil))" == "campaigning")
        #expect("\(LeadershipStatus.leading(epoch: 41))" == "leading with epoch 41")
        #expect(
            "\(LeadershipStatus.standingBy(leader: "coordinator-a", epoch: 41))"
                == "standing by: coordinator-a leads with epoch 41")
        #expect(
            "\(LeadershipStatus.demoted(.leaseUnproven(lastProblem: "etcd unreachable")))"
                == "demoted: the lease could not be renewed in time (etcd unreachable)")
        #expect(
            "\(LeadershipStatus.demoted(.anotherLeader("coordinator-b", epoch: 50)))"
                == "demoted: coordinator-b leads with the higher epoch 50")
    }
}
