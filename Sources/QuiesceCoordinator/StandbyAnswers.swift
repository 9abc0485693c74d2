import QuiesceCore
import QuiesceWire

/// How a coordinator that does not lead answers (docs/protocol.md, §7.11): `standby` to a `register`
/// and to every operator request but `status_request`, which gets a status with its leadership and
/// no services; it never orders. It remembers the connections it answered `standby`, so that, once it
/// leads, it tells each of them `error{not registered}` and their agents register at once.
struct StandbyAnswers {
    /// What to send to a peer's message.
    enum Answer: Equatable {
        /// `standby`, naming the leader when it is known.
        case standby
        /// A `status_reply` with the leadership and no services.
        case status
        /// Nothing: an agent's heartbeat or report, which a standby does not acknowledge. Its agent
        /// was told `standby` when this coordinator stepped down, or registers with the leader.
        case nothing
    }

    /// The most connections remembered: past it, the oldest are forgotten (a flood of registrations
    /// from fresh connections cannot grow the set without bound; a forgotten agent registers again
    /// within a second anyway, as it does after any `standby`).
    static let limit = 100_000

    /// The connections answered `standby` since this coordinator last led, oldest first.
    private(set) var answered: [[UInt8]] = []
    private var answeredSet: Set<[UInt8]> = []

    /// What `message`, received on `routingID`, is answered while this coordinator does not lead.
    mutating func answer(to message: Message, from routingID: [UInt8]) -> Answer {
        switch message {
        case .statusRequest:
            return .status
        case .shutdownRequest, .operationRequest, .eventsRequest:
            return .standby
        case .register:
            remember(routingID)
            return .standby
        default:
            // An agent's message (a heartbeat, a report) from an agent welcomed while this coordinator
            // led, or by another: it is told once this coordinator leads that it must register.
            remember(routingID)
            return .nothing
        }
    }

    /// The connections to tell `error{not registered}` on taking over, and the set emptied.
    mutating func takeAnswered() -> [[UInt8]] {
        defer {
            answered = []
            answeredSet = []
        }
        return answered
    }

    /// The message of ``Answer/standby``: the leader this coordinator knows, from `status`.
    static func standby(_ status: LeadershipStatus) -> Message {
        if case .standingBy(let leader, let epoch) = status { return .standby(leader: leader, leaderEpoch: epoch) }
        return .standby(leader: nil, leaderEpoch: nil)
    }

    /// The phase a standby's status shows.
    static func phase(_ status: LeadershipStatus) -> String {
        switch status {
        case .leading: "leading"
        case .standingBy: "standing by"
        case .campaigning: "campaigning"
        case .demoted: "demoted"
        }
    }

    /// Remembers `routingID` as a connection to tell `error{not registered}` on taking over.
    mutating func remember(_ routingID: [UInt8]) {
        guard answeredSet.insert(routingID).inserted else { return }
        answered.append(routingID)
        if answered.count > Self.limit {
            answeredSet.remove(answered.removeFirst())
        }
    }
}
