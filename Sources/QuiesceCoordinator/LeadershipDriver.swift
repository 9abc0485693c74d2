import Dispatch
import Logging
import QuiesceCore
import QuiesceEtcd
import QuiesceRuntime
import Synchronization

/// What etcd answered to one of the ``LeadershipDriver``'s calls, for the coordinator's loop to tell
/// its ``LeadershipStateMachine``.
enum LeadershipAnswer: Sendable, Equatable {
    case leaseGranted(id: Int64, ttl: Duration, sentAt: Timestamp, revision: Int64)
    case leaseGrantFailed(problem: String)
    case campaignWon(ElectionKey)
    case campaignFailed(lease: Int64, problem: String)
    case renewed(lease: Int64, ttl: Duration, sentAt: Timestamp)
    case renewalFailed(lease: Int64, problem: String)
    case leaseLost(lease: Int64)
    case leaderObserved(ElectionKey, value: String)
}

/// Runs the etcd calls the ``LeadershipStateMachine`` asks for, each on a task of its own, and posts
/// what etcd answered to ``answers``, which the coordinator's loop polls: the loop never waits for
/// etcd, and the machine is touched only on the loop's thread. It decides nothing.
final class LeadershipDriver: Sendable {
    /// Where the answers wait for the loop; its descriptor is readable while some do.
    let answers = Mailbox<LeadershipAnswer>()
    private let client: EtcdClient
    private let election: String
    /// The fleet's key, under which the journal is.
    private let fleet: String
    private let value: String
    private let clock: MonotonicClock
    private let logger: Logger
    /// How long a call other than a campaign may take: a renewal interval, so that a renewal that
    /// hangs is tried again before the leader must stop ordering.
    private let callTimeout: Duration
    /// Campaigns in flight, by lease: one whose lease is given up is cancelled, which deletes its key.
    private let campaigns = Mutex<[Int64: Task<Void, Never>]>([:])
    private let observer = Mutex<Task<Void, Never>?>(nil)

    /// How long a campaign waits for the leadership before it is made again: etcd answers a campaign
    /// only once it leads, which for a standby may be hours.
    static let campaignTimeout: Duration = .seconds(600)

    /// - Parameters:
    ///   - settings: the etcd endpoints, the election's key and the lease's TTL.
    ///   - value: what this coordinator campaigns with: the endpoint it advertises.
    init(settings: StandbySettings, value: String, clock: MonotonicClock, logger: Logger) throws {
        callTimeout = max(.seconds(1), LeadershipStateMachine.renewalInterval(settings.leaseTTL))
        client = try EtcdClient(endpoints: settings.etcd, timeout: callTimeout, connectTimeout: callTimeout)
        election = EtcdFleetKeys(fleet: settings.key).election
        fleet = settings.key
        self.value = value
        self.clock = clock
        self.logger = logger
    }

    /// The fleet's election, as etcd's calls name it.
    var electionName: String { election }

    /// Asks for a lease of `ttl`.
    func grant(ttl: Duration) {
        let sentAt = clock.now
        run { driver in
            do {
                let granted = try await driver.client.grant(ttl: ttl)
                driver.answers.post(
                    .leaseGranted(id: granted.lease.id, ttl: granted.ttl, sentAt: sentAt, revision: granted.revision))
            } catch {
                driver.answers.post(.leaseGrantFailed(problem: "\(error)"))
            }
        }
    }

    /// Campaigns with `lease`, holding the advertised endpoint as the election's value.
    func campaign(lease: Int64) {
        let task = Task { [self] in
            do {
                let key = try await client.campaign(
                    election, value: value, lease: EtcdLease(id: lease), timeout: Self.campaignTimeout)
                answers.post(.campaignWon(ElectionKey(key: key.keyText, revision: key.revision, lease: key.lease.id)))
            } catch EtcdError.leaseNotFound {
                answers.post(.leaseLost(lease: lease))
            } catch {
                if !Task.isCancelled { answers.post(.campaignFailed(lease: lease, problem: "\(error)")) }
            }
            _ = campaigns.withLock { $0.removeValue(forKey: lease) }
        }
        campaigns.withLock {
            $0[lease]?.cancel()
            $0[lease] = task
        }
    }

