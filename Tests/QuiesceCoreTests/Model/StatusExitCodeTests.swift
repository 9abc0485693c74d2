import QuiesceCore
import Testing

@Suite("quiesce status's exit code")
struct StatusExitCodeTests {
    @Test("Failed, lost and timed out make 3; every other state 0", arguments: ServiceState.allCases)
    func eachState(state: ServiceState) {
        let expected: Int32 = [.failed, .lost, .timedOut].contains(state) ? 3 : 0
        #expect(StatusExitCode.code(for: [.ready, state, .ready]) == expected)
    }

    @Test("No service at all is healthy")
    func empty() {
        #expect(StatusExitCode.code(for: []) == StatusExitCode.healthy)
    }
}
