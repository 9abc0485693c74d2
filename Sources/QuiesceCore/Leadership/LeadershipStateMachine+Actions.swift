extension LeadershipStateMachine {
    /// What the runtime must do after an event.
    public enum Action: Equatable, Sendable {
        /// Ask etcd for a lease of `ttl`; answer with `leaseGranted` or `leaseGrantFailed`.
        case grantLease(ttl: Duration)
        /// Campaign in the fleet's election with lease `lease`; answer with `campaignWon` or
        /// `campaignFailed`, and keep telling `leaderObserved` what the election's observers see.
        case campaign(lease: Int64)
        /// Renew lease `lease` once; answer with `renewalSucceeded`, `renewalFailed` or `leaseLost`.
        case renewLease(Int64)
        /// Call `timerFired(timer)` at `at`; scheduling a timer again replaces its earlier deadline.
        case scheduleTimer(Timer, at: Timestamp)
        /// This coordinator leads with `epoch`: it may send orders, each carrying that epoch.
        case startOrdering(epoch: UInt64)
        /// This coordinator no longer leads: it must send no order from now on.
        case stopOrdering
        /// Resign the leadership held with `key` (best effort: giving the lease back deletes it too).
        case resign(ElectionKey)
        /// Give lease `id` back (best effort: an unrenewed lease expires by itself).
        case revokeLease(Int64)
        /// Tell the operator (status, logs) what this coordinator now is.
        case report(LeadershipStatus)
    }

    /// The timers the machine asks for, each keyed by what it is for.
    public enum Timer: Hashable, Sendable {
        /// Time to renew lease `lease` (a third of its TTL after the last renewal, or the retry delay
        /// after a failed one).
        case renewal(lease: Int64)
        /// The moment lease `lease` is no longer proven alive: a leader stops ordering.
        case leaseDeadline(lease: Int64)
        /// Ask for a lease again after a grant failed.
        case retryGrant
        /// Campaign again with lease `lease` after its campaign failed.
        case retryCampaign(lease: Int64)
    }
}

/// A key in the election: the one a campaign created, which is the leader's while it is the oldest.
public struct ElectionKey: Hashable, Sendable {
    /// The key itself, the election's name followed by the lease in hexadecimal.
    public var key: String
    /// The revision at which etcd created the key.
    public var revision: Int64
    /// The lease the key is attached to.
    public var lease: Int64

    public init(key: String, revision: Int64, lease: Int64) {
        self.key = key
        self.revision = revision
        self.lease = lease
    }

    /// What every leader's epoch starts from: 2^56.
    ///
    /// A leader's epoch is 2^56 plus its key's creation revision. The revision alone grows from one
    /// leader to the next (see ``LeadershipStateMachine``), but it starts near 1 in a new etcd, while
    /// the agents of a fleet that ran with a coordinator alone keep the epoch it gave them: a counter
    /// in `state_dir` or milliseconds since 1970, which stays below 2^48 for some 8,900 years. Agents
    /// refuse a lower epoch than their last one (docs/protocol.md, §7.10), so a leader's epoch must
    /// be above every lone coordinator's for a fleet to move to standbys without
    /// `--accept-lower-epoch`; 2^56 leaves 2^63 − 2^56 revisions, more than etcd's own signed 64-bit
    /// revisions can reach.
    public static let epochBase: UInt64 = 1 << 56

    /// The epoch of the leader holding this key: ``epochBase`` plus its creation revision, which is
    /// monotonic across leaders (see ``LeadershipStateMachine``) and above every lone coordinator's.
    public var epoch: UInt64 { Self.epochBase + UInt64(clamping: revision) }
}

/// What a coordinator of a fleet with standbys is, as `status` and the logs say it.
public enum LeadershipStatus: Equatable, Sendable, CustomStringConvertible {
    /// Campaigning and no other leader seen; `problem` is what went wrong last, if anything did.
    case campaigning(problem: String?)
    /// Leading with `epoch`.
    case leading(epoch: UInt64)
    /// Standing by while `leader` leads with `epoch`.
    case standingBy(leader: String, epoch: UInt64)
    /// Not leading, for `reason`.
    case demoted(DemotionReason)

    public var description: String {
        switch self {
        case .campaigning(nil): "campaigning"
        case .campaigning(let problem?): "campaigning (\(problem))"
        case .leading(let epoch): "leading with epoch \(epoch)"
        case .standingBy(let leader, let epoch): "standing by: \(leader) leads with epoch \(epoch)"
        case .demoted(let reason): "demoted: \(reason)"
        }
    }
}

/// Why a coordinator stopped leading, or stopped campaigning.
public enum DemotionReason: Equatable, Sendable, CustomStringConvertible {
    /// No renewal of the lease succeeded in time to prove it alive; `lastProblem` is what the last
    /// renewal that failed said.
    case leaseUnproven(lastProblem: String?)
    /// etcd said the lease no longer exists.
    case leaseExpired
    /// Another coordinator, `leader`, leads with the higher `epoch`.
    case anotherLeader(String, epoch: UInt64)
    /// The shutdown's journal in etcd could not be read or written as the leader: `problem` says why.
    case journalUnusable(String)
    /// The coordinator resigned (it is stopping).
    case resigned

    public var description: String {
        switch self {
        case .leaseUnproven(nil): "the lease could not be renewed in time"
        case .leaseUnproven(let problem?): "the lease could not be renewed in time (\(problem))"
        case .leaseExpired: "etcd says the lease has expired"
        case .anotherLeader(let leader, let epoch): "\(leader) leads with the higher epoch \(epoch)"
        case .journalUnusable(let problem): "the shutdown's journal in etcd could not be used (\(problem))"
        case .resigned: "resigned"
        }
    }
}
