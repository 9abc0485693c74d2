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
        #expect(HealthAnswers.answer("/metrics", ready) == nil)
    }

    @Test("The Date header is an HTTP date in GMT")
    func date() {
        let text = HealthAnswers.httpDate()
        #expect(text.hasSuffix(" GMT"))
        #expect(text.count == "Tue, 01 Dec 2026 18:45:44 GMT".count)
        #expect(text.dropFirst(3).hasPrefix(", "))
    }
}
