import QuiesceCore

/// Keeps the main socket's connections below the process's descriptor limit, so that descriptors stay
/// free for the admin plane, the journal and the ZAP handler whatever strangers open, and drops the
/// connections that stay idle without carrying an agent or an operator's command.
///
/// libzmq has no cap on the connections a socket accepts, spins when an accept fails with `EMFILE` on
/// a TCP listener, and aborts the process when one fails on an `ipc://` listener (the admin plane).
/// The runtime reports each connection the socket monitor sees accepted or closed; past ``limit``
/// open connections, the newest one is dropped as it arrives, so connections already open (the
/// registered agents) keep theirs.
///
/// libzmq cannot disconnect a peer by its routing id, but the monitor names each connection by its
/// descriptor and every message received tells the descriptor it came on. A connection is **idle**
/// when nothing valid (decoded and allowed to its sender) has arrived on it for ``idleLimit`` since it
/// was accepted or since its last valid message; an idle connection is dropped unless the routing id
/// of its last valid message is held (a registered agent's, or an operator's waiting for a report).
/// A descriptor accepted again is a new connection: libzmq reports a connection closed before its
/// descriptor can be reused.
///
/// It does no I/O: the runtime gives it the descriptor limit and the time, and carries out what it
/// decides by shutting the connection's socket down (`shutdown(2)`; libzmq then closes it).
///
/// An idle connection has only its read side shut at first: libzmq reads its end of file and tears
/// it down. Shutting both sides would raise `EPOLLHUP`, which libzmq 4.3.4 marks as an I/O error on a
/// connection whose inbound pipe is full without tearing it down, and then aborts the process when
/// it answers a ZMTP `PING` still buffered there (docs/architecture.md, "A libzmq assertion"). A
/// peer that keeps sending delays that end of file, since Linux still delivers what arrives after
/// the read side is shut: past ``escalationDelay`` such a connection has both sides shut.
struct ConnectionCap {
    /// Descriptors kept free beyond those open at start: at least this many, or an eighth of the limit.
    /// It absorbs the connections libzmq accepts before the cap catches up, a few times the listen
    /// backlog.
    static let minimumReserve = 128

    /// How long a connection may stay idle: more than a CURVE handshake and a registration retransmitted
    /// on a loaded machine take.
    static let defaultIdleLimit: Duration = .seconds(10)

    /// How often ``idleConnections(now:isHeld:)`` looks at every connection.
    static let idleCheckInterval: Duration = .seconds(1)

    /// How long an idle connection whose read side was shut may stay open before both its sides are.
    static let escalationDelay: Duration = .seconds(10)

    /// What to do with a connection just accepted.
    enum Decision: Equatable {
        /// Within the limit: leave it to libzmq.
        case keep
        /// Past the limit: shut its socket down; libzmq then closes it.
        case drop
    }

    /// One open connection.
    private struct Connection {
        /// Being dropped: shut down, not yet reported closed.
        var dropping: Bool
        /// When its read side was shut for being idle, until both its sides are.
        var readShutAt: Timestamp? = nil
        /// When it was accepted, or when its last valid message arrived.
        var lastHeard: Timestamp
        /// The routing id of its last valid message.
        var routingID: [UInt8]?
    }

    /// Open connections held at most.
    let limit: Int
    /// How long a connection that holds nothing may stay silent.
    let idleLimit: Duration
    /// The open connections, by descriptor.
    private var open: [Int32: Connection] = [:]
    /// The routing id of a valid message read on a descriptor before the monitor's report of its
    /// accept was (the monitor's events come on a socket of their own, and a peer that asks at once,
    /// such as `quiesce events`, may be read first): its connection takes it when that report comes.
    /// One per descriptor at most.
    private var heardBeforeAccept: [Int32: [UInt8]] = [:]
    /// When ``idleConnections(now:isHeld:)`` next looks.
    private var nextIdleCheck: Timestamp = .zero
    /// When ``stillOpenAfterReadShut(now:)`` next looks.
    private var nextEscalationCheck: Timestamp = .zero

    /// - Parameters:
    ///   - descriptorLimit: the soft `RLIMIT_NOFILE` in force.
    ///   - inUse: descriptors the process has open before any connection (sockets, files, eventfds).
    ///   - idleLimit: how long a connection that holds nothing may stay silent.
    init(descriptorLimit: Int, inUse: Int, idleLimit: Duration = Self.defaultIdleLimit) {
        let reserve = max(Self.minimumReserve, descriptorLimit / 8)
        limit = max(1, descriptorLimit - inUse - reserve)
        self.idleLimit = idleLimit
    }

    /// Connections open, dropped ones included until they are reported closed.
    var count: Int { open.count }

    /// A connection on descriptor `fd` was accepted at `now`.
    mutating func accepted(_ fd: Int32, now: Timestamp) -> Decision {
        open.removeValue(forKey: fd)
        let drop = open.count >= limit
        open[fd] = Connection(dropping: drop, lastHeard: now, routingID: heardBeforeAccept.removeValue(forKey: fd))
        return drop ? .drop : .keep
    }

    /// The connection on descriptor `fd` closed.
    mutating func disconnected(_ fd: Int32) {
        open.removeValue(forKey: fd)
    }

    /// A valid message from `routingID` arrived on descriptor `fd` at `now`. A descriptor the monitor
    /// has not reported accepted is never touched; its routing id is kept for the connection, should
    /// the report come later.
    mutating func heard(on fd: Int32, from routingID: [UInt8], now: Timestamp) {
        guard open[fd] != nil else {
            heardBeforeAccept[fd] = routingID
            return
        }
        open[fd]!.lastHeard = now
        open[fd]!.routingID = routingID
    }

    /// The connections to drop for being idle at `now`, by shutting their read side, now marked as
    /// being dropped; at most once per ``idleCheckInterval``, empty in between.
    /// - Parameter isHeld: whether a routing id carries a registered agent or an operator waiting for a
    ///   report, whose connection is never idle.
    mutating func idleConnections(now: Timestamp, isHeld: ([UInt8]) -> Bool) -> [Int32] {
        guard now >= nextIdleCheck else { return [] }
        nextIdleCheck = now + Self.idleCheckInterval
        var idle: [Int32] = []
        for (fd, connection) in open where !connection.dropping && now - connection.lastHeard >= idleLimit {
            if let routingID = connection.routingID, isHeld(routingID) { continue }
            idle.append(fd)
        }
        for fd in idle {
            open[fd]!.dropping = true
            open[fd]!.readShutAt = now
        }
        return idle.sorted()
    }

    /// The connections whose read side was shut for being idle ``escalationDelay`` ago or more and that
    /// are still open: to shut both ways now, once each; at most once per ``idleCheckInterval``.
    mutating func stillOpenAfterReadShut(now: Timestamp) -> [Int32] {
        guard now >= nextEscalationCheck else { return [] }
        nextEscalationCheck = now + Self.idleCheckInterval
        var due: [Int32] = []
        for (fd, connection) in open {
            if let shut = connection.readShutAt, now - shut >= Self.escalationDelay { due.append(fd) }
        }
        for fd in due { open[fd]!.readShutAt = nil }
        return due.sorted()
    }
}
