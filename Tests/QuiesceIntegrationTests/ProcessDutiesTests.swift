import Foundation
import Testing

/// What the agent owes its process tree: the whole group is stopped, orphans are reaped, signals are
/// passed on.
@Suite("The agent's process duties", .serialized)
struct ProcessDutiesTests {
    static let config = """
        defaults: { stop_timeout: 1s }
        services:
          app: {}
        """

    @Test("A grandchild that ignores SIGTERM does not survive its service's stop")
    func grandchildIgnoringSigterm() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let script = """
            record() { echo "$(date +%s.%N) $1 $2 $3" >> "\(fleet.timelinePath.path)"; }
            sh -c 'trap "" TERM; while :; do sleep 0.05; done' &
            record grandchild started $!
            trap 'record app stop-begin $$; exit 0' TERM
            record app started $$
            while :; do sleep 0.05; done
            """
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("app", command: ["/bin/sh", "-c", script])
        await fleet.waitUntilStarted(["app", "grandchild"])
        let grandchild = try #require(
            fleet.servicePIDs().first { pid in fleet.output("timeline.log").contains("grandchild started \(pid)") })

        #expect(await fleet.shutDown(coordinator) == 0)
        await fleet.waitUntil("the grandchild is gone") { kill(grandchild, 0) != 0 }
        #expect(try fleet.reportEntry("app")["outcome"] as? String == "stopped", "app itself obeyed SIGTERM")
    }

    @Test("Orphans re-parented to the agent are reaped, not left as zombies")
    func orphansAreReaped() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        // The subshell exits at once, orphaning `sleep 0.2`, which is re-parented to the agent.
        let script = """
            echo "$(date +%s.%N) app started $$" >> "\(fleet.timelinePath.path)"
            for i in 1 2 3; do ( sleep 0.2 & ); done
            exec sleep 1000
            """
        let coordinator = try await fleet.startCoordinator()
        let agent = try fleet.startAgent("app", command: ["/bin/sh", "-c", script])
        await fleet.waitUntilStarted(["app"])
        try await Task.sleep(for: .milliseconds(400))
        await fleet.waitUntil("the agent has no zombie children") { zombieChildren(of: agent.processIdentifier) == 0 }
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("SIGHUP, SIGUSR1, SIGUSR2 and SIGWINCH sent to the agent reach the service")
    func signalsAreForwarded() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let script = """
            record() { echo "$(date +%s.%N) app $1 $$" >> "\(fleet.timelinePath.path)"; }
            trap 'record hup' HUP
            trap 'record usr1' USR1
            trap 'record usr2' USR2
            trap 'record winch' WINCH
            trap 'exit 0' TERM
            record started
            while :; do sleep 0.02; done
            """
        let coordinator = try await fleet.startCoordinator()
        let agent = try fleet.startAgent("app", command: ["/bin/sh", "-c", script])
        await fleet.waitUntilStarted(["app"])
        for (signal, event) in [(SIGHUP, "hup"), (SIGUSR1, "usr1"), (SIGUSR2, "usr2"), (SIGWINCH, "winch")] {
            kill(agent.processIdentifier, signal)
            await fleet.waitUntil("the service got \(event)") { fleet.time("app", event) != nil }
        }
        #expect(agent.isRunning, "the agent itself survives forwarded signals")
        #expect(await fleet.shutDown(coordinator) == 0)
    }
}

/// Children of `pid` in the zombie state, from /proc.
func zombieChildren(of pid: Int32) -> Int {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { candidate in
        guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ")?.upperBound
        else { return false }
        let fields = stat[afterName...].split(separator: " ")
        return fields.count > 1 && fields[0] == "Z" && Int32(fields[1]) == pid
    }.count
}

/// `--stop-exec` and `--stop-http` instead of the stop signal.
@Suite("Stop commands", .serialized)
struct StopCommandTests {
    /// The stop timeout bounds the stop command and the service's exit together; it only catches a
    /// hang here. On a loaded machine starting `/bin/sh` and `touch` can take longer than a second, and
    /// a stop command still running at the timeout is killed and followed by the stop signal.
    static let config = """
        defaults: { stop_timeout: 20s }
        services:
          app: {}
        """

    /// A service that ignores SIGTERM and stops only when the file `quit` appears beside the timeline.
    func quitFileService(_ fleet: Fleet) -> String {
        """
        record() { echo "$(date +%s.%N) app $1 $$" >> "\(fleet.timelinePath.path)"; }
        trap 'record sigterm' TERM
        record started
        while [ ! -e "\(fleet.directory.path)/quit" ]; do sleep 0.02; done
        record quit; exit 0
        """
    }

