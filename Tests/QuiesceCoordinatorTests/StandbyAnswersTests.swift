import QuiesceCore
import QuiesceWire
import Testing

@testable import QuiesceCoordinator

@Suite("Standby answers")
struct StandbyAnswersTests {
    private let agent: [UInt8] = [0, 1]
    private let other: [UInt8] = [0, 2]
    private let tool: [UInt8] = [0, 3]
    private let register = Message.register(service: "api", host: "h", agentPID: 7, snapshot: .idle)

    @Test("A register is answered standby, and its connection is remembered once")
    func registerAnsweredStandby() {
        var answers = StandbyAnswers()
        #expect(answers.answer(to: register, from: agent) == .standby)
        #expect(answers.answer(to: register, from: agent) == .standby)
        #expect(answers.answered == [agent])
    }

    @Test("status_request gets a status; the other operator requests are answered standby and not remembered")
    func operatorRequests() {
        var answers = StandbyAnswers()
        #expect(answers.answer(to: .statusRequest, from: tool) == .status)
        #expect(answers.answer(to: .shutdownRequest(), from: tool) == .standby)
        #expect(answers.answer(to: .operationRequest(.stop, service: "api"), from: tool) == .standby)
        #expect(answers.answer(to: .eventsRequest, from: tool) == .standby)
        #expect(answers.answered.isEmpty)
    }

    @Test("An agent's heartbeat or report is not answered (nor acknowledged), and its connection is remembered")
    func agentMessages() {
        var answers = StandbyAnswers()
        #expect(answers.answer(to: .heartbeat, from: agent) == .nothing)
        #expect(answers.answer(to: .stopped(.stopped(.exited(0))), from: other) == .nothing)
        #expect(answers.answered == [agent, other])
    }

    @Test("Taking over hands every remembered connection once, in the order first answered, and forgets them")
    func takeOver() {
        var answers = StandbyAnswers()
        _ = answers.answer(to: register, from: other)
        _ = answers.answer(to: register, from: agent)
        answers.remember(other)
        #expect(answers.takeAnswered() == [other, agent])
        #expect(answers.takeAnswered().isEmpty)
        #expect(answers.answered.isEmpty)
    }

    @Test("Past the limit, the oldest connection is forgotten")
    func bounded() {
        var answers = StandbyAnswers()
        for index in 0...StandbyAnswers.limit {
            answers.remember([0, UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)])
        }
        #expect(answers.answered.count == StandbyAnswers.limit)
        #expect(answers.answered.first == [0, 0, 0, 1])
    }

    @Test("standby names the leader a standby knows, and nothing while it campaigns")
    func standbyMessage() {
        let leader = ElectionKey.epochBase + 41
        #expect(
            StandbyAnswers.standby(.standingBy(leader: "tcp://10.0.0.5:7700", epoch: leader))
                == .standby(leader: "tcp://10.0.0.5:7700", leaderEpoch: leader))
        #expect(
            StandbyAnswers.standby(.campaigning(problem: "etcd unreachable")) == .standby(leader: nil, leaderEpoch: nil)
        )
        #expect(StandbyAnswers.phase(.standingBy(leader: "x", epoch: leader)) == "standing by")
        #expect(StandbyAnswers.phase(.demoted(.leaseExpired)) == "demoted")
    }
}
