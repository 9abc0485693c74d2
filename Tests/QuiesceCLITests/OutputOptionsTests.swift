import ArgumentParser
import Testing

@testable import quiesce

@Suite("Output formats and short flags")
struct OutputOptionsTests {
    @Test(
        "--json, --json-lines, --follow and -o choose the format; text without them",
        arguments: [
            ([], OutputFormat.text), (["--json"], .json), (["--json-lines"], .jsonLines), (["-o", "json"], .json),
            (["--output", "json-lines"], .jsonLines), (["-o", "text"], .text), (["--json", "-o", "json"], .json),
            (["--follow"], .jsonLines), (["--follow", "--json-lines"], .jsonLines),
            (["--follow", "-o", "json-lines"], .jsonLines),
        ])
    func format(arguments: [String], format: OutputFormat) throws {
        #expect(try OutputOptions.parse(arguments).format == format)
    }

    @Test("Two different formats are a usage error that lists the three")
    func conflicting() {
        #expect(throws: (any Error).self) { try OutputOptions.parse(["--json", "--json-lines"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["-o", "text", "--json"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["-o", "yaml"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["--follow", "--json"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["--follow", "-o", "text"]) }
    }

    @Test("Every command that takes --json-lines takes --follow, with the same meaning")
    func followEverywhere() throws {
        let coordinator = ["--coordinator", "tcp://127.0.0.1:7700"]
        #expect(try PlanCommand.parse(["-c", "fleet.yaml", "--follow"]).output.format == .jsonLines)
        #expect(try ValidateCommand.parse(["-c", "fleet.yaml", "--follow"]).output.format == .jsonLines)
        #expect(try CoordinatorCommand.parse(["-c", "fleet.yaml", "--follow"]).output.format == .jsonLines)
        #expect(try StatusCommand.parse(coordinator + ["--follow"]).connection.output.format == .jsonLines)
        #expect(try ShutdownCommand.parse(coordinator + ["--follow"]).connection.output.format == .jsonLines)
        #expect(try EventsCommand.parse(coordinator + ["--follow"]).connection.output.format == .jsonLines)
        #expect(
            try StopServiceCommand.parse(["api"] + coordinator + ["--follow"]).options.connection.output.format
                == .jsonLines)
        #expect(
            try StartServiceCommand.parse(["api"] + coordinator + ["--follow"]).options.connection.output.format
                == .jsonLines)
        #expect(
            try RestartServiceCommand.parse(["api"] + coordinator + ["--follow"]).options.connection.output.format
                == .jsonLines)
    }

    @Test("-c is --config, -w is status's --watch, and --watch refuses --json")
    func shortFlags() throws {
        #expect(try PlanCommand.parse(["-c", "fleet.yaml"]).fleetFile.config == "fleet.yaml")
        let status = try StatusCommand.parse(["--coordinator", "tcp://127.0.0.1:7700", "-w", "--json-lines"])
        #expect(status.watch)
        #expect(status.connection.output.format == .jsonLines)
        #expect(throws: (any Error).self) {
            try StatusCommand.parse(["--coordinator", "tcp://127.0.0.1:7700", "-w", "--json"])
        }
    }

    @Test("A malformed --coordinator is a usage error naming the endpoint and the fix")
    func malformedEndpoint() {
        do {
            _ = try ShutdownCommand.parse(["--coordinator", "127.0.0.1:7700"])
            Issue.record("127.0.0.1:7700 was accepted")
        } catch {
            #expect(
                ShutdownCommand.message(for: error)
                    == "--coordinator: \"127.0.0.1:7700\" is no endpoint: it has no scheme; write tcp://127.0.0.1:7700, or ipc:///PATH for a local socket"
            )
        }
    }
}
