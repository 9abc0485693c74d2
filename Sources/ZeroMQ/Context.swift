import CZeroMQ

/// A libzmq context. Create one per process, use it (and its sockets) from one thread, and call
/// ``terminate()`` on that thread after every socket is closed.
public final class Context {
    let handle: UnsafeMutableRawPointer
    private var terminated = false

    public init() throws {
        guard let handle = zmq_ctx_new() else {
            throw ZeroMQError(code: zmq_errno(), operation: "zmq_ctx_new")
        }
        self.handle = handle
    }

    /// A context for many sockets: libzmq's default allows 1,023 sockets per context.
    /// - Parameters:
    ///   - maxSockets: sockets the context may hold at once (`ZMQ_MAX_SOCKETS`).
    ///   - ioThreads: threads libzmq runs the context's connections on (`ZMQ_IO_THREADS`, default 1).
    public convenience init(maxSockets: Int32, ioThreads: Int32 = 1) throws {
        try self.init()
        for (option, value, name) in [
            (ZMQ_MAX_SOCKETS, maxSockets, "ZMQ_MAX_SOCKETS"), (ZMQ_IO_THREADS, ioThreads, "ZMQ_IO_THREADS"),
        ] {
            try zmqCall("zmq_ctx_set \(name)") { zmq_ctx_set(handle, option, value) }
        }
    }

    /// Terminates the context. Every socket must be closed first.
    public func terminate() {
        guard !terminated else { return }
        terminated = true
        _ = try? zmqCall("zmq_ctx_term") { zmq_ctx_term(handle) }
    }
}
