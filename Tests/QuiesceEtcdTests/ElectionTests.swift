import QuiesceEtcd
import Testing

/// The election API against a real etcd: one leader at a time, a later leader of a higher revision.
@Suite("etcd elections", .enabled(if: EtcdServer.isInstalled, "etcd is not installed: apt-get install -y etcd-server"))
struct ElectionTests {
    static let election = "/quiesce/fleet"

    @Test("The second campaigner leads only once the first resigns, with a higher revision")
    func secondLeadsAfterResign() async throws {
        try await withEtcd(timeout: .seconds(60)) { _, etcd in
            #expect(try await etcd.leader(Self.election) == nil, "no leader before any campaign")
            let first = try await etcd.grant(ttl: .seconds(600)).lease
            let second = try await etcd.grant(ttl: .seconds(600)).lease
            let a = try await etcd.campaign(Self.election, value: "coordinator-a", lease: first, timeout: .seconds(60))
            #expect(a.lease == first)
            #expect(a.keyText.hasPrefix(Self.election + "/"))
            let b = Task {
                try await etcd.campaign(Self.election, value: "coordinator-b", lease: second, timeout: .seconds(180))
            }
            // While a leads, b's campaign waits: its key is queued behind a's.
            let queued = try await waitUntil(within: .seconds(120)) {
                try await etcd.range(.prefix(Self.election + "/")).count == 2
            }
            #expect(queued)
            try await Task.sleep(for: .seconds(1))
            #expect(try await etcd.leader(Self.election)?.valueText == "coordinator-a")
            try await etcd.resign(a)
            let leader = try await b.value
            #expect(leader.lease == second)
            #expect(leader.revision > a.revision, "the epoch of the later leader is higher")
            let now = try await etcd.leader(Self.election)
            #expect(now?.valueText == "coordinator-b")
            #expect(now?.revision == leader.revision)
        }
    }

    @Test("When the leader's lease expires, the standby leads with a higher revision")
    func standbyLeadsAfterExpiry() async throws {
        try await withEtcd(timeout: .seconds(60)) { _, etcd in
            let standby = try await etcd.grant(ttl: .seconds(600)).lease
            let a = try await leadOnShortLease(etcd)
            let start = ContinuousClock.now
            let b = try await etcd.campaign(Self.election, value: "b", lease: standby, timeout: .seconds(180))
            #expect(ContinuousClock.now - start > .seconds(1), "b waited for a's lease to expire")
            #expect(b.revision > a.revision)
            #expect(try await etcd.leader(Self.election)?.valueText == "b")
        }
    }

    /// Leads the election as "a" on a lease of 10 s, short since the test waits for its expiry, and
    /// renewed once it leads; on a lease granted anew (5 tries) when a loaded machine let it expire
    /// before the campaign ended, which is the machine's pace and not what the test is about.
    private func leadOnShortLease(_ etcd: EtcdClient) async throws -> EtcdLeaderKey {
        var attempt = 1
        while true {
            let lease = try await etcd.grant(ttl: .seconds(10)).lease
            do {
                let key = try await etcd.campaign(Self.election, value: "a", lease: lease, timeout: .seconds(60))
                #expect(try await etcd.keepAlive(lease) == .seconds(10))
                return key
            } catch {
                guard attempt < 5, "\(error)".contains("lease not found") else { throw error }
                attempt += 1
            }
        }
    }

    @Test("An observer sees the leader, its proclaimed value, and the next leader")
    func observeSeesChanges() async throws {
        try await withEtcd(timeout: .seconds(60)) { _, etcd in
            let first = try await etcd.grant(ttl: .seconds(600)).lease
            let second = try await etcd.grant(ttl: .seconds(600)).lease
            var leaders = etcd.observe(Self.election).makeAsyncIterator()
            let a = try await etcd.campaign(Self.election, value: "a", lease: first, timeout: .seconds(60))
            let seenA = try await leaders.next()
            #expect(seenA?.valueText == "a")
            #expect(seenA?.revision == a.revision)
            try await etcd.proclaim(a, value: "a, again")
            #expect(try await leaders.next()?.valueText == "a, again")
            let b = Task { try await etcd.campaign(Self.election, value: "b", lease: second, timeout: .seconds(180)) }
            try await etcd.resign(a)
            let seenB = try await leaders.next()
            #expect(seenB?.valueText == "b")
            #expect(seenB?.lease == second)
            #expect(try await b.value.revision == seenB?.revision)
        }
    }

    @Test("A campaign that times out leaves no key behind: it never leads later")
    func timedOutCampaignLeavesNoKey() async throws {
        try await withEtcd(timeout: .seconds(60)) { _, etcd in
            let first = try await etcd.grant(ttl: .seconds(600)).lease
            let second = try await etcd.grant(ttl: .seconds(600)).lease
            let a = try await etcd.campaign(Self.election, value: "a", lease: first, timeout: .seconds(60))
            let error = await caught {
                _ = try await etcd.campaign(Self.election, value: "b", lease: second, timeout: .seconds(1))
            }
            guard case .timedOut(operation: "campaign", _, _) = error else {
                Issue.record("expected a timeout, got \(String(describing: error))")
                return
            }
            try await etcd.resign(a)
            let empty = try await waitUntil(within: .seconds(120)) {
                try await etcd.range(.prefix(Self.election + "/")).isEmpty
            }
            #expect(empty, "the timed-out campaign's key is gone")
            #expect(try await etcd.leader(Self.election) == nil)
        }
    }

    @Test("Proclaiming with a key that no longer leads is refused; resigning it again succeeds")
    func staleKey() async throws {
        try await withEtcd { _, etcd in
            let lease = try await etcd.grant(ttl: .seconds(600)).lease
            let a = try await etcd.campaign(Self.election, value: "a", lease: lease, timeout: .seconds(60))
            try await etcd.resign(a)
            await #expect(throws: EtcdError.notLeader(election: Self.election, endpoint: etcd.endpoints[0])) {
                try await etcd.proclaim(a, value: "late")
            }
            try await etcd.resign(a)
        }
    }

    @Test("A write guarded by the leader's key succeeds while it leads, and fails once it resigned")
    func guardedWrite() async throws {
        try await withEtcd { _, etcd in
            let lease = try await etcd.grant(ttl: .seconds(600)).lease
            let a = try await etcd.campaign(Self.election, value: "a", lease: lease, timeout: .seconds(60))
            let write = { (value: String) in
                try await etcd.txn(
                    compare: [.stillLeader(a)],
                    success: [.put(key: "/quiesce/journal", value: Array(value.utf8), lease: nil)])
            }
            #expect(try await write("intent").succeeded)
            try await etcd.resign(a)
            #expect(try await !write("late outcome").succeeded, "a deposed leader writes nothing")
            #expect(try await etcd.range(.key("/quiesce/journal")).map(\.valueText) == ["intent"])
        }
    }
}

/// The error `body` threw, or `nil` when it threw none; an error that is not an ``EtcdError`` fails
/// the test.
func caught(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> EtcdError? {
    do {
        try await body()
        return nil
    } catch let error as EtcdError {
        return error
    } catch {
        Issue.record("an error that is not an EtcdError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
