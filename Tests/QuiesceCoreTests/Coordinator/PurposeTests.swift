import Testing

@testable import QuiesceCore

/// Whom a run works for.
@Suite("Coordinator state machine: purpose")
struct PurposeTests {
    typealias Purpose = CoordinatorStateMachine.Purpose

    @Test("At the fleet's shutdown every agent exits; in an operation only the agent that asked for it")
    func agentExits() {
        #expect(Purpose.fleet.agentExits("api"))
        #expect(!Purpose.fleet.isOperation)
        let byOperator = Purpose.operation(Operation(kind: .stop, service: "cache"), stopReport: nil)
        #expect(byOperator.isOperation)
        #expect(!byOperator.agentExits("cache"))
        let byAgent = Purpose.operation(
            Operation(kind: .stop, service: "cache", requestedByAgent: true), stopReport: nil)
        #expect(byAgent.agentExits("cache"))
        #expect(!byAgent.agentExits("api"), "a dependent's agent stays, ready to start again")
    }
}
