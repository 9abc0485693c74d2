import QuiesceCore
import Testing

/// Stop commands instead of the stop signal.
@Suite("Agent state machine: stop commands")
struct AgentStopCommandTests {
    typealias Agent = AgentStateMachine

    func runningAgent(stopCommand: StopCommand) -> Agent {
        var settings = Agent.Settings()
        settings.stopCommand = stopCommand
        return AgentFixture.runningAgent(settings: settings, welcomed: false)
    }

    @Test("A stop order runs the stop command, bounded by the stop timeout, instead of signalling")
    func stopCommandRuns() {
        var agent = runningAgent(stopCommand: .exec("nginx -s quit"))
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: .zero) == [
                .cancelTimer(.probe), .runStopCommand(.exec("nginx -s quit"), timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        #expect(
            agent.stopCommandFinished(error: nil, now: .after(.seconds(1))) == [],
            "success: wait for the process to end")
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(2))).contains(
                .send(
                    .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                    replyTo: AgentFixture.stopOrderID)))
    }

    @Test("A failed stop command falls back to the stop signal; the timeout still ends in SIGKILL")
    func stopCommandFails() {
        let command = StopCommand.http(method: "POST", url: "http://127.0.0.1:9/shutdown")
        var agent = runningAgent(stopCommand: command)
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: .zero) == [
                .cancelTimer(.probe), .runStopCommand(command, timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        #expect(agent.stopCommandFinished(error: "connection refused", now: .after(.seconds(1))) == [.signal(15)])
        #expect(agent.timerFired(.stopDeadline, now: .after(.seconds(10))) == [.signal(9)])
        #expect(agent.stopCommandFinished(error: "late", now: .after(.seconds(11))) == [], "no signal after the kill")
    }

    @Test("--stop-http takes an optional method")
    func parsing() {
        #expect(
            StopCommand.http("POST http://127.0.0.1:8080/shutdown")
                == .http(method: "POST", url: "http://127.0.0.1:8080/shutdown"))
        #expect(
            StopCommand.http("http://127.0.0.1:8080/quit") == .http(method: "POST", url: "http://127.0.0.1:8080/quit"))
        #expect(StopCommand.http("delete http://h/x") == .http(method: "DELETE", url: "http://h/x"))
        #expect(StopCommand.http("POST ftp://h/x") == nil)
        #expect(StopCommand.http("POST http://h/x extra") == nil)
    }
}
