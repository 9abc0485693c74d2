/// Keeps the main socket's connections below the process's descriptor limit, so that descriptors stay
/// free for the admin plane, the journal and the ZAP handler whatever strangers open.
///
/// libzmq has no cap on the connections a socket accepts, spins when an accept fails with `EMFILE` on
/// a TCP listener, and aborts the process when one fails on an `ipc://` listener (the admin plane).
/// The runtime reports each connection the socket monitor sees accepted or closed; past ``limit``
/// open connections, the newest one is dropped as it arrives, so connections already open (the
/// registered agents) keep theirs.
///
/// libzmq tells neither which connection carries which registered agent nor lets one peer be
/// disconnected by name: the runtime drops a connection by shutting its socket down, and connections
/// within the limit are held however idle they are.
///
/// It does no I/O: the runtime gives it the descriptor limit and carries out what it decides.
struct ConnectionCap {
    /// Descriptors kept free beyond those open at start: at least this many, or an eighth of the limit.
    /// It absorbs the connections libzmq accepts before the cap catches up, a few times the listen
    /// backlog.
    static let minimumReserve = 128

    /// What to do with a connection just accepted.
    enum Decision: Equatable {
        /// Within the limit: leave it to libzmq.
        case keep
        /// Past the limit: shut its socket down; libzmq then closes it.
        case drop
    }

    /// Open connections held at most.
    let limit: Int
    /// The descriptors of the open connections, each with whether it is being dropped.
    private var open: [Int32: Bool] = [:]

    /// - Parameters:
    ///   - descriptorLimit: the soft `RLIMIT_NOFILE` in force.
    ///   - inUse: descriptors the process has open before any connection (sockets, files, eventfds).
    init(descriptorLimit: Int, inUse: Int) {
        let reserve = max(Self.minimumReserve, descriptorLimit / 8)
        limit = max(1, descriptorLimit - inUse - reserve)
    }

    /// Connections open, dropped ones included until they are reported closed.
    var count: Int { open.count }

    /// A connection on descriptor `fd` was accepted.
    mutating func accepted(_ fd: Int32) -> Decision {
        let drop = open.count >= limit
        open[fd] = drop
        return drop ? .drop : .keep
    }

    /// The connection on descriptor `fd` closed.
    mutating func disconnected(_ fd: Int32) {
        open.removeValue(forKey: fd)
    }
}
