import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the health endpoint answers (`/healthz`, `/readyz`, `/metrics`): the rule of ``HealthEndpoint``,
/// without its I/O.
enum HealthAnswers {
    /// What the reactor last published.
    struct State: Sendable {
        var alive: Bool
        var ready: Bool
        /// The service the agent runs, which labels its metrics.
        var service = ""
        var metrics = AgentMetrics()
    }

    /// A status and its plain-text body.
    struct Answer: Equatable, Sendable {
        var status: HTTPResponseStatus
        var body: String
        var contentType = "text/plain"

        /// Anything but `GET /healthz`, `GET /readyz` and `GET /metrics`: an empty 404.
        static let notFound = Answer(status: .notFound, body: "")
    }

    /// The `Content-Type` of Prometheus's text format.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The answer to `GET path` in `state`; `nil` for a path that is not served.
    static func answer(_ path: String, _ state: State) -> Answer? {
        switch path {
        case "/healthz":
            state.alive
                ? Answer(status: .ok, body: "alive\n") : Answer(status: .serviceUnavailable, body: "not running\n")
        case "/readyz":
            state.ready
                ? Answer(status: .ok, body: "ready\n") : Answer(status: .serviceUnavailable, body: "not ready\n")
        case "/metrics":
            Answer(
                status: .ok, body: state.metrics.exposition(service: state.service), contentType: metricsContentType)
        default: nil
        }
    }

    /// The `Date` header's value now: `Tue, 01 Dec 2026 18:45:44 GMT`.
    static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var text = [CChar](repeating: 0, count: 64)
        let count = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
