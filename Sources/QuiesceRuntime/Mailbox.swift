import CQuiesceSystem
import Synchronization

/// Hands values from any thread to a reactor blocked in `zmq_poll`: ``post(_:)`` queues a value and
/// makes ``fileDescriptor`` (an eventfd) readable; the reactor polls it and calls ``drain()``.
public final class Mailbox<Value: Sendable>: Sendable {
    /// Readable while values are waiting.
    public let fileDescriptor: Int32
    private let values = Mutex<[Value]>([])

    public init() {
        fileDescriptor = quiesce_eventfd()
    }

    public func post(_ value: Value) {
        values.withLock { $0.append(value) }
        quiesce_eventfd_signal(fileDescriptor)
    }

    /// The values posted since the last call, in order.
    public func drain() -> [Value] {
        quiesce_eventfd_drain(fileDescriptor)
        return values.withLock { values in
            defer { values.removeAll() }
            return values
        }
    }
}
