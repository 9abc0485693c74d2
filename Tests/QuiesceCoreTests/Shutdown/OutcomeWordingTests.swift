import QuiesceCore
import Testing

@Suite("How a shutdown's outcomes read")
struct OutcomeWordingTests {
    @Test(
        "A kill at the deadline or on escalation is said once, with what the agent reported besides",
        arguments: [
            (ShutdownOutcome.killed(.killed, reason: .deadline), "still running at the shutdown deadline; killed"),
            (.killed(.killedAfterTimeout, reason: .escalation), "still running at escalation; killed"),
            (.killed(nil, reason: .deadline), "still running at the shutdown deadline; killed (unacknowledged)"),
            (
                .killed(.stopped(.exited(0)), reason: .deadline),
                "still running at the shutdown deadline; killed (stopped (exit code 0))"
            ),
        ])
    func killed(outcome: ShutdownOutcome, text: String) {
        #expect(outcome.description == text)
        #expect(!outcome.description.contains("killed (killed"))
    }
}
