import Foundation
import Testing

/// What the `quiesce` binary says and exits with for bad command lines, and that a `--timeout` it
/// accepts is the one it waits.
@Suite("quiesce's command line")
struct CommandLineTests {
    /// Runs `quiesce arguments`: its exit status and standard error.
    static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> (
        status: Int32, errors: String
    ) {
        let result = try await CommandResult.run(Fleet.binary, arguments, sourceLocation: sourceLocation)
        return (result.status, result.errors)
    }

    @Test(
        "A duration without a unit is a usage error that says which unit to add",
        arguments: [
            ["status", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "5"],
            ["shutdown", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "5"],
            ["stop", "api", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "5"],
            [
                "agent", "--name", "api", "--coordinator", "tcp://127.0.0.1:1", "--local-stop-timeout", "5", "--",
                "true",
            ],
        ])
    func durationWithoutUnit(arguments: [String]) async throws {
        let (status, errors) = try await Self.run(arguments)
        #expect(status == 64)
        #expect(errors.contains("add a unit: 5s, 5ms or 5m"))
    }

    @Test("A readiness flag that breaks the probe's rule is a usage error worded for the flag")
    func readinessFlag() async throws {
        let (status, errors) = try await Self.run([
            "agent", "--name", "api", "--coordinator", "tcp://127.0.0.1:1", "--ready-exec", "true", "--ready-interval",
            "0s", "--", "true",
        ])
        #expect(status == 64)
        #expect(errors.contains("Error: --ready-interval: write a duration above 0, like 1s or 500ms"))
    }

    @Test("stop waits the --timeout given, then fails")
    func timeoutWaited() async throws {
        let started = ContinuousClock.now
        let (status, errors) = try await Self.run([
            "stop", "api", "--coordinator", "tcp://127.0.0.1:\(try FreePort.pick())", "--insecure", "--timeout",
            "300ms",
        ])
        #expect(status == 69, "the coordinator is unavailable")
        #expect(errors.contains("stop: no answer from tcp://127.0.0.1:"))
        #expect(errors.contains("within 0.3s: nothing listens there"))
        #expect(!errors.contains("went silent"), "it never answered")
        // Any wait below the default's 60 s shows the 300 ms was honoured: beside every other suite on
        // two cores, starting and reaping the tool alone has taken over 20 s.
        #expect(ContinuousClock.now - started < .seconds(55), "not the default of 60s")
    }
}
