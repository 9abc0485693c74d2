import CZeroMQ

/// A connection event libzmq reports about a monitored socket (`zmq_socket_monitor`).
public struct SocketEvent: Sendable, Equatable {
    /// The kinds of event Quiesce watches; libzmq's `ZMQ_EVENT_*` values.
    public struct Kind: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// A peer's TCP or IPC connection was accepted; the handshake begins.
        public static let accepted = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPTED))
        /// A connecting socket's TCP or IPC connection was made; the handshake begins.
        public static let connected = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
        /// A connecting socket will try again: nothing accepted its connection (refused, no such socket).
        public static let connectRetried = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECT_RETRIED))
        /// A connection closed, whether or not its handshake had completed.
        public static let disconnected = Kind(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
        /// A listener could not accept a connection; the value is the `errno` (`EMFILE`: no descriptor
        /// left).
        public static let acceptFailed = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPT_FAILED))
        /// The handshake failed without more detail (a peer that closed mid-handshake, ...).
        static let handshakeFailedNoDetail = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        /// The handshake broke the protocol: a plain peer on a CURVE socket, a wrong server key, garbage.
        /// The event's value is a `ZMQ_PROTOCOL_ERROR_*` code.
        static let handshakeFailedProtocol = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        /// The ZAP handler refused the peer; the value is the ZAP status code (400, 500).
        static let handshakeFailedAuthentication = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        /// The handshake completed: the peer is connected (and authenticated, with CURVE).
        public static let handshakeSucceeded = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))

        /// Every way a handshake can fail.
        public static let handshakeFailures: Kind = [
            .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuthentication,
        ]
    }

    public var kind: Kind
    /// The event's value: a file descriptor, an error code or a status, depending on the kind.
    public var value: UInt32
    /// The endpoint the event concerns.
    public var endpoint: String

    /// Whether a handshake failed without a word from the peer: it hung up or fell silent. That is
    /// all a CURVE client sees of a server whose key is not the one the client holds: the server
    /// cannot read the client's greeting and closes the connection.
    public var isHandshakeFailureWithoutDetail: Bool { kind == .handshakeFailedNoDetail }

    /// Whether a handshake failed because one side uses CURVE and the other does not.
    public var isMechanismMismatch: Bool {
        kind == .handshakeFailedProtocol && value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
    }

    /// Whether the peer's ZAP handler refused this side's key.
    public var isAuthenticationFailure: Bool { kind == .handshakeFailedAuthentication }

    /// For a failed handshake, what went wrong, in words an operator can act on; `nil` otherwise.
    public var handshakeFailure: String? {
        switch kind {
        case .handshakeFailedAuthentication:
            "the key is not allowed (ZAP status \(value))"
        case .handshakeFailedNoDetail:
            "the peer sent no valid handshake in time, or closed the connection during it"
        case .handshakeFailedProtocol where value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC):
            "cryptographic error: the peer has a wrong server key"
        case .handshakeFailedProtocol where value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH):
            "mechanism mismatch: a plain peer on a CURVE socket, or the reverse"
        case .handshakeFailedProtocol:
            "protocol error 0x\(String(value, radix: 16))"
        default:
            nil
        }
    }
}

/// Reads the events libzmq reports about one socket, from the PAIR socket it publishes them on.
/// Poll ``socket`` with the monitored socket's other items, then read with ``next()``.
///
/// libzmq 4.3.4 sends each event from its I/O thread in blocking mode: an event with no reader
/// connected stalls that thread, and with it every socket of the context. So the monitoring stops
/// before the reader goes: ``close()`` stops it on the monitored socket first, and so does
/// ``Socket/close()``.
public final class SocketMonitor {
    /// The PAIR socket the events arrive on.
    public let socket: Socket
    private let monitored: Socket

    /// Starts monitoring `monitored` for `events`, publishing on `address` (an unused `inproc://` name).
    public init(_ monitored: Socket, context: Context, events: SocketEvent.Kind, address: String) throws {
        try zmqCall("zmq_socket_monitor \(address)") {
            zmq_socket_monitor(monitored.handle, address, Int32(events.rawValue))
        }
        self.monitored = monitored
        do {
            socket = try Socket(context: context, type: .pair)
            try socket.connect(address)
        } catch {
            monitored.stopMonitor()
            throw error
        }
    }

    /// The next event waiting, or `nil` when none is; a malformed event is skipped.
    public func next() throws -> SocketEvent? {
        while let message = try socket.receive(maxFrames: 2) {
            // Frame 1: the event (16 bits) and its value (32 bits), in host order; frame 2: the endpoint.
            guard message.frames.count == 2, message.frames[0].count == 6 else { continue }
            let (kind, value) = message.frames[0].withUnsafeBytes {
                (
                    $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self),
                    $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
                )
            }
            return SocketEvent(
                kind: SocketEvent.Kind(rawValue: kind), value: value,
                endpoint: String(decoding: message.frames[1], as: UTF8.self))
        }
        return nil
    }

    /// Stops the monitoring, then closes the PAIR socket. Call before the context terminates.
    public func close() {
        monitored.stopMonitor()
        socket.close()
    }
}
