import Testing

@testable import QuiesceCore

/// A coordinator that goes silent, and the snapshot the agent brings to the next one.
@Suite("Agent state machine: lost coordinator")
struct AgentLostCoordinatorTests {
    typealias Agent = AgentStateMachine

    @Test("Silence from the coordinator makes the agent register again with a snapshot; the service keeps running")
    func silenceMeansRegisterAgain() {
        var agent = AgentFixture.runningAgent(epoch: 1)
        #expect(
            agent.heardFromCoordinator(now: .after(.seconds(2))) == [
                .scheduleTimer(.coordinatorSilence, at: .after(.seconds(7)))
            ])
        let actions = agent.timerFired(.coordinatorSilence, now: .after(.seconds(7)))
        #expect(
            actions.contains(
                .send(.register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID, replyTo: nil)))
        #expect(!actions.contains { if case .signal = $0 { true } else { false } }, "the service keeps running")
        #expect(agent.health == (alive: true, ready: true))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 2, now: .after(.seconds(8)))
                .contains(.cancelTimer(.registration)))
        #expect(agent.accepts(epoch: 2) && !agent.accepts(epoch: 1), "orders of the earlier coordinator are stale")
    }

    @Test("The snapshot follows the service", arguments: [0, 1, 2, 3])
    func snapshots(step: Int) {
        let probe = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432))
        var agent = AgentFixture.runningAgent(welcomed: false, readiness: probe)
        let expected: [AgentSnapshot] = [
            .starting(pid: AgentFixture.pid), .ready(pid: AgentFixture.pid), .stopping(pid: AgentFixture.pid),
            .stopped(.stopped(.exited(0))),
        ]
        if step >= 1 {
            #expect(
                agent.probeFinished(error: nil, now: .zero) == [
                    .send(.ready, id: AgentFixture.readyID, replyTo: nil),
                    .scheduleTimer(.probe, at: .after(probe.interval)),
                ])
        }
        if step >= 2 {
            #expect(
                agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(5), now: .zero) == [
                    .cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(5))),
                ])
        }
        if step >= 3 {
            #expect(
                agent.processExited(.exited(0), now: .zero) == [
                    .cancelTimer(.stopDeadline), .signal(9),
                    .send(
                        .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                        replyTo: AgentFixture.laterOrderID),
                ] + AgentFixture.reportTimers(at: .zero))
        }
        #expect(agent.snapshot == expected[step])
    }

    @Test("A stop that ends while no coordinator runs is told to the next one as the order's outcome")
    func stopEndedWithoutCoordinator() {
        var agent = AgentFixture.runningAgent(epoch: 1)
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: .zero) == [
                .cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        // The coordinator dies: its silence makes the agent register again, with the stop under way.
        #expect(
            agent.timerFired(.coordinatorSilence, now: .after(.seconds(5))) == [
                .cancelTimer(.heartbeat), .cancelTimer(.coordinatorSilence),
                .send(.register(.stopping(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(6))),
            ])
        let reportID = AgentFixture.firstAfterSetupID + 1
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(7))) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.stopped(.exited(0))), id: reportID, replyTo: AgentFixture.stopOrderID),
            ] + AgentFixture.reportTimers(at: .after(.seconds(7))))
        #expect(
            agent.timerFired(.registration, now: .after(.seconds(7))) == [
                .send(.register(.stopped(.stopped(.exited(0)))), id: reportID + 1, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(8))),
            ],
            "the stop answered an order: it is not a process that ended on its own")
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 2, now: .after(.seconds(8)))
                == [
                    .cancelTimer(.registration), .scheduleTimer(.heartbeat, at: .after(.seconds(9))),
                    .scheduleTimer(.coordinatorSilence, at: .after(.seconds(13))),
                ])
        #expect(
            agent.acknowledged(replyTo: reportID, now: .after(.seconds(8))) == [
                .cancelTimer(.reportRetry), .cancelTimer(.reportPatience), .exit(0),
            ])
    }

    @Test("A kill order's outcome is told as such while its report waits")
    func killOutcomeInSnapshot() {
        var agent = AgentFixture.runningAgent()
        #expect(agent.killOrdered(order: AgentFixture.killOrderID, now: .zero) == [.cancelTimer(.probe), .signal(9)])
        #expect(
            agent.processExited(.signalled(9), now: .zero) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.killed), id: AgentFixture.firstAfterSetupID, replyTo: AgentFixture.killOrderID),
            ] + AgentFixture.reportTimers(at: .zero))
        #expect(agent.snapshot == .stopped(.killed))
    }

    @Test("A process that ended on its own is told as exited, and one stopped by an operation as idle")
    func snapshotsBesideStoppedOnAnOrder() {
        var ended = AgentFixture.runningAgent()
        #expect(
            ended.processExited(.exited(3), now: .zero) == [
                .cancelTimer(.probe), .signal(9),
                .send(.exited(.exited(3)), id: AgentFixture.firstAfterSetupID, replyTo: nil),
            ] + AgentFixture.reportTimers(at: .zero))
        #expect(ended.snapshot == .exited(.exited(3)))

        var stays = AgentFixture.runningAgent()
        #expect(
            stays.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(5), exit: false, now: .zero) == [
                .cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(5))),
            ])
        #expect(
            stays.processExited(.exited(0), now: .zero) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(
                    .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                    replyTo: AgentFixture.stopOrderID),
            ] + AgentFixture.reportTimers(at: .zero))
        #expect(stays.snapshot == .idle, "it waits for a new start order: there is no process to tell of")
    }
}
