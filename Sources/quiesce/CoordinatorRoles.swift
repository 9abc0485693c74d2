import QuiesceCore
import QuiesceWire

/// What `status` shows of each coordinator when given several: a header line for people, and a
/// `coordinators` array beside the leader's status in JSON.
struct CoordinatorRoles: Encodable {
    /// One coordinator, as its status described it.
    struct Row: Encodable, Equatable {
        var endpoint: String
        /// `leader`, `standby`, `campaigning`, `demoted`, `alone` (its status says nothing of
        /// leadership) or `unanswered`.
        var role: String
        var epoch: UInt64?
        var leader: String?
        var leaderEpoch: UInt64?
        /// Why it does not lead, or why it did not answer.
        var reason: String?
    }

    var rows: [Row]

    init(endpoints: [String], roles: [LeaderChoice.Role]) {
        rows = zip(endpoints, roles).map { endpoint, role in
            switch role {
            case .leader(let epoch): Row(endpoint: endpoint, role: "leader", epoch: epoch)
            case .alone: Row(endpoint: endpoint, role: "alone")
            case .standby(let leader, let leaderEpoch):
                Row(endpoint: endpoint, role: "standby", leader: leader, leaderEpoch: leaderEpoch)
            case .notLeading(let name, let reason): Row(endpoint: endpoint, role: name, reason: reason)
            case .unanswered(let reason): Row(endpoint: endpoint, role: "unanswered", reason: reason)
            }
        }
        texts = zip(endpoints, roles).map { "\($0) \($1.text)" }
    }

    /// `coordinators: tcp://a:7700 leader (epoch 9), tcp://b:7700 standby (leader tcp://a:7700)`.
    var header: String { "coordinators: " + texts.joined(separator: ", ") }

    private var texts: [String]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(contentsOf: rows)
    }

    /// The leader's status with the ``CoordinatorRoles`` beside its fields.
    struct StatusWithRoles: Encodable {
        var status: StatusDocument
        var coordinators: CoordinatorRoles

        private enum Key: String, CodingKey { case coordinators }

        func encode(to encoder: any Encoder) throws {
            try status.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(coordinators, forKey: .coordinators)
        }
    }
}
