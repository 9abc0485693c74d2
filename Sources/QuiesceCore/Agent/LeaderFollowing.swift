/// Which of its coordinators an agent obeys, without I/O (docs/protocol.md §7.11).
///
/// An agent given several coordinator endpoints (a leader and its standbys) keeps one connection to
/// each and registers on every one. It obeys only the connection that welcomed it with the highest
/// epoch, the **leader**: a welcome of a higher epoch on another connection moves it there, and
/// anything else from a connection it does not obey is dropped. The epoch fence itself (a welcome of
/// an epoch lower than the agent's is never obeyed) stays the ``AgentStateMachine``'s: each event
/// says whether the machine finds the message's epoch earlier.
///
/// While it follows a leader, the agent repeats its registration on every other connection each
/// ``registrationRetry``, so that a standby that takes over hears from it within that time. While it
/// follows none (before the first welcome, or once its leader stood down or fell silent), the
/// machine's own registration goes to every connection, and this rule repeats nothing.
///
/// With one endpoint, everything from it is delivered as before: the rule changes nothing.
public struct LeaderFollowing: Sendable {
    /// A connection, by the position of its endpoint in the agent's list.
    public typealias Connection = Int

    private enum State: Sendable {
        /// No coordinator leads for the agent: before its first welcome, or since its leader stood
        /// down or fell silent.
        case seekingLeader
        /// `connection` welcomed the agent with `epoch`, the highest; the other connections are sent
        /// the registration again at `nextRegistration` (`nil`: there are none).
        case following(Connection, epoch: UInt64, nextRegistration: Timestamp?)
    }

    /// How many connections the agent has, one per endpoint.
    public let connections: Int
    /// How often the registration is repeated on the connections of coordinators that do not lead.
    public let registrationRetry: Duration

    private var state: State = .seekingLeader
    /// The connection the agent's messages go to: its leader's, else its last leader's (a report the
    /// agent repeats while it registers again goes on where it went), else the first.
    public private(set) var destination: Connection = 0

    /// - Parameters:
    ///   - connections: one per endpoint, at least one.
    ///   - registrationRetry: the agent's registration interval (1 s).
    public init(connections: Int, registrationRetry: Duration = .seconds(1)) {
        precondition(connections >= 1, "an agent has at least one coordinator")
        self.connections = connections
        self.registrationRetry = registrationRetry
    }

    /// What the runtime does with a message or an event of one connection.
    public enum Action: Hashable, Sendable {
        /// Hand it to the ``AgentStateMachine``.
        case deliver
        /// Drop it, counted and logged: it comes from a coordinator the agent does not obey.
        case drop
        /// Nothing: the rule took note.
        case none
        /// The welcome makes `connection` the leader, of `epoch`: say so, hand the welcome to the
        /// machine, and send there again the report that waits for an acknowledgement, if any.
        case follow(Connection, epoch: UInt64)
        /// The leader stood down: the coordinator is lost (``AgentStateMachine/notRegistered(now:)``),
        /// and the agent registers again on every connection, its service untouched.
        case leaderLost
        /// Send the agent's registration on these connections now, and on no other.
        case register(on: [Connection])
    }

    /// The connection the agent obeys, and the epoch it was welcomed with; `nil` while it has none.
    public var leader: (connection: Connection, epoch: UInt64)? {
        if case .following(let connection, let epoch, _) = state { (connection, epoch) } else { nil }
    }

    /// When the registration is next repeated on the connections that do not lead, if it is.
    public var deadline: Timestamp? {
        if case .following(_, _, let next) = state { next } else { nil }
    }

    /// `connection` welcomed the agent with `epoch`, which the machine finds earlier than its own
    /// when `isEarlier` (then it is dropped, as from an earlier coordinator).
    public mutating func welcomed(on connection: Connection, epoch: UInt64, isEarlier: Bool, now: Timestamp)
        -> Action
    {
        guard !isEarlier else { return .drop }
        switch state {
        case .following(let leader, _, let next) where leader == connection:
            // A repeated welcome, or one of a coordinator that restarted at the leader's endpoint.
            state = .following(leader, epoch: epoch, nextRegistration: next)
            return .deliver
        case .following(_, let leaderEpoch, _) where epoch <= leaderEpoch:
            return .drop
        case .following, .seekingLeader:
            state = .following(connection, epoch: epoch, nextRegistration: firstRepetition(now: now))
            destination = connection
            return .follow(connection, epoch: epoch)
        }
    }

    /// `connection` answered `standby`: its coordinator does not lead. From the leader, it stood down.
    public mutating func standby(on connection: Connection, now: Timestamp) -> Action {
        guard case .following(connection, _, _) = state else { return .none }
        state = .seekingLeader
        return .leaderLost
    }

    /// `connection` answered `error` `not registered`, of an epoch the machine finds earlier than its
    /// own when `isEarlier`. From the leader (or while there is none) the machine registers again
    /// everywhere; from another coordinator (a standby that took over) the agent registers there at
    /// once and keeps its leader meanwhile.
    public mutating func notRegistered(on connection: Connection, isEarlier: Bool, now: Timestamp) -> Action {
        guard !isEarlier else { return .drop }
        switch state {
        case .following(let leader, _, _) where leader != connection:
            return .register(on: [connection])
        case .following, .seekingLeader:
            state = .seekingLeader
            return .deliver
        }
    }

    /// `connection` refused the registration, with `epoch` (the machine finds it earlier when
    /// `isEarlier`). It is obeyed from the leader, while there is none, or with a higher epoch than the
    /// leader's; a refusal from a coordinator that does not lead is dropped.
    public func refused(on connection: Connection, epoch: UInt64?, isEarlier: Bool) -> Action {
        guard !isEarlier else { return .drop }
        switch state {
        case .following(let leader, let leaderEpoch, _) where leader != connection:
            return (epoch ?? 0) > leaderEpoch ? .deliver : .drop
        case .following, .seekingLeader:
            return .deliver
        }
    }

    /// Any other message on `connection` (an order, a heartbeat, an acknowledgement, another
    /// `error`): delivered from the leader, or from the last leader while there is none (its
    /// acknowledgement of a report still counts); dropped from any other connection.
    public func received(on connection: Connection) -> Action {
        connection == destination ? .deliver : .drop
    }

    /// A handshake on `connection` succeeded: a connection that does not lead is sent the registration
    /// at once; otherwise the machine decides (it registers when it is not registered).
    public func connected(on connection: Connection) -> Action {
        guard case .following(let leader, _, _) = state, leader != connection else { return .deliver }
        return .register(on: [connection])
    }

    /// The machine found the coordinator silent for too long and registers again everywhere.
    public mutating func coordinatorLost() {
        state = .seekingLeader
    }

    /// The time has come to repeat the registration on the connections that do not lead, when it is
    /// ``deadline`` or later.
    public mutating func timerFired(now: Timestamp) -> Action {
        guard case .following(let leader, let epoch, let next?) = state, now >= next else { return .none }
        state = .following(leader, epoch: epoch, nextRegistration: now + registrationRetry)
        return .register(on: (0..<connections).filter { $0 != leader })
    }

    /// When a newly followed leader's other connections are first sent the registration again.
    private func firstRepetition(now: Timestamp) -> Timestamp? {
        connections > 1 ? now + registrationRetry : nil
    }
}
