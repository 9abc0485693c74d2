/// When the agent makes its socket to the coordinator anew, without I/O.
///
/// libzmq 4.3.4 gives an endpoint up for good when a handshake there breaks the protocol: a keyed
/// agent that met a plain peer (an impostor who bound the coordinator's port first, or a coordinator
/// run with `--insecure`) would never try that endpoint again. So after every failed handshake the
/// agent closes its socket and makes a new one, once a backoff has passed: ``initialDelay`` at first,
/// doubling at each failure in a row up to ``maximumDelay``, and back to ``initialDelay`` once a
/// handshake succeeds. A handshake that succeeds while a new socket is due (libzmq reconnected by
/// itself, as it does after a peer hung up) calls the new socket off.
///
/// Nothing queued on the old socket is lost: the agent's socket queues nothing while it is not
/// connected, and the ``AgentStateMachine`` repeats its registration until it is welcomed.
public struct CoordinatorReconnection: Sendable {
    /// The backoff after the first failed handshake in a row.
    public let initialDelay: Duration
    /// The longest backoff, however many handshakes failed in a row.
    public let maximumDelay: Duration

    private enum State: Sendable {
        /// The socket is connecting or connected: nothing is due.
        case connecting
        /// A handshake failed: a new socket is due at `deadline`.
        case waiting(deadline: Timestamp)
    }

    private var state: State = .connecting
    /// The backoff the next failed handshake waits.
    private var nextDelay: Duration

    /// - Parameters:
    ///   - initialDelay: the first backoff (100 ms, libzmq's reconnect interval on the agent's socket).
    ///   - maximumDelay: the longest (1 s, its reconnect maximum there).
    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(1)) {
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
        self.nextDelay = initialDelay
    }

    /// When a new socket is due, if one is.
    public var deadline: Timestamp? {
        if case .waiting(let deadline) = state { deadline } else { nil }
    }

    /// A handshake with the coordinator's endpoint failed at `now`.
    /// - Returns: when the new socket is due; `nil` when one already was, whose deadline stands.
    public mutating func handshakeFailed(now: Timestamp) -> Timestamp? {
        guard case .connecting = state else { return nil }
        let deadline = now + nextDelay
        state = .waiting(deadline: deadline)
        nextDelay = min(nextDelay * 2, maximumDelay)
        return deadline
    }

    /// A handshake succeeded: no new socket is due, and the next failure waits ``initialDelay``.
    public mutating func handshakeSucceeded() {
        state = .connecting
        nextDelay = initialDelay
    }

    /// Whether the new socket is due at `now`. It is `true` once per failure: the caller then makes the
    /// socket anew, and the new one is connecting.
    public mutating func socketDue(now: Timestamp) -> Bool {
        guard case .waiting(let deadline) = state, now >= deadline else { return false }
        state = .connecting
        return true
    }
}
