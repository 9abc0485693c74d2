import CZeroMQ

/// Waits on sockets and plain file descriptors (an eventfd, a signal pipe) at once with `zmq_poll`.
/// Build it once per reactor loop from the items to watch; it holds no resources.
public struct Poller {
    /// Something to wait on.
    public enum Item {
        case socket(Socket)
        case fileDescriptor(Int32)
    }

    private var items: [zmq_pollitem_t]

    public init(_ watched: [Item]) {
        items = watched.map { item in
            switch item {
            case .socket(let socket):
                zmq_pollitem_t(socket: socket.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0)
            case .fileDescriptor(let fd):
                zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
            }
        }
    }

    /// Blocks until an item is readable or `timeoutMilliseconds` pass (-1 waits forever).
    /// - Returns: for each item, in order, whether it is readable.
    public mutating func poll(timeoutMilliseconds: Int) throws -> [Bool] {
        let count = Int32(items.count)
        let ready = try items.withUnsafeMutableBufferPointer { buffer in
            try zmqCall("zmq_poll") { zmq_poll(buffer.baseAddress, count, timeoutMilliseconds) }
        }
        guard ready != nil, ready != 0 else { return Array(repeating: false, count: items.count) }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
