import QuiesceCore
import QuiesceWire
import ZeroMQ

/// Socket settings shared by the coordinator and its peers.
public enum Sockets {
    /// How long pending messages may delay closing a socket.
    public static let linger: Int32 = 2000

    /// The ZAP domain of Quiesce's CURVE connections.
    private static let zapDomain = "quiesce"

    /// Messages queued per connection on the coordinator's sockets before libzmq stops reading from
    /// that connection (TCP then holds the sender back). With messages of ``WireCodec/maximumBodySize``
    /// at most, one connection queues 32 MiB at most, not the 1 GiB of libzmq's default of 1,000.
    public static let receiveHighWaterMark: Int32 = 32

    /// How long a DEALER waits before it reconnects the first time after losing its connection; it
    /// doubles at each attempt in a row up to ``reconnectIntervalMax``.
    public static let reconnectInterval: Duration = .milliseconds(100)

    /// The longest a DEALER waits between two attempts to reconnect.
    public static let reconnectIntervalMax: Duration = .seconds(1)

    /// Connections the kernel queues for the coordinator's listeners (libzmq's default is 100), for a
    /// process that may open `descriptorLimit` descriptors: a thirty-second of it, from 32 to 1,024.
    ///
    /// A connection the queue has no room for has its SYN dropped, and the peer's kernel tries again
    /// 1, 3, 7, 15 s later: 10,000 agents reconnecting at once to a queue of 32 took minutes. A longer
    /// queue lets libzmq accept a burst faster than the coordinator can close connections past its
    /// cap (`ConnectionCap`), whose reserve of an eighth of the limit holds four such queues.
    public static func backlog(descriptorLimit: Int) -> Int32 {
        Int32(min(1024, max(32, descriptorLimit / 32)))
    }

    /// The coordinator's ROUTER, configured and not yet bound (so that a monitor can watch it from its
    /// first connection): refuses to drop messages to unknown peers silently, and bounds sizes and
    /// the messages queued per connection.
    /// - Parameter curve: the coordinator's keys. A ZAP handler must be bound in `context` first; the
    ///   socket enforces the domain, so that without one every handshake fails rather than passes.
    /// - Parameter backlog: see ``backlog(descriptorLimit:)``.
    public static func router(context: Context, curve: CurveKeyPair? = nil, backlog: Int32 = 32) throws -> Socket {
        let socket = try Socket(context: context, type: .router)
        try socket.set(.routerMandatory, Int32(1))
        try socket.set(.linger, linger)
        try socket.set(.maxMessageSize, Int64(WireCodec.maximumBodySize + 1024))
        try socket.set(.receiveHighWaterMark, receiveHighWaterMark)
        try socket.set(.backlog, backlog)
        // A connection that does not complete its handshake in 5 s is dropped.
        try socket.set(.handshakeInterval, Int32(5000))
        if let curve {
            try socket.set(.zapEnforceDomain, Int32(1))
            try socket.setZAPDomain(zapDomain)
            try socket.makeCurveServer(curve)
        }
        return socket
    }

    /// A DEALER towards the coordinator, connected to `endpoint`.
    /// - Parameter immediate: an agent's socket queues nothing while disconnected, so a restarted
    ///   coordinator never receives stale messages. libzmq then also discards received messages not yet
    ///   read when the coordinator closes, so the CLI, which must read the final report, does without.
    /// - Parameter curve: this side's keys and the coordinator's public key.
    public static func dealer(
        context: Context, connect endpoint: String, immediate: Bool = true,
        curve: (keys: CurveKeyPair, serverKey: String)? = nil
    ) throws -> Socket {
        let socket = try unconnectedDealer(context: context, immediate: immediate, curve: curve)
        try socket.connect(endpoint)
        return socket
    }

    /// The DEALER of ``dealer(context:connect:immediate:curve:)``, configured and not yet connected, so
    /// that a monitor can watch it from its first handshake.
    /// - Parameter zmtpHeartbeats: whether libzmq pings the peer and closes the connection when no
    ///   answer is read within 3 s. A reader that may fall behind its stream (`quiesce events` behind
    ///   a slow pipe, or stopped) does without: its peer's answer waits behind what it has not read,
    ///   and the connection would be closed with all of it.
    public static func unconnectedDealer(
        context: Context, immediate: Bool = true, curve: (keys: CurveKeyPair, serverKey: String)? = nil,
        zmtpHeartbeats: Bool = true
    ) throws -> Socket {
        let socket = try Socket(context: context, type: .dealer)
        if let curve { try socket.makeCurveClient(curve.keys, serverKey: curve.serverKey) }
        try socket.set(.immediate, Int32(immediate ? 1 : 0))
        try socket.set(.linger, linger)
        try socket.set(.maxMessageSize, Int64(WireCodec.maximumBodySize + 1024))
        try socket.set(.reconnectInterval, Int32(reconnectInterval.milliseconds))
        try socket.set(.reconnectIntervalMax, Int32(reconnectIntervalMax.milliseconds))
        // ZMTP heartbeats close a connection whose peer went away without a word (a host cut off, a
        // coordinator killed while this side was unreachable), so libzmq reconnects instead of waiting
        // for TCP's retransmissions to give up.
        if zmtpHeartbeats {
            try socket.set(.heartbeatInterval, Int32(1000))
            try socket.set(.heartbeatTimeout, Int32(3000))
        }
        return socket
    }
}
