import Foundation
import QuiesceRuntime
import ZeroMQ

/// A peer that floods the coordinator from a DEALER of its own thread: it sends one batch per pass,
/// pauses, and goes on until stopped, or until `lifetime` has passed, should a test forget.
final class DealerFlood: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var finished = false
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - curve: the peer's keys and the coordinator's public key; plain when `nil`.
    ///   - pause: how long each pass waits after its batch, which paces the flood.
    ///   - batch: sends one pass's messages on the socket (`pass` counts from 0) and returns how many
    ///     were sent.
    init(
        endpoint: String, curve: (keys: CurveKeyPair, serverKey: String)? = nil, lifetime: TimeInterval,
        pause: useconds_t, batch: @escaping @Sendable (_ dealer: Socket, _ pass: UInt64) -> Int
    ) {
        let thread = Thread { [self] in
            defer {
                lock.withLock { finished = true }
                done.signal()
            }
            guard let context = try? Context(),
                let dealer = try? Sockets.dealer(context: context, connect: endpoint, immediate: false, curve: curve)
            else { return }
            defer {
                try? dealer.set(.linger, Int32(0))
                dealer.close()
                context.terminate()
            }
            let deadline = Date().addingTimeInterval(lifetime)
            var pass: UInt64 = 0
            while !isStopped, Date() < deadline {
                let sentNow = batch(dealer, pass)
                lock.withLock { count += sentNow }
                pass += 1
                usleep(pause)
            }
        }
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }
    /// Whether it is still sending.
    var isRunning: Bool { lock.withLock { !finished } }
    /// Messages sent so far.
    var sent: Int { lock.withLock { count } }

    /// Stops the flood and waits for its socket to close.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if first { done.wait() }
    }
}
