import QuiesceCore
import Testing

@testable import QuiesceCoordinator

@Suite("Progress lines")
struct ProgressFormatterTests {
    @Test(
        "Each progress event prints the line an operator reads",
        arguments: [
            (
                CoordinatorProgress.agentConnected("api", host: "web-1"),
                "agent connected: api (web-1), instance host-api"
            ),
            (.agentLost("api"), "agent lost: api, instance host-api"),
            (.agentSuspect("api"), "agent suspect (silent): api, instance host-api"),
            (.agentResponsive("api"), "agent responsive again: api, instance host-api"),
            (.serviceFailed("api", reason: "exit code 3"), "api failed: exit code 3, instance host-api"),
            (.serviceUnready("api", reason: "HTTP 503"), "api unready: HTTP 503, instance host-api"),
            (.serviceReadyAgain("api"), "api ready again, instance host-api"),
            (
                .serviceRestarting("api", status: .exited(1), attempt: 2, delay: .milliseconds(500)),
                "api ended (exit code 1); restart 2 in 0.5s, instance host-api"
            ),
            (.serviceExited("api", status: .signalled(9)), "api exited on its own (signal SIGKILL), instance host-api"),
            (
                .startup(.waveStarted(number: 1, of: 2, services: ["database", "cache"])),
                "startup wave 1/2: starting database, cache"
            ),
            (.startup(.serviceReady("database", after: .milliseconds(1250))), "database ready (1.25s)"),
            (.startup(.serviceAdopted("database", ready: true)), "database already running and ready: adopted"),
            (.startup(.serviceAdopted("database", ready: false)), "database already running: adopted"),
            (
                .startupComplete(after: .seconds(3), waitingForAgents: .seconds(1)),
                "startup complete in 3s (1s waiting for agents, 2s starting)"
            ),
            (
                .startedWithFewer("db", ready: 2, expected: 3, missing: ["c"], unregistered: 1),
                "db ready with 2 of 3 instances at its start timeout; not ready: c, 1 never registered"
            ),
            (
                .instanceFinished("db/b", .acknowledged(.stopped(.exited(0))), after: .seconds(1)),
                "db/b stopped (exit code 0) (1s)"
            ),
            (.shutdownBegan, "shutdown begins"),
            (.shutdownResumed(alreadyStopped: []), "resuming the shutdown a previous coordinator began"),
            (
                .shutdownResumed(alreadyStopped: ["api", "worker"]),
                "resuming the shutdown a previous coordinator began (already stopped: api, worker)"
            ),
            (.operationBegan(Operation(kind: .restart, service: "api")), "restart api: begins"),
            (
                .operationBegan(Operation(kind: .stop, service: "api", requestedByAgent: true)),
                "stop api (asked by its agent): begins"
            ),
            (.shutdown(.waveStarted(number: 2, of: 3, services: ["api"])), "wave 2/3: stopping api"),
            (.shutdown(.servicesStopping(["b2", "cache"])), "stopping b2, cache (dependents stopped)"),
            (.startup(.servicesStarting(["api"])), "starting api (dependencies ready)"),
            (
                .shutdown(.serviceFinished("api", .timedOut, after: nil)),
                "api timed out (no acknowledgement; kill ordered)"
            ),
            (
                .shutdown(.serviceFinished("api", .lost, after: .seconds(2))),
                "api lost (agent silent or unreachable) (2s)"
            ),
            (.shutdown(.serviceUnreachable("api")), "api unreachable: waiting for it until the deadline"),
            (
                .shutdown(.killingRemaining([], reason: .deadline)),
                "the shutdown deadline reached: nothing left to kill"
            ),
            (
                .shutdown(.killingRemaining(["api", "worker"], reason: .escalation)),
                "escalation reached: killing api, worker now"
            ),
        ])
    func line(progress: CoordinatorProgress, expected: String) {
        #expect(ProgressFormatter.line(for: progress) == expected)
    }
}
