import CQuiesceSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns Unix signals into readable events on an eventfd, so a reactor blocked in `zmq_poll` wakes up
/// for them. The default action of each watched signal is replaced by this watcher's handler, installed
/// before `init` returns: no signal delivered after that is lost. Create it on the thread that polls it
/// (the process may have inherited the signals blocked; they are unblocked on that thread).
public final class SignalWatcher: Sendable {
    private let signals: [Int32]

    /// Readable when signals are pending; poll it, then call ``drain()``.
    public let fileDescriptor: Int32

    public init(signals: [Int32]) {
        self.signals = signals
        fileDescriptor = quiesce_eventfd()
        for signalNumber in signals {
            // Fails only for an invalid signal number, which is a programming error.
            precondition(quiesce_signal_watch(signalNumber, fileDescriptor) == 0, "cannot watch signal \(signalNumber)")
        }
    }

    /// The signals received since the last call: each watched signal as many times as it arrived, in
    /// the order the watcher was given them.
    public func drain() -> [Int32] {
        quiesce_eventfd_drain(fileDescriptor)
        return signals.flatMap { signalNumber in
            Array(repeating: signalNumber, count: Int(quiesce_signal_take(signalNumber)))
        }
    }
}
