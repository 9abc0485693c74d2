/// How an agent decides that its service is ready, and keeps checking that it stays so.
///
/// The first check runs `initialDelay` after the process starts; until one passes, checks follow
/// quickly, from `initialInterval` apart (see ``ReadinessPacing``), then one runs every `interval`.
/// Before the service is first ready, failures are reported (the coordinator's `start_timeout` bounds
/// the wait); after it, `failureThreshold` consecutive failures report the service unready, and a
/// success reports it ready again.
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
        static func tcp(_ text: String) -> Check? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : .tcp(host: host, port: port)
        }

        /// Accepts `http://` and `https://` URLs.
        static func http(_ text: String) -> Check? {
            (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 ? .http(url: text) : nil
        }

        /// Accepts any non-blank command line.
        static func exec(_ text: String) -> Check? {
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
    /// The shortest wait between two checks before the first passes; at `interval` or more, checks
    /// run at the interval from the start.
    public var initialInterval: Duration

    /// The default ``initialInterval``.
    public static let defaultInitialInterval: Duration = .milliseconds(10)

    public init(
        check: Check, interval: Duration = .seconds(1), timeout: Duration = .seconds(1), failureThreshold: Int = 3,
        initialDelay: Duration = .zero, initialInterval: Duration = Self.defaultInitialInterval
    ) {
        self.check = check
        self.interval = interval
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.initialDelay = initialDelay
        self.initialInterval = initialInterval
    }
}

// MARK: Validation

extension ReadinessProbe.Check {
    /// The three kinds of check, as configurations, flags and the wire name them.
    public enum Kind: String, Hashable, Sendable, CustomStringConvertible {
        case tcp, http, exec

        public var description: String { rawValue }
    }

    /// Why the check given as text is not one.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// None of `tcp`, `http` and `exec` is given.
        case missing
        /// More than one of them is given.
        case several
        /// The one given is not well formed.
        case invalid(Kind)

        public var description: String {
            switch self {
            case .missing: "give one of tcp, http and exec"
            case .several: "give only one of tcp, http and exec"
            case .invalid(.tcp): "tcp must be HOST:PORT, like 127.0.0.1:5432 or [::1]:6379"
            case .invalid(.http): "http must be an http:// or https:// URL"
            case .invalid(.exec): "exec must be a command"
            }
        }
    }

    /// The check given as text: exactly one of `tcp` (`host:port`, `[::1]:6379` for IPv6, port 1 to
    /// 65535), `http` (an `http://` or `https://` URL) and `exec` (a command line that is not blank).
    /// The one rule for every place a check is read: configuration files, compose healthchecks, the
    /// agent's flags and the `start` order.
    public init(tcp: String? = nil, http: String? = nil, exec: String? = nil) throws(Problem) {
        let given = [(Kind.tcp, tcp), (.http, http), (.exec, exec)].compactMap { kind, text in text.map { (kind, $0) } }
        guard let (kind, text) = given.first else { throw .missing }
        guard given.count == 1 else { throw .several }
        let parsed =
            switch kind {
            case .tcp: Self.tcp(text)
            case .http: Self.http(text)
            case .exec: Self.exec(text)
            }
        guard let parsed else { throw .invalid(kind) }
        self = parsed
    }
}

extension ReadinessProbe {
    /// A setting of a probe whose value can break the probe's rules.
    public enum Setting: Hashable, Sendable, CustomStringConvertible {
        case interval, timeout, failureThreshold, initialDelay, initialInterval

        /// The rule the setting's value breaks.
        public var description: String {
            switch self {
            case .interval: "interval must be more than 0 and at most 24 hours"
            case .timeout: "timeout must be more than 0 and at most 24 hours"
            case .failureThreshold: "failure threshold must be at least 1"
            case .initialDelay: "initial delay must not be negative nor more than 24 hours"
            case .initialInterval: "initial interval must be more than 0 and at most 24 hours"
            }
        }
    }

    /// Every setting of a probe whose value breaks its rule, in the order of
    /// ``init(validating:interval:timeout:failureThreshold:initialDelay:initialInterval:)``'s parameters.
    public struct InvalidSettings: Error, Hashable, Sendable, CustomStringConvertible {
        /// Never empty.
        public var settings: [Setting]

        public var description: String { settings.map(\.description).joined(separator: "; ") }
    }

    /// A probe whose settings follow the rules: an interval, a timeout and an initial interval above 0,
    /// a failure threshold of at least 1, an initial delay of 0 or more, and no duration beyond
    /// ``Swift/Duration/longestSetting``.
    /// - Throws: ``InvalidSettings`` naming every setting that breaks its rule.
    public init(
        validating check: Check, interval: Duration, timeout: Duration, failureThreshold: Int, initialDelay: Duration,
        initialInterval: Duration = Self.defaultInitialInterval
    ) throws(InvalidSettings) {
        let longest = Duration.longestSetting
        let broken: [(Setting, Bool)] = [
            (.interval, interval <= .zero || interval > longest), (.timeout, timeout <= .zero || timeout > longest),
            (.failureThreshold, failureThreshold < 1), (.initialDelay, initialDelay < .zero || initialDelay > longest),
            (.initialInterval, initialInterval <= .zero || initialInterval > longest),
        ]
        let settings = broken.filter(\.1).map(\.0)
        guard settings.isEmpty else { throw InvalidSettings(settings: settings) }
        self.init(
            check: check, interval: interval, timeout: timeout, failureThreshold: failureThreshold,
            initialDelay: initialDelay, initialInterval: initialInterval)
    }
}
