import QuiesceCore
import Testing

/// Restart policies, event by event.
@Suite("Agent state machine: restarts")
struct AgentRestartTests {
    typealias Agent = AgentStateMachine
    let policy = RestartPolicy(mode: .onFailure, backoff: .seconds(1), limit: 2)

    func runningAgent(restart: RestartPolicy?) -> Agent {
        AgentFixture.runningAgent(welcomed: false, restart: restart)
    }

    @Test("A failed process is restarted with a doubling delay until the limit, then its end is reported")
    func restartsUntilTheLimit() {
        var agent = runningAgent(restart: policy)
        // Each restart says `restarting`, then `started` and `ready` again.
        let firstRestartID = AgentFixture.firstAfterSetupID
        let secondRestartID = firstRestartID + 3
        let exitedReportID = secondRestartID + 3
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(1))) == [
                .cancelTimer(.probe), .signal(9),
                .send(.restarting(.exited(1), attempt: 1, delay: .seconds(1)), id: firstRestartID, replyTo: nil),
                .scheduleTimer(.restart, at: .after(.seconds(2))),
            ])
        #expect(agent.timerFired(.restart, now: .after(.seconds(2))) == [.spawn])
        #expect(
            agent.spawned(pid: 43, now: .after(.seconds(2))) == [
                .send(.started(pid: 43), id: firstRestartID + 1, replyTo: nil),
                .send(.ready, id: firstRestartID + 2, replyTo: nil),
            ])
        #expect(
            agent.processExited(.signalled(11), now: .after(.seconds(3))).contains(
                .send(.restarting(.signalled(11), attempt: 2, delay: .seconds(2)), id: secondRestartID, replyTo: nil)))
        #expect(agent.timerFired(.restart, now: .after(.seconds(5))) == [.spawn])
        #expect(
            agent.spawned(pid: 44, now: .after(.seconds(5))) == [
                .send(.started(pid: 44), id: secondRestartID + 1, replyTo: nil),
                .send(.ready, id: secondRestartID + 2, replyTo: nil),
            ])
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(6))).contains(
                .send(.exited(.exited(1)), id: exitedReportID, replyTo: nil)), "the limit of 2 is reached")
    }

    @Test("on-failure does not restart a clean exit; always does; no policy never does")
    func modes() {
        let reportID = AgentFixture.firstAfterSetupID
        var onFailure = runningAgent(restart: policy)
        #expect(
            onFailure.processExited(.exited(0), now: .zero).contains(
                .send(.exited(.exited(0)), id: reportID, replyTo: nil)))
        var always = runningAgent(restart: RestartPolicy(mode: .always))
        #expect(
            always.processExited(.exited(0), now: .zero).contains(.scheduleTimer(.restart, at: .after(.seconds(1)))))
        var never = runningAgent(restart: nil)
        #expect(
            never.processExited(.exited(1), now: .zero).contains(.send(.exited(.exited(1)), id: reportID, replyTo: nil))
        )
    }

    @Test("A process that ran for a minute starts the count again")
    func countResets() {
        var agent = runningAgent(restart: RestartPolicy(mode: .always, backoff: .seconds(1), limit: 1))
        let restartID = AgentFixture.firstAfterSetupID
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(1))) == [
                .cancelTimer(.probe), .signal(9),
                .send(.restarting(.exited(1), attempt: 1, delay: .seconds(1)), id: restartID, replyTo: nil),
                .scheduleTimer(.restart, at: .after(.seconds(2))),
            ])
        #expect(agent.timerFired(.restart, now: .after(.seconds(2))) == [.spawn])
        #expect(
            agent.spawned(pid: 43, now: .after(.seconds(2))) == [
                .send(.started(pid: 43), id: restartID + 1, replyTo: nil),
                .send(.ready, id: restartID + 2, replyTo: nil),
            ])
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(62))).contains(
                .scheduleTimer(.restart, at: .after(.seconds(63)))))
    }

    @Test("A stop order while waiting to restart cancels the restart and reports the process had exited")
    func stopWhileWaiting() {
        var agent = runningAgent(restart: policy)
        let restartID = AgentFixture.firstAfterSetupID
        #expect(
            agent.processExited(.exited(1), now: .zero) == [
                .cancelTimer(.probe), .signal(9),
                .send(.restarting(.exited(1), attempt: 1, delay: .seconds(1)), id: restartID, replyTo: nil),
                .scheduleTimer(.restart, at: .after(.seconds(1))),
            ])
        #expect(
            agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(5), now: .zero) == [
                .cancelTimer(.restart),
                .send(.stopped(.alreadyExited(.exited(1))), id: restartID + 1, replyTo: AgentFixture.laterOrderID),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(agent.timerFired(.restart, now: .after(.seconds(1))) == [])
    }

    @Test(
        "Delays double from the backoff and stop at five minutes",
        arguments: [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (40, 300)])
    func delays(attempt: Int, seconds: Int) {
        #expect(RestartPolicy(mode: .always, backoff: .seconds(1)).delay(forAttempt: attempt) == .seconds(seconds))
    }
}
