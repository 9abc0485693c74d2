import CZeroMQ

/// The libzmq socket patterns Quiesce uses.
public enum SocketType: Sendable {
    case router
    case dealer
    case pair
    /// The reply side of a ZAP handler.
    case rep

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        }
    }
}
