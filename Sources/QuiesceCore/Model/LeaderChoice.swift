/// Which of several coordinators a tool sends its request to (docs/protocol.md §7.11): the one whose
/// status says it leads, the one of the highest epoch if several do. A coordinator whose status
/// says nothing of leadership runs alone, and leads with an epoch below every elected leader's.
public enum LeaderChoice {
    /// What one coordinator's status said of it, or that it did not answer.
    public enum Role: Hashable, Sendable {
        /// It leads, with this epoch.
        case leader(epoch: UInt64?)
        /// It runs alone (no `leadership` in its status): it leads.
        case alone
        /// It stands by; the leader it knows, if it knows one.
        case standby(leader: String?, leaderEpoch: UInt64?)
        /// It campaigns or was demoted (the role's name), for this reason if given.
        case notLeading(role: String, reason: String?)
        /// It did not answer, or answered with an error: why.
        case unanswered(String)

        /// Whether the coordinator leads, and the epoch it ranks by.
        var leadingEpoch: UInt64? {
            switch self {
            case .leader(let epoch): epoch ?? 0
            case .alone: 0
            case .standby, .notLeading, .unanswered: nil
            }
        }

        /// The role as a status header shows it: `leader (epoch 72057594037927950)`, `standby
        /// (leader tcp://10.0.0.5:7700)`, `no answer: ...`.
        public var text: String {
            switch self {
            case .leader(let epoch?): "leader (epoch \(epoch))"
            case .leader(nil), .alone: "leader"
            case .standby(let leader?, _): "standby (leader \(leader))"
            case .standby(nil, _): "standby (no leader known)"
            case .notLeading(let role, let reason?): "\(role) (\(reason))"
            case .notLeading(let role, nil): role
            case .unanswered(let reason): "no answer: \(reason)"
            }
        }
    }

    /// The position of the coordinator to ask among `roles`, or `nil` when none leads. Of two that
    /// lead with the same epoch, the first listed.
    public static func leader(among roles: [Role]) -> Int? {
        var best: (index: Int, epoch: UInt64)?
        for (index, role) in roles.enumerated() {
            guard let epoch = role.leadingEpoch else { continue }
            if best.map({ epoch > $0.epoch }) ?? true { best = (index, epoch) }
        }
        return best?.index
    }

    /// Why no coordinator of `endpoints` can be asked, each with its role.
    public static func noLeader(endpoints: [String], roles: [Role]) -> String {
        "none of the \(endpoints.count) coordinators leads: "
            + zip(endpoints, roles).map { "\($0) \($1.text)" }.joined(separator: "; ")
    }
}
