import Testing

@testable import QuiesceCore

/// The agent every suite starts from, built one asserted event at a time, and the ids of the
/// messages it has sent by then.
enum AgentFixture {
    typealias Agent = AgentStateMachine

    /// The service's process.
    static let pid: Int32 = 42
    /// The agent's first registration.
    static let registrationID: UInt64 = 1
    /// `started`, the first message after the registration.
    static let startedID: UInt64 = 2
    /// `ready`, right after `started` when the service has no readiness probe.
    static let readyID: UInt64 = 3
    /// The first message a running agent of ``runningAgent(settings:welcomed:readiness:restart:epoch:)``
    /// sends after its setup: most often its final report.
    static let firstAfterSetupID: UInt64 = 4

    /// The coordinator's stop order that most tests send.
    static let stopOrderID: UInt64 = 7
    /// A kill order that follows the stop order.
    static let killOrderID: UInt64 = 8
    /// An order that comes after the process's end, or repeats the stop.
    static let laterOrderID: UInt64 = 9
    /// The coordinator's repetition of an order it had no answer to.
    static let repeatedOrderID: UInt64 = 11

    /// An agent that registered, was welcomed when `welcomed` (heartbeats every second, lost after
    /// 5 s, `epoch`), and was ordered to start with `readiness` and `restart`: its `.spawn` is pending.
    static func orderedToStart(
        settings: Agent.Settings = Agent.Settings(), welcomed: Bool = true, readiness: ReadinessProbe? = nil,
        restart: RestartPolicy? = nil, epoch: UInt64 = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Agent {
        var agent = Agent(settings: settings)
        #expect(
            agent.start(now: .zero) == [
                .send(.register(.idle), id: registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(settings.registrationRetry)),
            ], sourceLocation: sourceLocation)
        if welcomed {
            #expect(
                agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: epoch, now: .zero) == [
                    .cancelTimer(.registration), .scheduleTimer(.heartbeat, at: .after(.seconds(1))),
                    .scheduleTimer(.coordinatorSilence, at: .after(.seconds(5))),
                ], sourceLocation: sourceLocation)
        }
        #expect(
            agent.startOrdered(readiness: readiness, restart: restart, now: .zero) == [.spawn],
            sourceLocation: sourceLocation)
        return agent
    }

    /// ``orderedToStart(settings:welcomed:readiness:restart:epoch:sourceLocation:)``, then spawned at
    /// t+0 as ``pid``: `started` was message ``startedID`` and, without a readiness probe, `ready`
    /// message ``readyID``.
    static func runningAgent(
        settings: Agent.Settings = Agent.Settings(), welcomed: Bool = true, readiness: ReadinessProbe? = nil,
        restart: RestartPolicy? = nil, epoch: UInt64 = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Agent {
        var agent = orderedToStart(
            settings: settings, welcomed: welcomed, readiness: readiness, restart: restart, epoch: epoch,
            sourceLocation: sourceLocation)
        let said: [Agent.Action] =
            if let probe = settings.readiness ?? readiness {
                [.scheduleTimer(.probe, at: .after(probe.initialDelay))]
            } else {
                [.send(.ready, id: readyID, replyTo: nil)]
            }
        #expect(
            agent.spawned(pid: pid, now: .zero) == [.send(.started(pid: pid), id: startedID, replyTo: nil)] + said,
            sourceLocation: sourceLocation)
        return agent
    }

    /// The final report's retransmission and patience timers, for a report sent at `now` with the
    /// default settings.
    static func reportTimers(at now: Timestamp) -> [Agent.Action] {
        [
            .scheduleTimer(.reportRetry, at: now + .milliseconds(500)),
            .scheduleTimer(.reportPatience, at: now + .seconds(5)),
        ]
    }
}
