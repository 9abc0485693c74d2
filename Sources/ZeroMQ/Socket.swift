import CZeroMQ

/// A libzmq socket. Not thread-safe: create, use and ``close()`` it on the thread that owns its
/// ``Context``. It is never closed in `deinit`; the owner closes it explicitly.
public final class Socket {
    let handle: UnsafeMutableRawPointer
    public let type: SocketType
    private var closed = false

    public init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError(code: zmq_errno(), operation: "zmq_socket")
        }
        self.handle = handle
        self.type = type
    }

    public func bind(_ endpoint: String) throws {
        try zmqCall("zmq_bind \(endpoint)") { zmq_bind(handle, endpoint) }
    }

    public func connect(_ endpoint: String) throws {
        try zmqCall("zmq_connect \(endpoint)") { zmq_connect(handle, endpoint) }
    }

    /// The endpoint the socket is bound to, with the port resolved for `tcp://host:*` binds.
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        try zmqCall("zmq_getsockopt ZMQ_LAST_ENDPOINT") {
            zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sets an integer socket option.
    public func set(_ option: SocketOption, _ value: Int32) throws {
        var value = value
        try zmqCall("zmq_setsockopt \(option)") {
            zmq_setsockopt(handle, option.rawValue, &value, MemoryLayout<Int32>.size)
        }
    }

    /// The descriptor libzmq signals when the socket's events may have changed (`ZMQ_FD`), to watch with
    /// `epoll` beside thousands of other sockets. It is edge-triggered: read ``hasMessage`` after each
    /// wake-up and after each send or receive, since one signal can stand for several messages.
    public func fileDescriptor() throws -> Int32 {
        var descriptor: Int32 = -1
        var size = MemoryLayout<Int32>.size
        try zmqCall("zmq_getsockopt ZMQ_FD") { zmq_getsockopt(handle, ZMQ_FD, &descriptor, &size) }
        return descriptor
    }

    /// Whether a message is waiting to be received (`ZMQ_EVENTS` has `ZMQ_POLLIN`).
    public func hasMessage() throws -> Bool {
        try events() & Int32(ZMQ_POLLIN) != 0
    }

    /// Whether a message can be sent now (`ZMQ_EVENTS` has `ZMQ_POLLOUT`): with `ZMQ_IMMEDIATE`, a
    /// DEALER sends only once a connection's handshake has succeeded.
    public func canSend() throws -> Bool {
        try events() & Int32(ZMQ_POLLOUT) != 0
    }

    private func events() throws -> Int32 {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try zmqCall("zmq_getsockopt ZMQ_EVENTS") { zmq_getsockopt(handle, ZMQ_EVENTS, &events, &size) }
        return events
    }

    /// Makes this socket the CURVE server side, with its key pair: peers must know `keys.publicKey`.
    /// Bind a ZAP handler in the same context first, or any client key is accepted.
    public func makeCurveServer(_ keys: CurveKeyPair) throws {
        try set(ZMQ_CURVE_SERVER, Int32(1))
        try set(ZMQ_CURVE_SECRETKEY, keys.secretKey)
    }

    /// Makes this socket a CURVE client with its own key pair, talking to the server `serverKey`.
    public func makeCurveClient(_ keys: CurveKeyPair, serverKey: String) throws {
        try set(ZMQ_CURVE_SERVERKEY, serverKey)
        try set(ZMQ_CURVE_PUBLICKEY, keys.publicKey)
        try set(ZMQ_CURVE_SECRETKEY, keys.secretKey)
    }

    /// The ZAP domain the socket's connections are authenticated in.
    public func setZAPDomain(_ domain: String) throws {
        try set(ZMQ_ZAP_DOMAIN, domain)
    }

    private func set(_ option: Int32, _ value: Int32) throws {
        var value = value
        try zmqCall("zmq_setsockopt \(option)") { zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) }
    }

    private func set(_ option: Int32, _ text: String) throws {
        _ = try text.withCString { pointer in
            try zmqCall("zmq_setsockopt \(option)") { zmq_setsockopt(handle, option, pointer, text.utf8.count) }
        }
    }

    /// Sets a 64-bit integer socket option such as ``SocketOption/maxMessageSize``.
    public func set(_ option: SocketOption, _ value: Int64) throws {
        var value = value
        try zmqCall("zmq_setsockopt \(option)") {
            zmq_setsockopt(handle, option.rawValue, &value, MemoryLayout<Int64>.size)
        }
    }

    /// Sends every frame of a multipart message without blocking.
    /// - Returns: `false` when the message could not be queued now (`EAGAIN`: no peer or high-water mark).
    /// - Throws: ``ZeroMQError``; `EHOSTUNREACH` when a ROUTER's peer is gone (`ROUTER_MANDATORY`).
    @discardableResult
    public func send(_ frames: [[UInt8]]) throws -> Bool {
        for (index, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (index < frames.count - 1 ? ZMQ_SNDMORE : 0)
            let sent = try frame.withUnsafeBytes { bytes in
                try zmqCall("zmq_send") { zmq_send(handle, bytes.baseAddress, bytes.count, flags) }
            }
            if sent == nil {
                // libzmq sends multipart messages atomically: only the first frame can be refused.
                return false
            }
        }
        return true
    }

    /// Receives one multipart message without blocking, or `nil` when none is waiting.
    /// - Parameter maxFrames: frames past this count are read and discarded, and the message is
    ///   returned truncated with `truncated == true`, so that a hostile peer cannot grow memory.
    public func receive(maxFrames: Int = 16) throws -> ReceivedMessage? {
        var frames: [[UInt8]] = []
        var truncated = false
        var userID: String?
        var sourceDescriptor: Int32?
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags = frames.isEmpty && !truncated ? ZMQ_DONTWAIT : 0
            guard try zmqCall("zmq_msg_recv", { zmq_msg_recv(&message, handle, flags) }) != nil else {
                return nil
            }
            if userID == nil, let property = zmq_msg_gets(&message, "User-Id") {
                userID = String(cString: property)
            }
            if sourceDescriptor == nil, case let descriptor = zmq_msg_get(&message, ZMQ_SRCFD), descriptor >= 0 {
                sourceDescriptor = descriptor
            }
            if frames.count < maxFrames {
                let size = zmq_msg_size(&message)
                let data = zmq_msg_data(&message)
                frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                truncated = true
            }
            if zmq_msg_more(&message) == 0 { break }
        }
        return ReceivedMessage(
            frames: frames, truncated: truncated, userID: userID, sourceDescriptor: sourceDescriptor)
    }

    /// Closes the socket. Set ``SocketOption/linger`` first to bound how long pending messages are kept.
    public func close() {
        guard !closed else { return }
        // A monitor left running would go on sending events while libzmq takes the socket down.
        stopMonitor()
        closed = true
        zmq_close(handle)
    }

    /// Stops the monitor started on this socket, if any: libzmq sends it no event after this returns.
    func stopMonitor() {
        guard !closed else { return }
        zmq_socket_monitor(handle, nil, 0)
    }
}

/// A multipart message as received, with the ZAP User-Id libzmq attached to it, if any, and the
/// descriptor of the connection it came on.
public struct ReceivedMessage: Sendable {
    public var frames: [[UInt8]]
    /// More frames arrived than the receiver accepts; the surplus was discarded.
    public var truncated: Bool
    /// The User-Id a ZAP handler assigned to the peer's connection.
    public var userID: String?
    /// The descriptor of the TCP or IPC connection the message arrived on (`ZMQ_SRCFD`): the value the
    /// socket monitor reported when it accepted that connection. `nil` for `inproc://`.
    public var sourceDescriptor: Int32?
}
