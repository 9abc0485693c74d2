import CQuiesceSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends `METHOD url`, for an HTTP readiness check or a `--stop-http` stop command, and answers `nil`
/// when a 2xx or 3xx status comes back within the timeout, otherwise why not. Redirections are not
/// followed: a 3xx is an answer.
///
/// `http://` is spoken here, over a socket, in the few lines ``PlainHTTP`` writes and reads (only
/// the status line of the answer is read); `https://` goes through libcurl, which the agent loads
/// at the first such call (`libcurl.so.4`), so that an agent without one maps none of it.
enum HTTPCall {
    static func run(method: String, url text: String, timeout: Duration) -> String? {
        let status: Int
        do throws(TCPConnect.Failure) {
            status = text.hasPrefix("https://") ? try secure(method, text, timeout) : try plain(method, text, timeout)
        } catch {
            return "\(method) \(text): \(error)"
        }
        return (200..<400).contains(status) ? nil : "\(method) \(text): HTTP \(status)"
    }

    private static func plain(_ method: String, _ text: String, _ timeout: Duration) throws(TCPConnect.Failure) -> Int {
        guard let target = PlainHTTP.Target(url: text) else { throw TCPConnect.Failure(description: "not a URL") }
        let deadline = ContinuousClock.now + timeout
        let descriptor = try TCPConnect.connectedSocket(host: target.host, port: target.port, timeout: timeout)
        defer { close(descriptor) }
        let noAnswer = TCPConnect.Failure(description: "no answer within \(timeout.configurationText)")
        var request = Array(PlainHTTP.request(method: method, to: target).utf8)[...]
        while !request.isEmpty {
            guard wait(for: descriptor, events: POLLOUT, until: deadline) else { throw noAnswer }
            let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TCPConnect.Failure(description: "sending the request: \(String(cString: strerror(errno)))")
            }
            request = request.dropFirst(sent)
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            switch PlainHTTP.statusLine(in: received) {
            case .status(let code): return code
            case .malformed: throw TCPConnect.Failure(description: "the answer is not HTTP")
            case .incomplete: break
            }
            guard wait(for: descriptor, events: POLLIN, until: deadline) else { throw noAnswer }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TCPConnect.Failure(description: "reading the answer: \(String(cString: strerror(errno)))")
            }
            guard count > 0 else { throw TCPConnect.Failure(description: "the connection closed before an answer") }
            received += chunk[..<count]
        }
    }

    /// Whether `descriptor` is ready for `events` before `deadline`.
    private static func wait(for descriptor: Int32, events: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        var item = pollfd(fd: descriptor, events: Int16(events), revents: 0)
        while true {
            let left = deadline - .now
            guard left > .zero else { return false }
            let ready = poll(&item, 1, max(left.pollTimeout, 1))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    private static func secure(_ method: String, _ text: String, _ timeout: Duration) throws(TCPConnect.Failure)
        -> Int
    {
        var error = [CChar](repeating: 0, count: 512)
        let status = quiesce_curl_request(method, text, Int(timeout.milliseconds), &error, error.count)
        guard status > 0 else { throw TCPConnect.Failure(description: String(cString: error)) }
        return status
    }
}
