import CQuiesceSystem
import Dispatch
import Foundation

/// Turns Unix signals into readable events on an eventfd, so a reactor blocked in `zmq_poll` wakes up
/// for them. The default action of each watched signal is replaced by this watcher.
public final class SignalWatcher: @unchecked Sendable {
    /// Readable when signals are pending; poll it, then call ``drain()``.
    public let fileDescriptor: Int32
    private let lock = NSLock()
    private var pending: [Int32] = []
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "quiesce.signals")

    public init(signals: [Int32]) {
        fileDescriptor = quiesce_eventfd()
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [unowned self] in
                let count = max(1, Int(source.data))
                self.lock.withLock { self.pending += Array(repeating: signalNumber, count: count) }
                quiesce_eventfd_signal(self.fileDescriptor)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signals received since the last call, in order.
    public func drain() -> [Int32] {
        quiesce_eventfd_drain(fileDescriptor)
        return lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
