import ArgumentParser
import Testing

@testable import quiesce

@Suite("Output formats and short flags")
struct OutputOptionsTests {
    @Test(
        "--json, --json-lines and -o choose the format; text without them",
        arguments: [
            ([], OutputFormat.text), (["--json"], .json), (["--json-lines"], .jsonLines), (["-o", "json"], .json),
            (["--output", "json-lines"], .jsonLines), (["-o", "text"], .text), (["--json", "-o", "json"], .json),
        ])
    func format(arguments: [String], format: OutputFormat) throws {
        #expect(try OutputOptions.parse(arguments).format == format)
    }

    @Test("Two different formats are a usage error that lists the three")
    func conflicting() {
        #expect(throws: (any Error).self) { try OutputOptions.parse(["--json", "--json-lines"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["-o", "text", "--json"]) }
        #expect(throws: (any Error).self) { try OutputOptions.parse(["-o", "yaml"]) }
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
