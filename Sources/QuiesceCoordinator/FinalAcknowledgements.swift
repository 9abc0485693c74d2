import QuiesceCore

/// When the coordinator, its report written, may exit without taking an agent's last word with it.
///
/// An agent's socket has `ZMQ_IMMEDIATE=1`, and libzmq discards what such a socket has received but
/// not read when its peer closes: a coordinator that exited at once would lose the acknowledgement
/// of the last reports, and their agents would wait for it in vain. An agent closes its connection
/// only once it is done: it has read the acknowledgement of its final report (or given up on it). So
/// the coordinator exits once every connection it sent an acknowledgement on has closed, which its
/// socket's monitor tells, naming the connection's descriptor. An acknowledgement sent on a
/// connection whose descriptor is not known is given ``unplacedGrace`` to be read instead.
///
/// A report read after its connection was reported closed (an agent that repeated its report while
/// the coordinator was behind, then read the first acknowledgement and left) is acknowledged on a
/// connection that is gone: that acknowledgement is not waited for, until a connection is accepted on
/// the descriptor again.
///
/// The runtime bounds the wait (a peer that keeps its connection open cannot keep the coordinator
/// alive) and keeps serving meanwhile, so that late reports are acknowledged too.
struct FinalAcknowledgements {
    /// How long an acknowledgement whose connection is not known is given to be read.
    static let unplacedGrace: Duration = .milliseconds(50)

    /// The descriptors of the connections that were sent an acknowledgement and have not closed since.
    private var awaited: Set<Int32> = []
    /// When the latest acknowledgement on a connection of unknown descriptor was sent.
    private var lastUnplaced: Timestamp?
    /// The descriptors of the connections reported closed and not accepted again since.
    private var closedSinceAccepted: Set<Int32> = []

    /// An acknowledgement was sent at `now` on the connection of descriptor `fd` (`nil`: not known).
    mutating func sent(on fd: Int32?, now: Timestamp) {
        if let fd {
            if !closedSinceAccepted.contains(fd) { awaited.insert(fd) }
        } else {
            lastUnplaced = now
        }
    }

    /// The connection of descriptor `fd` closed: whatever was sent on it was read, or never will be.
    mutating func closed(_ fd: Int32) {
        awaited.remove(fd)
        closedSinceAccepted.insert(fd)
    }

    /// A connection was accepted on descriptor `fd`: a new one, whose acknowledgements are waited for.
    mutating func accepted(_ fd: Int32) {
        closedSinceAccepted.remove(fd)
    }

    /// The connections sent an acknowledgement that have not closed yet.
    var unclosed: Int { awaited.count }

    /// Whether every acknowledgement sent has been read, as far as the coordinator can know, at `now`.
    func allRead(now: Timestamp) -> Bool {
        awaited.isEmpty && lastUnplaced.map { now >= $0 + Self.unplacedGrace } ?? true
    }

    /// When ``allRead(now:)`` turns true without a connection closing, if it can.
    var readWithoutClosing: Timestamp? {
        awaited.isEmpty ? lastUnplaced.map { $0 + Self.unplacedGrace } : nil
    }
}
