import Foundation
import Logging
import QuiesceCore
import ZeroMQ

/// The I/O of the ``ConnectionCap`` on the coordinator's main socket: it feeds the cap what the socket
/// monitor and received messages tell, shuts down (`shutdown(2)`, never `close`: libzmq owns the
/// descriptor and closes it) the connections the cap drops, counts them and logs without flooding.
final class ConnectionWatch {
    private var cap: ConnectionCap
    private let logger: Logger
    /// Keeps connection floods (dropped connections, failed accepts) from flooding the log.
    private var log = LogThrottle(interval: .seconds(10))
    /// Connections shut down for being idle, since the coordinator started.
    private(set) var droppedIdle = 0
    /// Of those, the connections still open ``ConnectionCap/escalationDelay`` after their read side
    /// was shut, then shut both ways.
    private var escalated = 0

    init(descriptorLimit: Int, inUse: Int, logger: Logger) {
        cap = ConnectionCap(descriptorLimit: descriptorLimit, inUse: inUse)
        self.logger = logger
    }

    /// Open connections held at most.
    var limit: Int { cap.limit }

    /// Handles one of the monitor's connection events; others are left to the caller.
    func handle(_ event: SocketEvent, now: Timestamp) {
        let fd = Int32(bitPattern: event.value)
        switch event.kind {
        case .accepted: accepted(fd, now: now)
        case .disconnected: cap.disconnected(fd)
        case .acceptFailed: acceptFailed(errno: fd, now: now)
        default: break
        }
    }

    /// A valid message from `routingID` arrived on the connection of descriptor `fd`.
    func heard(on fd: Int32?, from routingID: [UInt8], now: Timestamp) {
        guard let fd else { return }
        cap.heard(on: fd, from: routingID, now: now)
    }

    /// Shuts the read side of the connections idle past the cap's limit whose routing id is not held,
    /// and both sides of those still open long after that (``ConnectionCap``). Read the monitor first,
    /// so that no descriptor closed meanwhile is taken for an open connection.
    func dropIdle(now: Timestamp, isHeld: ([UInt8]) -> Bool) {
        let lingering = cap.stillOpenAfterReadShut(now: now)
        for fd in lingering { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        escalated += lingering.count
        if !lingering.isEmpty, let unlogged = log.record("lingering", now: now) {
            logger.warning(
                "Idle connections still sending after their read side was shut: shut both ways",
                metadata: [
                    "shut": "\(lingering.count)", "escalated_idle_connections": "\(escalated)",
                    "unlogged_since_last": "\(unlogged)",
                ])
        }
        let idle = cap.idleConnections(now: now, isHeld: isHeld)
        guard !idle.isEmpty else { return }
        for fd in idle { _ = shutdown(fd, Int32(SHUT_RD)) }
        droppedIdle += idle.count
        guard let unlogged = log.record("idle", now: now) else { return }
        logger.warning(
            "Idle connections dropped: nothing valid arrived on them and they carry no agent",
            metadata: [
                "dropped": "\(idle.count)", "dropped_idle_connections": "\(droppedIdle)",
                "idle_limit": "\(cap.idleLimit.configurationText)", "connections": "\(cap.count)",
                "unlogged_since_last": "\(unlogged)",
            ])
    }

    /// Drops the connection just accepted on descriptor `fd` when the cap says so.
    private func accepted(_ fd: Int32, now: Timestamp) {
        guard cap.accepted(fd, now: now) == .drop else { return }
        _ = shutdown(fd, Int32(SHUT_RDWR))
        if let unlogged = log.record("cap", now: now) {
            logger.warning(
                "Connection dropped: the coordinator holds as many connections as its descriptor limit allows",
                metadata: [
                    "connections": "\(cap.count)", "connection_limit": "\(cap.limit)",
                    "dropped_since_last_logged": "\(unlogged)",
                    "fix": "find who opens them, or raise the hard limit (ulimit -Hn, LimitNOFILE=)",
                ])
        }
    }

    /// The main socket's listener could not accept a connection (no descriptor left, most often).
    private func acceptFailed(errno code: Int32, now: Timestamp) {
        guard let unlogged = log.record("accept", now: now) else { return }
        logger.warning(
            "Cannot accept a connection",
            metadata: [
                "error": "\(String(cString: strerror(code)))", "connections": "\(cap.count)",
                "failed_since_last_logged": "\(unlogged)",
            ])
    }
}
