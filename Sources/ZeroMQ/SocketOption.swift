import CZeroMQ

/// The integer socket options Quiesce sets. Names follow libzmq's `ZMQ_*` constants.
public enum SocketOption: Sendable, CustomStringConvertible {
    case linger
    case immediate
    case routerMandatory
    case maxMessageSize
    case reconnectInterval
    case reconnectIntervalMax
    case heartbeatInterval
    case heartbeatTimeout
    /// `ZMQ_ZAP_ENFORCE_DOMAIN` (a draft option this libzmq accepts): with no ZAP handler bound, a
    /// CURVE handshake fails instead of admitting any key.
    case zapEnforceDomain
    /// `ZMQ_HANDSHAKE_IVL`: milliseconds a new connection has to complete its handshake.
    case handshakeInterval
    /// `ZMQ_RCVHWM`: messages queued per connection before libzmq stops reading from it.
    case receiveHighWaterMark
    /// `ZMQ_BACKLOG`: connections the kernel queues for a listener before it drops new ones' SYNs
    /// (their kernels try again a second later).
    case backlog

    var rawValue: Int32 {
        switch self {
        case .linger: ZMQ_LINGER
        case .immediate: ZMQ_IMMEDIATE
        case .routerMandatory: ZMQ_ROUTER_MANDATORY
        case .maxMessageSize: ZMQ_MAXMSGSIZE
        case .reconnectInterval: ZMQ_RECONNECT_IVL
        case .reconnectIntervalMax: ZMQ_RECONNECT_IVL_MAX
        case .heartbeatInterval: ZMQ_HEARTBEAT_IVL
        case .heartbeatTimeout: ZMQ_HEARTBEAT_TIMEOUT
        case .zapEnforceDomain: 93
        case .handshakeInterval: ZMQ_HANDSHAKE_IVL
        case .receiveHighWaterMark: ZMQ_RCVHWM
        case .backlog: ZMQ_BACKLOG
        }
    }

    public var description: String {
        switch self {
        case .linger: "ZMQ_LINGER"
        case .immediate: "ZMQ_IMMEDIATE"
        case .routerMandatory: "ZMQ_ROUTER_MANDATORY"
        case .maxMessageSize: "ZMQ_MAXMSGSIZE"
        case .reconnectInterval: "ZMQ_RECONNECT_IVL"
        case .reconnectIntervalMax: "ZMQ_RECONNECT_IVL_MAX"
        case .heartbeatInterval: "ZMQ_HEARTBEAT_IVL"
        case .heartbeatTimeout: "ZMQ_HEARTBEAT_TIMEOUT"
        case .zapEnforceDomain: "ZMQ_ZAP_ENFORCE_DOMAIN"
        case .handshakeInterval: "ZMQ_HANDSHAKE_IVL"
        case .receiveHighWaterMark: "ZMQ_RCVHWM"
        case .backlog: "ZMQ_BACKLOG"
        }
    }
}
