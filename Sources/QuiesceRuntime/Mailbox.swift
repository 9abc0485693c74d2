import CQuiesceSystem
import Foundation

/// Hands values from any thread to a reactor blocked in `zmq_poll`: ``post(_:)`` queues a value and
/// makes ``fileDescriptor`` (an eventfd) readable; the reactor polls it and calls ``drain()``.
public final class Mailbox<Value: Sendable>: @unchecked Sendable {
    /// Readable while values are waiting.
    public let fileDescriptor: Int32
    private let lock = NSLock()
    private var values: [Value] = []

    public init() {
        fileDescriptor = quiesce_eventfd()
    }

    public func post(_ value: Value) {
        lock.withLock { values.append(value) }
        quiesce_eventfd_signal(fileDescriptor)
    }

    /// The values posted since the last call, in order.
    public func drain() -> [Value] {
        quiesce_eventfd_drain(fileDescriptor)
        return lock.withLock {
            defer { values.removeAll() }
            return values
        }
    }
}
