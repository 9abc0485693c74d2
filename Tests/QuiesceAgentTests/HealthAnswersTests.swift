import Testing

@testable import QuiesceAgent

@Suite("What the health endpoint answers")
struct HealthAnswersTests {
    typealias State = HealthAnswers.State

    @Test("/healthz follows the process, /readyz its readiness, anything else is not served")
    func answers() {
        let running = State(alive: true, ready: false)
        #expect(HealthAnswers.answer("/healthz", running) == .init(status: .ok, body: "alive\n"))
        #expect(HealthAnswers.answer("/readyz", running) == .init(status: .serviceUnavailable, body: "not ready\n"))
        let ready = State(alive: true, ready: true)
        #expect(HealthAnswers.answer("/readyz", ready) == .init(status: .ok, body: "ready\n"))
        let ended = State(alive: false, ready: false)
        #expect(HealthAnswers.answer("/healthz", ended) == .init(status: .serviceUnavailable, body: "not running\n"))
        #expect(HealthAnswers.answer("/", ready) == nil)
        #expect(HealthAnswers.answer("/healthz/", ready) == nil)
        #expect(HealthAnswers.answer("/metrics/", ready) == nil)
    }

    @Test("/metrics is the service's counts in Prometheus's text format, each family typed, one state at 1")
    func metrics() throws {
        var state = State(alive: true, ready: true, service: "api")
        state.metrics.state = .ready
        state.metrics.restarts = 2
        state.metrics.readinessChecks = 7
        state.metrics.failedReadinessChecks = 3
        state.metrics.droppedMessages = 1
        let answer = try #require(HealthAnswers.answer("/metrics", state))
        #expect(answer.status == .ok)
        #expect(answer.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let lines = answer.body.split(separator: "\n").map(String.init)
        #expect(lines.contains("quiesce_agent_service_state{service=\"api\",state=\"ready\"} 1"))
        #expect(lines.filter { $0.hasPrefix("quiesce_agent_service_state{") && $0.hasSuffix(" 1") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("quiesce_agent_service_state{") }.count == AgentMetrics.states.count)
        #expect(lines.contains("quiesce_agent_restarts_total{service=\"api\"} 2"))
        #expect(lines.contains("quiesce_agent_readiness_checks_total{service=\"api\"} 7"))
        #expect(lines.contains("quiesce_agent_readiness_checks_failed_total{service=\"api\"} 3"))
        #expect(lines.contains("quiesce_agent_messages_dropped_total{service=\"api\"} 1"))
        #expect(lines.contains("# TYPE quiesce_agent_restarts_total counter"))
        #expect(lines.contains("# TYPE quiesce_agent_last_stop_duration_seconds gauge"))
        #expect(!lines.contains { $0.hasPrefix("quiesce_agent_last_stop_duration_seconds{") }, "no stop yet")
        #expect(answer.body.hasSuffix("\n"))

        state.metrics.lastStop = AgentMetrics.Stop(seconds: 0.25, outcome: "killed")
        state.metrics.state = .stopped
        let stopped = try #require(HealthAnswers.answer("/metrics", state)).body
        #expect(stopped.contains("quiesce_agent_last_stop_duration_seconds{service=\"api\",outcome=\"killed\"} 0.25\n"))
        #expect(stopped.contains("quiesce_agent_service_state{service=\"api\",state=\"stopped\"} 1\n"))
    }

    @Test("Label values are escaped as the text format wants")
    func escaping() {
        #expect(AgentMetrics.escaped(#"a"b\c"#) == #"a\"b\\c"#)
        #expect(AgentMetrics.escaped("a\nb") == #"a\nb"#)
    }

    @Test("The Date header is an HTTP date in GMT")
    func date() {
        let text = HealthAnswers.httpDate()
        #expect(text.hasSuffix(" GMT"))
        #expect(text.count == "Tue, 01 Dec 2026 18:45:44 GMT".count)
        #expect(text.dropFirst(3).hasPrefix(", "))
    }
}
