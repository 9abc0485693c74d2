import Dispatch
import Foundation

/// Turns Unix signals into readable events on an eventfd, so a reactor blocked in `zmq_poll` wakes up
/// for them. The default action of each watched signal is replaced by this watcher.
public final class SignalWatcher: @unchecked Sendable {
    private let mailbox = Mailbox<Int32>()
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "quiesce.signals")

    public init(signals: [Int32]) {
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [mailbox] in
                for _ in 0..<max(1, Int(source.data)) { mailbox.post(signalNumber) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Readable when signals are pending; poll it, then call ``drain()``.
    public var fileDescriptor: Int32 { mailbox.fileDescriptor }

    /// The signals received since the last call, in order.
    public func drain() -> [Int32] {
        mailbox.drain()
    }
}
