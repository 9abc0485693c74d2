import Foundation
import QuiesceRuntime
import Testing

@Suite("SignalWatcher")
struct SignalWatcherTests {
    @Test("signals sent to the process the instant the watcher exists are kept, and wake its descriptor")
    func signalsRightAfterInstallAreKept() {
        let watcher = SignalWatcher(signals: [SIGUSR1, SIGUSR2])
        kill(getpid(), SIGUSR2)
        kill(getpid(), SIGUSR1)
        var received: [Int32] = []
        var descriptor = pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)
        // Each wait is bounded; the two signals arrive within microseconds.
        for _ in 0..<20 where received.count < 2 {
            if poll(&descriptor, 1, 100) == 1 { received += watcher.drain() }
        }
        #expect(received.sorted() == [SIGUSR1, SIGUSR2].sorted())
        #expect(watcher.drain().isEmpty)
        #expect(poll(&descriptor, 1, 0) == 0)
    }
}
