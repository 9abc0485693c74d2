/// How an agent decides that its service is ready, and keeps checking that it stays so.
///
/// The first check runs `initialDelay` after the process starts, then one every `interval`. Before the
/// service is first ready, every failure is reported (the coordinator's `start_timeout` bounds the
/// wait); after it, `failureThreshold` consecutive failures report the service unready, and a success
/// reports it ready again.
public struct ReadinessProbe: Hashable, Sendable {
    /// What one check does.
    public enum Check: Hashable, Sendable, CustomStringConvertible {
        /// A TCP connection to `host:port` is accepted.
        case tcp(host: String, port: Int)
        /// `GET url` answers 2xx or 3xx.
        case http(url: String)
        /// `/bin/sh -c command` exits with 0.
        case exec(command: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): "tcp \(host):\(port)"
            case .http(let url): "http \(url)"
            case .exec(let command): "exec \(command)"
            }
        }

        /// Parses `host:port` (`[::1]:6379` for IPv6).
        public static func tcp(_ text: String) -> Check? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : .tcp(host: host, port: port)
        }

        /// Accepts `http://` and `https://` URLs.
        public static func http(_ text: String) -> Check? {
            (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 ? .http(url: text) : nil
        }

        /// Accepts any non-blank command line.
        public static func exec(_ text: String) -> Check? {
            text.allSatisfy(\.isWhitespace) ? nil : .exec(command: text)
        }
    }

    public var check: Check
    public var interval: Duration
    /// How long one check may take before it counts as failed.
    public var timeout: Duration
    /// Consecutive failures, after the service was ready, that make it unready.
    public var failureThreshold: Int
    /// Wait before the first check.
    public var initialDelay: Duration

    public init(
        check: Check, interval: Duration = .seconds(1), timeout: Duration = .seconds(1), failureThreshold: Int = 3,
        initialDelay: Duration = .zero
    ) {
        self.check = check
        self.interval = interval
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.initialDelay = initialDelay
    }
}
