import ArgumentParser
import Testing

@testable import QuiesceCommandLine
@testable import quiesce

@Suite("Options of the commands that ask a coordinator")
struct CoordinatorOptionsTests {
    @Test("Each command waits its own default time for the coordinator")
    func defaultTimeouts() throws {
        let endpoint = ["--coordinator", "ipc:///tmp/quiesce-test"]
        #expect(try StatusCommand.parse(endpoint).connection.timeout == .seconds(5))
        #expect(try ShutdownCommand.parse(endpoint).connection.timeout == .seconds(30))
        #expect(try StopServiceCommand.parse(["api"] + endpoint).options.connection.timeout == .seconds(60))
        #expect(try StartServiceCommand.parse(["api"] + endpoint).options.connection.timeout == .seconds(60))
        #expect(try RestartServiceCommand.parse(["api"] + endpoint).options.connection.timeout == .seconds(60))
    }

    @Test("--timeout, --json and the keys are read alike by every command")
    func sharedOptions() throws {
        let arguments = [
            "--coordinator", "tcp://127.0.0.1:7700", "--json", "--timeout", "250ms", "--key", "op.key_secret",
            "--server-key", "coordinator.key",
        ]
        let status = try StatusCommand.parse(arguments).connection
        let shutdown = try ShutdownCommand.parse(arguments).connection
        let stop = try StopServiceCommand.parse(["api"] + arguments).options
        #expect(stop.service == "api")
        for connection in [status.values, shutdown.values, stop.connection.values] {
            #expect(connection.coordinator == "tcp://127.0.0.1:7700")
            #expect(connection.json)
            #expect(connection.timeout == .milliseconds(250))
            #expect(connection.key == "op.key_secret")
            #expect(connection.serverKey == "coordinator.key")
        }
    }

    @Test("Several coordinators are read in order; an endpoint given twice is refused")
    func severalCoordinators() throws {
        let status = try StatusCommand.parse(["--coordinator", "tcp://a:7700,tcp://b:7700"]).connection
        #expect(status.coordinators == ["tcp://a:7700", "tcp://b:7700"])
        do {
            _ = try StatusCommand.parse(["--coordinator", "tcp://a:7700,tcp://a:7700"])
            Issue.record("a duplicate endpoint was accepted")
        } catch {
            #expect(
                StatusCommand.message(for: error)
                    == "--coordinator: \"tcp://a:7700\" is given twice; name each coordinator once")
        }
    }

    @Test("A timeout without a unit is an error, not the default")
    func timeoutWithoutUnit() {
        for parse in [
            { try StatusCommand.parse(["--coordinator", "x", "--timeout", "5"]) as Any },
            { try ShutdownCommand.parse(["--coordinator", "x", "--timeout", "5"]) as Any },
            { try RestartServiceCommand.parse(["api", "--coordinator", "x", "--timeout", "5"]) as Any },
        ] {
            do {
                _ = try parse()
                Issue.record("--timeout 5 was accepted")
            } catch {
                #expect(
                    StatusCommand.message(for: error)
                        == "The value '5' is invalid for '--timeout <timeout>': add a unit: 5s, 5ms or 5m")
            }
        }
    }
}

extension CoordinatorOptions {
    /// What was parsed, without the request's type.
    var values: (coordinator: String, json: Bool, timeout: Duration, key: String?, serverKey: String?) {
        (coordinators.joined(separator: ","), output.format == .json, timeout, curve.key, curve.serverKey)
    }
}