    @Test("--stop-exec asks the service to stop; no signal is needed")
    func stopExec() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent(
            "app", command: ["/bin/sh", "-c", quitFileService(fleet)],
            agentFlags: ["--stop-exec", "touch \(fleet.directory.path)/quit"])
        await fleet.waitUntilStarted(["app"])

        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(fleet.time("app", "quit") != nil)
        #expect(fleet.time("app", "sigterm") == nil, "the stop signal was sent although the stop command worked")
    }

    /// The readiness check passes until the file `slow` appears; from then on a check hangs for two
    /// minutes (its timeout is longer), recording `probe-hangs` with its pid. The stop command must not
    /// wait for it: before the stop timeout (20 s) the service has stopped on the command alone.
    @Test("A stop command never waits behind a slow readiness check")
    func stopCommandBesideSlowCheck() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let slow = fleet.directory.appendingPathComponent("slow").path
        let hangingCheck = fleet.directory.appendingPathComponent("check.pid").path
        let check = """
            if [ -e "\(slow)" ]; then echo $$ > "\(hangingCheck)"; \
            echo "$(date +%s.%N) app probe-hangs $$" >> "\(fleet.timelinePath.path)"; exec sleep 120; fi
            """
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent(
            "app", command: ["/bin/sh", "-c", quitFileService(fleet)],
            agentFlags: [
                "--ready-exec", check, "--ready-interval", "100ms", "--ready-timeout", "150s",
                "--stop-exec", "touch \(fleet.directory.path)/quit",
            ])
        await fleet.waitUntil("app is ready") { fleet.coordinatorProgress().contains("app ready (") }
        _ = FileManager.default.createFile(atPath: slow, contents: nil)
        await fleet.waitUntil("a readiness check hangs") { fleet.time("app", "probe-hangs") != nil }
        defer {
            let pid = (try? String(contentsOfFile: hangingCheck, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let pid { kill(pid, SIGKILL) }
        }

        #expect(await fleet.shutDown(coordinator, timeout: .seconds(60)) == 0)
        #expect(try fleet.reportEntry("app")["outcome"] as? String == "stopped")
        #expect(fleet.time("app", "quit") != nil, "the stop command did not run before the stop timeout")
        #expect(fleet.time("app", "sigterm") == nil, "the stop signal was sent although the stop command worked")
    }

    @Test("A failing --stop-http falls back to the stop signal")
    func stopHTTPFallsBack() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let closedPort = try FreePort.pick()
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent(
            "app", stopDelay: 0.1, extraArguments: ["--stop-http", "POST http://127.0.0.1:\(closedPort)/shutdown"])
        await fleet.waitUntilStarted(["app"])

        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(fleet.time("app", "stop-end") != nil, "the service was not stopped by its stop signal")
        #expect(fleet.output("agent-app.err").contains("The stop command failed; sending the stop signal"))
    }
}

/// Restart policies on a real crashing process.
@Suite("Restart policies", .serialized)
struct RestartPolicyTests {
    @Test("A service that crashes twice is restarted with backoff, reported each time, and then serves")
    func crashTwiceThenServe() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  worker: { restart: on-failure, restart_backoff: 100ms, restart_limit: 3 }
                """)
        defer { fleet.tearDown() }
        let counter = fleet.directory.appendingPathComponent("runs").path
        let script = """
            echo x >> "\(counter)"
            echo "$(date +%s.%N) worker started $$" >> "\(fleet.timelinePath.path)"
            if [ "$(wc -l < "\(counter)")" -le 2 ]; then exit 3; fi
            trap 'exit 0' TERM
            while :; do sleep 0.02; done
            """
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("worker", command: ["/bin/sh", "-c", script])
        await fleet.waitUntil("the third run is ready") {
            fleet.coordinatorProgress().contains("worker ready (") && fleet.timeline().count == 3
        }

        let printed = fleet.coordinatorProgress()
        #expect(printed.contains("worker ended (exit code 3); restart 1 in 0.1s"))
        #expect(printed.contains("worker ended (exit code 3); restart 2 in 0.2s"))
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(fleet.timeline().count == 3)
    }

    @Test("When the restart limit is reached the service's end is reported")
    func limitReached() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  worker: { restart: always, restart_backoff: 50ms, restart_limit: 2 }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let agent = try fleet.startAgent("worker", command: ["/bin/sh", "-c", "sleep 0.1; exit 5"])

        await fleet.waitUntil("the coordinator gives the end") {
            fleet.coordinatorProgress().contains("worker exited on its own (exit code 5)")
        }
        #expect(fleet.coordinatorProgress().contains("restart 2 in 0.1s"))
        #expect(await fleet.waitForExit(agent) == 5)
        #expect(await fleet.shutDown(coordinator) == 1)
        #expect(try fleet.reportEntry("worker")["outcome"] as? String == "already_exited")
    }
}
