import CZeroMQ

/// Waits on sockets and plain file descriptors (an eventfd, a signal pipe) at once with `zmq_poll`.
/// Each item is named by a key, and a poll answers which keys are readable, so that a reactor loop asks
/// `readable[.router]` rather than counting positions. Build it once per reactor loop from the items to
/// watch; it holds no resources.
public struct Poller<Key: Hashable> {
    /// Something to wait on.
    public enum Item {
        case socket(Socket)
        case fileDescriptor(Int32)
    }

    /// The keys of the items a poll found readable.
    public struct Readable {
        fileprivate var keys: Set<Key>

        /// Whether the item named `key` is readable.
        public subscript(key: Key) -> Bool { keys.contains(key) }
    }

    private var keys: [Key]
    private var items: [zmq_pollitem_t]

    /// Watches `watched`, each item under its key; keys must be distinct.
    public init(_ watched: [(Key, Item)]) {
        precondition(Set(watched.map(\.0)).count == watched.count, "two poll items share a key")
        keys = watched.map(\.0)
        items = watched.map { _, item in
            switch item {
            case .socket(let socket):
                zmq_pollitem_t(socket: socket.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0)
            case .fileDescriptor(let fd):
                zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
            }
        }
    }

    /// Blocks until an item is readable or `timeoutMilliseconds` pass (-1 waits forever).
    /// - Returns: the keys of the readable items.
    public mutating func poll(timeoutMilliseconds: Int) throws -> Readable {
        let count = Int32(items.count)
        let ready = try items.withUnsafeMutableBufferPointer { buffer in
            try zmqCall("zmq_poll") { zmq_poll(buffer.baseAddress, count, timeoutMilliseconds) }
        }
        guard ready != nil, ready != 0 else { return Readable(keys: []) }
        return Readable(
            keys: Set(zip(keys, items).lazy.filter { $0.1.revents & Int16(ZMQ_POLLIN) != 0 }.map(\.0)))
    }
}

extension Poller where Key == Int {
    /// Watches `watched`, each item named by its position: `readable[0]` is the first.
    public init(_ watched: [Item]) {
        self.init(Array(zip(watched.indices, watched)))
    }
}
