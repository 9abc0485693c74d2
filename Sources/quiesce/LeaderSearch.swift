import Foundation
import QuiesceCommandLine
import QuiesceCore
import QuiesceWire
import ZeroMQ

/// The coordinators a command was given, a leader and its standbys (docs/protocol.md §7.11), and
/// how to find the one that leads: each is asked for its status at once, and ``LeaderChoice`` picks.
struct CoordinatorSet {
    /// Their endpoints, in the order given.
    var endpoints: [String]
    /// The operator's keys and each coordinator's public key, by position; plain when `nil`.
    var curve: (keys: CurveKeyPair, serverKeys: [String])?

    /// What each coordinator said of itself, by position, and the leader's status.
    struct Survey {
        var roles: [LeaderChoice.Role]
        /// Each coordinator's status, by position, when it answered.
        var statuses: [StatusDocument?]
        /// The position of the one to ask, if one leads.
        var leader: Int?
    }

    /// The keys to connect to the coordinator at `index` with.
    func credentials(of index: Int) -> (keys: CurveKeyPair, serverKey: String)? {
        curve.map { ($0.keys, $0.serverKeys[index]) }
    }

    /// A client of the coordinator at `index`.
    func client(of index: Int, streaming: Bool = false) throws -> AdminClient {
        try AdminClient(coordinator: endpoints[index], curve: credentials(of: index), streaming: streaming)
    }

    /// Asks every coordinator for its status in parallel, each within `timeout`.
    func survey(timeout: Duration) -> Survey {
        let answers = Answers(count: endpoints.count)
        DispatchQueue.concurrentPerform(iterations: endpoints.count) { index in
            do {
                let client = try client(of: index)
                defer { client.close() }
                answers.set(index, .success(try client.status(timeout: timeout)))
            } catch {
                answers.set(index, .failure(error))
            }
        }
        let results = answers.all
        let roles = results.map(Self.role)
        let statuses = results.map { try? $0.get() }
        return Survey(roles: roles, statuses: statuses, leader: LeaderChoice.leader(among: roles))
    }

    /// What a status, or its absence, says of the coordinator.
    private static func role(_ result: Result<StatusDocument, any Error>) -> LeaderChoice.Role {
        switch result {
        case .failure(let error):
            return .unanswered("\(error)")
        case .success(let status):
            guard let leadership = status.leadership else { return .alone }
            switch leadership.role {
            case "leader": return .leader(epoch: leadership.epoch)
            case "standby": return .standby(leader: leadership.leader, leaderEpoch: leadership.leaderEpoch)
            default: return .notLeading(role: leadership.role, reason: leadership.reason)
            }
        }
    }

    /// The answers of the coordinators, filled in by one thread each.
    private final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<StatusDocument, any Error>]

        init(count: Int) {
            results = Array(repeating: .failure(AdminClient.Failure(kind: .noAnswer, description: "")), count: count)
        }

        func set(_ index: Int, _ result: Result<StatusDocument, any Error>) {
            lock.withLock { results[index] = result }
        }

        var all: [Result<StatusDocument, any Error>] {
            lock.withLock { results }
        }
    }
}
