import QuiesceCore

/// The coordinator's rules for an agent's registration before and after its state machine judges it:
/// a rate limit per sender, the answer to a registration repeated on the connection that made it, and
/// when to probe the connection a service registered on before, so that an agent that came back on a
/// new connection is let in once the old one is found closed.
///
/// The limit is counted per sender (the key's identity with CURVE, the connection without), so one
/// sender's flood never uses up another's share, and the first registration in each second of an
/// instance whose agent is not connected is always let in, whatever its sender sent before.
///
/// It does no I/O and reads no clock: the runtime gives it the time and carries out what it decides.
struct RegistrationAdmission {
    /// Registrations handled per second from one sender at most; past it they are dropped, counted and
    /// logged.
    static let registrationsPerSecond = 100
    /// Senders counted apart in one second at most: more than the 10,000 agents a coordinator is sized
    /// for, so that a whole fleet registering again at once (after a coordinator restart) is admitted
    /// in the second it arrives, each agent on its own count. Past it, further new senders share one
    /// count, so a flood of new connections cannot grow the table without end (16,384 entries are
    /// about 2 MB); the table is emptied every second.
    static let maximumSendersPerSecond = 16384

    /// What to do with a registration that was allowed to be sent.
    enum Decision: Equatable {
        /// Over the sender's rate limit: drop it unanswered, count it and log it.
        case rateLimited
        /// A registration retransmitted by the agent already registered on the same connection (the
        /// welcome was lost or late): welcome it again, and tell the state machine nothing.
        case welcomeAgain
        /// A registration for the state machine to judge.
        case register
    }

    /// The second of monotonic time being counted.
    private var second: Int64 = 0
    /// How many registrations each sender sent in ``second``.
    private var counts: [String: Int] = [:]
    /// The instances without a connected agent whose registration was let in past the limit in
    /// ``second``.
    private var awaitedAdmitted: Set<InstanceID> = []

    /// The key under which senders past ``maximumSendersPerSecond`` are counted together. No identity
    /// or connection is ever empty.
    private static let sharedCount = ""

    /// A registration of instance `id` from `sender` (its identity, or its connection when there are
    /// no keys) arrived on `routingID` at `now`. `awaited` tells whether `id`'s service is in the fleet
    /// with no agent of `id` connected; `isConnected` whether the state machine has `id`'s agent connected;
    /// `registry` which connection it registered on. Every registration counts towards its sender's
    /// limit, repeated ones too.
    mutating func registrationReceived(
        of id: InstanceID, from sender: String, on routingID: [UInt8], registry: AgentRegistry, awaited: Bool,
        isConnected: Bool, now: Timestamp
    ) -> Decision {
        let arrivalSecond = now.sinceOrigin.components.seconds
        if arrivalSecond != second {
            second = arrivalSecond
            counts.removeAll(keepingCapacity: true)
            awaitedAdmitted.removeAll(keepingCapacity: true)
        }
        let key = counts[sender] != nil || counts.count < Self.maximumSendersPerSecond ? sender : Self.sharedCount
        counts[key, default: 0] += 1
        if counts[key, default: 0] > Self.registrationsPerSecond {
            guard awaited, awaitedAdmitted.insert(id).inserted else { return .rateLimited }
        }
        if registry.instance(for: routingID) == id, isConnected { return .welcomeAgain }
        return .register
    }

    /// The state machine refused a registration of instance `id` on `routingID`. When it did so because
    /// an agent of `id` is connected already, on another connection, that connection may have closed
    /// without the coordinator noticing yet (its agent restarted or reconnected): the answer is that
    /// connection, to probe with a heartbeat. If the heartbeat cannot be routed, the runtime reports the
    /// connection closed and asks the state machine again. `nil`: the refusal stands.
    static func connectionToProbe(
        after refusal: CoordinatorStateMachine.RegistrationRefusal, of id: InstanceID, on routingID: [UInt8],
        registry: AgentRegistry
    ) -> [UInt8]? {
        guard case .alreadyConnected = refusal, let previous = registry.routingID(for: id), previous != routingID
        else { return nil }
        return previous
    }
}
