import QuiesceCore

/// What the agent's `GET /metrics` shows of its service, in Prometheus's text format (version
/// 0.0.4): its state, its restarts, its last stop's duration and outcome, its readiness checks, and
/// the messages the agent dropped. The reactor counts; the health endpoint serves the text.
///
/// Written by hand rather than through swift-prometheus, which the coordinator uses: the agent needs
/// six families of a few series, whose text is a few lines, and the library with swift-metrics and
/// swift-atomics would be linked into every agent (docs/architecture.md has the figures).
struct AgentMetrics: Sendable, Equatable {
    /// The last stop's end: how long it took and how it ended.
    struct Stop: Sendable, Equatable {
        var seconds: Double
        /// The report's outcome code: `stopped`, `killed`, `timed_out`, ...
        var outcome: String
    }

    var state: ServiceState = .waiting
    var restarts = 0
    var readinessChecks = 0
    var failedReadinessChecks = 0
    var droppedMessages = 0
    var lastStop: Stop?

    /// The states an agent's service can be in, one series each.
    static let states: [ServiceState] = [.waiting, .starting, .ready, .unready, .stopping, .stopped, .failed]

    /// The text of `GET /metrics` for `service`.
    func exposition(service: String) -> String {
        let service = "service=\"\(Self.escaped(service))\""
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name){\(sample.labels)} \(sample.value)\n" }
        }
        family(
            "quiesce_agent_service_state", "gauge", "1 for the state the service is in, as quiesce status names it.",
            Self.states.map { ("\(service),state=\"\($0.rawValue)\"", $0 == state ? "1" : "0") })
        family(
            "quiesce_agent_restarts_total", "counter", "Restarts of the service's process after it ended on its own.",
            [(service, String(restarts))])
        family(
            "quiesce_agent_readiness_checks_total", "counter", "Readiness checks run.",
            [(service, String(readinessChecks))])
        family(
            "quiesce_agent_readiness_checks_failed_total", "counter", "Readiness checks that failed.",
            [(service, String(failedReadinessChecks))])
        family(
            "quiesce_agent_messages_dropped_total", "counter",
            "Messages from the coordinator dropped: malformed, from an earlier coordinator, or unexpected.",
            [(service, String(droppedMessages))])
        family(
            "quiesce_agent_last_stop_duration_seconds", "gauge",
            "The last stop, from its order or signal to the end of the process, with its outcome.",
            lastStop.map { [("\(service),outcome=\"\(Self.escaped($0.outcome))\"", Self.number($0.seconds))] } ?? [])
        return text
    }

    /// A label value with `\`, `"` and line feeds escaped, as the text format wants.
    static func escaped(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// A sample value: `0.25`, `3`.
    private static func number(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
