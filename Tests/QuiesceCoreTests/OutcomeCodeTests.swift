import QuiesceCore
import Testing

@Suite("Stop-outcome codes and exit statuses")
struct OutcomeCodeTests {
    static let outcomes: [(StopOutcome, code: String)] = [
        (.stopped(.exited(0)), "stopped"),
        (.stopped(.signalled(15)), "stopped"),
        (.killedAfterTimeout, "killed_after_timeout"),
        (.killed, "killed"),
        (.alreadyExited(.exited(3)), "already_exited"),
        (.notStarted, "not_started"),
    ]

    @Test("Each outcome has its documented code, and its code and status give it back", arguments: outcomes)
    func roundTrip(outcome: StopOutcome, code: String) {
        #expect(outcome.code == code)
        #expect(StopOutcome(code: outcome.code, status: outcome.status) == outcome)
        #expect(ShutdownOutcome.acknowledged(outcome).code == code, "a report names an acknowledgement alike")
    }

    @Test("Only stopped and already_exited carry an exit status")
    func statusCarried() {
        #expect(StopOutcome.stopped(.signalled(9)).status == .signalled(9))
        #expect(StopOutcome.alreadyExited(.exited(1)).status == .exited(1))
        #expect(StopOutcome.killed.status == nil)
        #expect(StopOutcome.killedAfterTimeout.status == nil)
        #expect(StopOutcome.notStarted.status == nil)
    }

    @Test("A code that is unknown, or lacks the status it needs, names no outcome")
    func unknownCodes() {
        #expect(StopOutcome(code: "stopped", status: nil) == nil)
        #expect(StopOutcome(code: "already_exited", status: nil) == nil)
        #expect(StopOutcome(code: "timed_out", status: .exited(0)) == nil)
        #expect(StopOutcome(code: "", status: nil) == nil)
        #expect(StopOutcome(code: "killed", status: .exited(0)) == .killed, "a status it does not need is ignored")
    }

    @Test("An exit status is an exit code or a signal, the code first when both are given")
    func exitStatusFields() {
        #expect(ExitStatus(exitCode: 2, signal: nil) == .exited(2))
        #expect(ExitStatus(exitCode: nil, signal: 15) == .signalled(15))
        #expect(ExitStatus(exitCode: 0, signal: 9) == .exited(0))
        #expect(ExitStatus(exitCode: nil, signal: nil) == nil)
        #expect(ExitStatus.exited(2).exitCode == 2)
        #expect(ExitStatus.exited(2).signal == nil)
        #expect(ExitStatus.signalled(15).signal == 15)
        #expect(ExitStatus.signalled(15).exitCode == nil)
    }
}
