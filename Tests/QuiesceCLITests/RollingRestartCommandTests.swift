import ArgumentParser
import QuiesceCore
import QuiesceWire
import Testing

@testable import quiesce

@Suite("restart --rolling")
struct RollingRestartCommandTests {
    static let endpoint = ["--coordinator", "ipc:///tmp/x"]

    @Test("--rolling alone takes one at a time; --max-unavailable gives more")
    func parses() throws {
        let plain = try RestartServiceCommand.parse(["db"] + Self.endpoint)
        #expect(!plain.rolling && plain.maxUnavailable == nil)
        let rolling = try RestartServiceCommand.parse(["db", "--rolling"] + Self.endpoint)
        #expect(rolling.rolling && rolling.maxUnavailable == nil)
        let two = try RestartServiceCommand.parse(["db", "--rolling", "--max-unavailable", "2"] + Self.endpoint)
        #expect(two.maxUnavailable == 2)
    }

    @Test(
        "--max-unavailable without --rolling, or below 1, is refused with the fix",
        arguments: [
            (["--max-unavailable", "2"], "add --rolling"),
            (["--rolling", "--max-unavailable", "0"], "give 1 to 10000"),
        ])
    func refused(arguments: [String], fix: String) {
        #expect {
            try RestartServiceCommand.parse(["db"] + arguments + Self.endpoint)
        } throws: { error in
            RestartServiceCommand.message(for: error).contains(fix)
        }
    }

    @Test("The report's table lists each instance with its stop and ready times, then the rule and its floor")
    func table() {
        let rolling = RollingRestartReport(
            service: "db", maxUnavailable: 1, minReady: 2,
            instances: [
                .init(
                    instance: "a", outcome: .restarted, stopOrderedAfter: .zero, stoppedAfter: .milliseconds(250),
                    stopOutcome: .stopped(.exited(0)), readyAfter: .milliseconds(900)),
                .init(instance: "b", outcome: .notReached),
            ], fewestReady: 2, failure: "db/a did not come back: exec failed", total: .seconds(1))
        let text = ReportFormatter.table(
            ReportDocument(
                OperationReport(operation: Operation(kind: .rollingRestart, service: "db"), rolling: rolling)))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("db/a") && $0.contains("restarted") && $0.contains("+0.9s") })
        #expect(lines.contains { $0.hasPrefix("db/b") && $0.contains("not restarted") })
        #expect(lines.contains("at most 1 restarting at once; fewest ready at once: 2 (min_ready 2)"))
        #expect(lines.contains("stopped at: db/a did not come back: exec failed"))
        #expect(lines.last == "result: NOT clean (completed), exit code 2")
    }
}
