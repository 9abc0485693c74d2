import QuiesceCore

/// What a coordinator of a fleet with standby coordinators is, in its `status` (revision 1.4).
/// Absent from a coordinator that runs alone.
public struct LeadershipDocument: Codable, Equatable, Sendable {
    /// `leader`, `standby`, `campaigning` (no leader seen yet) or `demoted`.
    public var role: String
    /// This coordinator's epoch, when it leads.
    public var epoch: UInt64?
    /// The endpoint the leader advertises, when this coordinator stands by and knows it.
    public var leader: String?
    /// The leader's epoch, when this coordinator stands by and knows it.
    public var leaderEpoch: UInt64?
    /// Why this coordinator does not lead, or what went wrong last while it campaigns.
    public var reason: String?

    public init(
        role: String, epoch: UInt64? = nil, leader: String? = nil, leaderEpoch: UInt64? = nil, reason: String? = nil
    ) {
        self.role = role
        self.epoch = epoch
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.reason = reason
    }

    /// The document of `status`: `leader` is the endpoint the standing-by coordinator's leader
    /// advertises, as ``LeadershipStatus/standingBy(leader:epoch:)`` names it.
    public init(_ status: LeadershipStatus) {
        switch status {
        case .campaigning(let problem): self.init(role: "campaigning", reason: problem)
        case .leading(let epoch): self.init(role: "leader", epoch: epoch)
        case .standingBy(let leader, let epoch): self.init(role: "standby", leader: leader, leaderEpoch: epoch)
        case .demoted(let reason): self.init(role: "demoted", reason: reason.description)
        }
    }

    /// Whether the coordinator that sent this document leads the fleet.
    public var leads: Bool { role == "leader" }
}
