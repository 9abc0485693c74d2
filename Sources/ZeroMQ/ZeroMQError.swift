import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// An error reported by libzmq, carrying its `errno` and `zmq_strerror` text.
public struct ZeroMQError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// The libzmq call that failed, for example `"zmq_bind"`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code)))"
    }
}

/// Runs a libzmq call the way swift-nio's `syscall` helper runs a system call: retries on `EINTR`,
/// returns `nil` on `EAGAIN` (the non-blocking call would block), throws ``ZeroMQError`` otherwise.
@discardableResult
func zmqCall(_ operation: String, _ body: () -> Int32) throws -> Int32? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = zmq_errno()
        switch code {
        case EINTR: continue
        case EAGAIN: return nil
        default: throw ZeroMQError(code: code, operation: operation)
        }
    }
}
