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

    /// Terminates the context. Every socket must be closed first.
    public func terminate() {
        guard !terminated else { return }
        terminated = true
        _ = try? zmqCall("zmq_ctx_term") { zmq_ctx_term(handle) }
    }
}
