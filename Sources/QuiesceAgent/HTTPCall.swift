import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends `METHOD url`, for an HTTP readiness check or a `--stop-http` stop command, and answers `nil`
/// when a 2xx or 3xx status comes back within the timeout, otherwise why not.
enum HTTPCall {
    static func run(method: String, url text: String, timeout: Duration) -> String? {
        guard let url = URL(string: text) else { return "not a URL: \(text)" }
        var request = URLRequest(url: url, timeoutInterval: timeout.seconds)
        request.httpMethod = method
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { _, response, error in
            if let error {
                outcome.error = "\(method) \(text): \(error.localizedDescription)"
            } else if let status = (response as? HTTPURLResponse)?.statusCode, !(200..<400).contains(status) {
                outcome.error = "\(method) \(text): HTTP \(status)"
            }
            done.signal()
        }
        task.resume()
        guard done.wait(timeout: .now() + timeout.seconds + 0.5) == .success else {
            task.cancel()
            return "\(method) \(text): no answer within \(timeout.configurationText)"
        }
        return outcome.error
    }

    /// What the completion handler found, read after the semaphore.
    private final class Outcome: @unchecked Sendable {
        var error: String?
    }
}
