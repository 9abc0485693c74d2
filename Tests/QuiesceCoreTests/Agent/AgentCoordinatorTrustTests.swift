import Testing

@testable import QuiesceCore

/// What a start order may ask of the agent, given whether its coordinator proved its key, event by event.
@Suite("Agent state machine: an unauthenticated coordinator")
struct AgentCoordinatorTrustTests {
    typealias Agent = AgentStateMachine
    static let tcp = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1))
    static let http = ReadinessProbe(check: .http(url: "http://127.0.0.1:8080/healthz"), interval: .seconds(1))
    static let exec = ReadinessProbe(check: .exec(command: "touch /tmp/owned"), interval: .seconds(1))

    /// A registered agent (epoch 3) that trusts its coordinator as `trust`, with its `own` probe.
    func welcomedAgent(trust: CoordinatorTrust, own: ReadinessProbe? = nil) -> Agent {
        var settings = Agent.Settings()
        settings.coordinatorTrust = trust
        settings.readiness = own
        var agent = Agent(settings: settings)
        _ = agent.start(now: .zero)
        _ = agent.welcomed(heartbeatInterval: .seconds(1), epoch: 3, now: .zero)
        return agent
    }

    @Test(
        "An unauthenticated coordinator may ask for TCP checks only; an authenticated one for any",
        arguments: [
            (CoordinatorTrust.unauthenticated, tcp, nil), (.unauthenticated, http, .http),
            (.unauthenticated, exec, .exec), (.authenticated, tcp, nil), (.authenticated, http, nil),
            (.authenticated, exec, nil),
        ] as [(CoordinatorTrust, ReadinessProbe, ReadinessProbe.Check.Kind?)])
    func policy(trust: CoordinatorTrust, probe: ReadinessProbe, refused: ReadinessProbe.Check.Kind?) {
        #expect(trust.refusal(of: probe)?.kind == refused)
    }

    @Test("The refusal names the agent's flag and the keys that would allow the check")
    func refusalNamesTheFix() {
        let reason = CoordinatorTrust.unauthenticated.refusal(of: Self.exec)?.description ?? ""
        #expect(reason.contains("--ready-exec") && reason.contains("--server-key"))
        #expect(CoordinatorTrust.unauthenticated.refusal(of: Self.http)?.description.contains("--ready-http") == true)
    }

    @Test(
        "An unauthenticated start order with an exec or http check is answered start_failed; nothing is spawned",
        arguments: [exec, http])
    func refusedStart(probe: ReadinessProbe) throws {
        var agent = welcomedAgent(trust: .unauthenticated)
        let refusal = try #require(agent.refusal(ofStartWith: probe))
        #expect(
            agent.startOrdered(readiness: probe, now: .zero) == [
                .send(.startFailed(refusal.description), id: AgentFixture.startedID, replyTo: nil)
            ])
        #expect(agent.health == (alive: false, ready: false))
        #expect(
            agent.startOrdered(readiness: probe, now: .zero) == [
                .send(.startFailed(refusal.description), id: AgentFixture.startedID + 1, replyTo: nil)
            ], "a repeated order is refused again")
    }

    @Test("After a refused start the agent waits: a start without the check spawns, a stop finds nothing started")
    func waitsAfterRefusal() {
        var agent = welcomedAgent(trust: .unauthenticated)
        _ = agent.startOrdered(readiness: Self.exec, now: .zero)
        var stopped = agent
        #expect(
            stopped.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(5), now: .zero) == [
                .send(.stopped(.notStarted), id: AgentFixture.readyID, replyTo: AgentFixture.stopOrderID)
            ] + AgentFixture.reportTimers(at: .zero))
        #expect(agent.startOrdered(readiness: nil, now: .zero) == [.spawn])
    }

    @Test("An unauthenticated coordinator's TCP check is run")
    func tcpCheckRuns() {
        var agent = welcomedAgent(trust: .unauthenticated)
        #expect(agent.refusal(ofStartWith: Self.tcp) == nil)
        #expect(agent.startOrdered(readiness: Self.tcp, now: .zero) == [.spawn])
        _ = agent.spawned(pid: AgentFixture.pid, now: .zero)
        #expect(agent.timerFired(.probe, now: .zero) == [.runProbe(Self.tcp)])
    }

    @Test("The agent's own exec check runs whatever the unauthenticated coordinator sends")
    func ownCheckRuns() {
        var agent = welcomedAgent(trust: .unauthenticated, own: Self.exec)
        #expect(agent.refusal(ofStartWith: Self.http) == nil, "the coordinator's check is not the one run")
        #expect(agent.startOrdered(readiness: Self.http, now: .zero) == [.spawn])
        _ = agent.spawned(pid: AgentFixture.pid, now: .zero)
        #expect(agent.timerFired(.probe, now: .zero) == [.runProbe(Self.exec)])
    }

    @Test("An authenticated coordinator's exec check is run")
    func authenticatedExecRuns() {
        var agent = welcomedAgent(trust: .authenticated)
        #expect(agent.startOrdered(readiness: Self.exec, now: .zero) == [.spawn])
        _ = agent.spawned(pid: AgentFixture.pid, now: .zero)
        #expect(agent.timerFired(.probe, now: .zero) == [.runProbe(Self.exec)])
    }

    @Test("The agent's settings trust no coordinator unless told")
    func untrustedByDefault() {
        #expect(Agent.Settings().coordinatorTrust == .unauthenticated)
        #expect(!Agent.Settings().acceptsLowerEpoch)
    }
}
