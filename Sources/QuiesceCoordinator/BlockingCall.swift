import Dispatch
import QuiesceEtcd
import Synchronization

/// Runs an async etcd call for a caller on a plain thread (the coordinator's poll thread), which
/// waits for it: the call itself runs as a task, so no thread of Swift's cooperative pool is ever
/// blocked. Never call it from the cooperative pool: the waiting thread would be one of its own.
enum BlockingCall {
    /// The result of `body`, or ``EtcdError/timedOut(operation:endpoint:after:)`` when it has not
    /// ended within `timeout` (it is then cancelled). Give `body` a shorter timeout of its own, so that
    /// this bound only catches a call that hangs.
    static func run<T: Sendable>(
        _ operation: String, endpoints: [String], within timeout: Duration,
        _ body: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds))) == .success else {
            task.cancel()
            throw EtcdError.timedOut(operation: operation, endpoint: endpoints.joined(separator: ","), after: timeout)
        }
        return try outcome.withLock { $0! }.get()
    }
}