    /// Renews `lease` once.
    func renew(lease: Int64) {
        let sentAt = clock.now
        run { driver in
            do {
                let ttl = try await driver.client.keepAlive(EtcdLease(id: lease))
                driver.answers.post(.renewed(lease: lease, ttl: ttl, sentAt: sentAt))
            } catch EtcdError.leaseNotFound {
                driver.answers.post(.leaseLost(lease: lease))
            } catch {
                driver.answers.post(.renewalFailed(lease: lease, problem: "\(error)"))
            }
        }
    }

    /// Gives up the leadership held with `key` (best effort).
    func resign(_ key: ElectionKey) {
        run { driver in
            do {
                try await driver.client.resign(driver.leaderKey(key), timeout: driver.callTimeout)
            } catch {
                driver.logger.debug(
                    "Resigning failed; the lease's end deletes the key", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Gives lease `id` back (best effort), and cancels the campaign made with it.
    func revoke(lease id: Int64) {
        campaigns.withLock { $0.removeValue(forKey: id) }?.cancel()
        run { driver in
            do {
                try await driver.client.revoke(EtcdLease(id: id), timeout: driver.callTimeout)
            } catch {
                driver.logger.debug(
                    "Giving the lease back failed; it expires by itself", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Follows the election's leader, starting again after `retryDelay` whenever the stream ends; a
    /// failure is logged once until the stream runs again.
    func observe(retryDelay: Duration) {
        let task = Task { [self] in
            var failing = false
            while !Task.isCancelled {
                do {
                    for try await leader in client.observe(election) {
                        failing = false
                        let key = ElectionKey(
                            key: leader.keyValue.keyText, revision: leader.revision, lease: leader.lease.id)
                        answers.post(.leaderObserved(key, value: leader.valueText))
                    }
                } catch {
                    if !failing, !Task.isCancelled {
                        logger.warning("Cannot observe the election's leader", metadata: ["error": "\(error)"])
                    }
                    failing = true
                }
                try? await Task.sleep(for: retryDelay)
            }
        }
        observer.withLock { $0 = task }
    }

    /// Opens the fleet's journal for the leader holding `key`, reading what earlier leaders wrote; on
    /// the calling thread (the coordinator's loop), each call bounded by a renewal interval.
    func openJournal(leading key: ElectionKey) throws -> EtcdJournal {
        try EtcdJournal(client: client, fleet: fleet, leader: leaderKey(key), timeout: callTimeout)
    }

    /// The key the election's calls are given for `key`.
    func leaderKey(_ key: ElectionKey) -> EtcdLeaderKey {
        EtcdLeaderKey(
            election: election, key: Array(key.key.utf8), revision: key.revision, lease: EtcdLease(id: key.lease))
    }

    /// Resigns `key` and gives `lease` back, if given, then closes the client; waits for them at most
    /// `bound`, on the calling thread (the coordinator's loop, as it ends: never a thread of Swift's
    /// cooperative pool).
    func finish(resigning key: ElectionKey?, revoking lease: Int64?, within bound: Duration) {
        observer.withLock { $0?.cancel() }
        let pending = campaigns.withLock { campaigns in
            defer { campaigns.removeAll() }
            return Array(campaigns.values)
        }
        for campaign in pending { campaign.cancel() }
        let done = DispatchSemaphore(value: 0)
        Task { [self] in
            if let key { try? await client.resign(leaderKey(key), timeout: bound) }
            if let lease { try? await client.revoke(EtcdLease(id: lease), timeout: bound) }
            try? await client.shutdown()
            done.signal()
        }
        _ = done.wait(timeout: .now() + .milliseconds(Int(bound.milliseconds) * 3))
    }

    private func run(_ call: @escaping @Sendable (LeadershipDriver) async -> Void) {
        Task { [self] in await call(self) }
    }
}
