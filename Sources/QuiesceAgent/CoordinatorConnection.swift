import Logging
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

/// The agent's socket to the coordinator: a DEALER, the monitor that reports its handshakes, and the
/// socket made anew after a failed handshake as ``CoordinatorReconnection`` decides (libzmq 4.3.4
/// never tries an endpoint again where a handshake broke the protocol, as at a plain impostor who
/// bound the coordinator's port first). Used on the agent's thread only.
final class CoordinatorConnection {
    /// The socket to send on and receive from; it changes when the socket is made anew.
    private(set) var dealer: Socket
    /// The PAIR socket the handshake events arrive on, to poll beside ``dealer``.
    var events: Socket { monitor.socket }
    /// When the socket is made anew, if a handshake failed.
    var deadline: Timestamp? { reconnection.deadline }

    private let context: Context
    private let curve: (keys: CurveKeyPair, serverKey: String)?
    private let logger: Logger
    private var monitor: SocketMonitor
    private var reconnection = CoordinatorReconnection(
        initialDelay: Sockets.reconnectInterval, maximumDelay: Sockets.reconnectIntervalMax)
    /// A failure repeats at every backoff while an impostor or a wrong key is there.
    private var failureLog = LogThrottle(interval: .seconds(10))
    /// Nothing accepting the connection repeats at every reconnection interval while the coordinator
    /// is not up: said at once, then every 10 s.
    private var absenceLog = LogThrottle(interval: .seconds(10))
    /// Whether a handshake ever succeeded: an absent coordinator is then one that went away.
    private var everConnected = false
    /// Each socket's monitor publishes on an address of its own: the connection's index, then its
    /// generation.
    private let index: Int
    private var generation = 0

    /// The coordinator's endpoint.
    let endpoint: String

    /// Connects to `endpoint`, the agent's coordinator number `index` (from 0), with CURVE when
    /// `curve` is given.
    init(
        context: Context, endpoint: String, index: Int = 0, curve: (keys: CurveKeyPair, serverKey: String)?,
        logger: Logger
    ) throws {
        self.context = context
        self.endpoint = endpoint
        self.index = index
        self.curve = curve
        self.logger = logger
        (dealer, monitor) = try Self.connect(
            context: context, endpoint: endpoint, curve: curve, address: Self.monitorAddress(index, 0))
    }

    private static func monitorAddress(_ index: Int, _ generation: Int) -> String {
        "inproc://quiesce.agent.monitor.\(index).\(generation)"
    }

    /// Reads the monitor's events: a failed handshake is logged (throttled) and makes a new socket
    /// due; a success calls it off; a connection nothing accepted is logged (throttled) as a
    /// coordinator not there yet.
    /// - Returns: whether a handshake succeeded, after which the socket sends.
    func readEvents(now: Timestamp) throws -> Bool {
        var connected = false
        while let event = try monitor.next() {
            if event.kind == .handshakeSucceeded {
                everConnected = true
                connected = true
                reconnection.handshakeSucceeded()
            } else if event.kind == .connectRetried {
                logAbsence(now: now)
            } else if let failure = event.handshakeFailure {
                _ = reconnection.handshakeFailed(now: now)
                log(failure: failure, event: event, now: now)
            }
        }
        return connected
    }

    /// Makes the socket anew when that is due at `now`: connects a new one, then closes the old one
    /// without lingering (it queues nothing while not connected). A new socket that cannot be made
    /// (no descriptor left) is tried again after the next delay, the old one kept meanwhile.
    func reconnectIfDue(now: Timestamp) {
        guard reconnection.socketDue(now: now) else { return }
        let next: (Socket, SocketMonitor)
        do {
            next = try Self.connect(
                context: context, endpoint: endpoint, curve: curve, address: Self.monitorAddress(index, generation + 1))
        } catch {
            _ = reconnection.handshakeFailed(now: now)
            logger.warning(
                "Could not make the socket to the coordinator anew; retrying",
                metadata: ["coordinator": "\(endpoint)", "reason": "\(error)"])
            return
        }
        close(linger: 0)
        generation += 1
        (dealer, monitor) = next
        logger.debug("Made the socket to the coordinator anew", metadata: ["coordinator": "\(endpoint)"])
    }

    /// Closes the monitor and the socket, whose pending messages may delay it by `linger` milliseconds.
    func close(linger: Int32 = Sockets.linger) {
        monitor.close()
        try? dealer.set(.linger, linger)
        dealer.close()
    }

    private static func connect(
        context: Context, endpoint: String, curve: (keys: CurveKeyPair, serverKey: String)?, address: String
    ) throws -> (Socket, SocketMonitor) {
        let dealer = try Sockets.unconnectedDealer(context: context, curve: curve)
        do {
            let monitor = try SocketMonitor(
                dealer, context: context, events: [.handshakeFailures, .handshakeSucceeded, .connectRetried],
                address: address)
            do {
                try dealer.connect(endpoint)
            } catch {
                monitor.close()
                throw error
            }
            return (dealer, monitor)
        } catch {
            // A socket left open would keep the context from terminating when the agent exits.
            try? dealer.set(.linger, Int32(0))
            dealer.close()
            throw error
        }
    }

    private func logAbsence(now: Timestamp) {
        guard let unlogged = absenceLog.record("absent", now: now) else { return }
        let message: Logger.Message =
            everConnected
            ? "The coordinator at \(endpoint) is gone; retrying"
            : "No coordinator at \(endpoint) yet; retrying"
        logger.notice(message, metadata: ["coordinator": "\(endpoint)", "unlogged_since_last": "\(unlogged)"])
    }

    private func log(failure: String, event: SocketEvent, now: Timestamp) {
        guard let unlogged = failureLog.record(failure, now: now) else { return }
        let message: Logger.Message =
            if curve != nil && event.isHandshakeFailureWithoutDetail {
                "The coordinator at \(endpoint) did not prove the key in --server-key (or dropped the connection); retrying"
            } else {
                "The handshake with the coordinator at \(endpoint) failed; retrying"
            }
        logger.warning(
            message,
            metadata: [
                "reason": "\(failure)", "coordinator": "\(endpoint)", "unlogged_since_last": "\(unlogged)",
            ])
    }
}
