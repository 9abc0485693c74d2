import ArgumentParser
import QuiesceCommandLine
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

/// Connects to the coordinator, makes a request answered by progress lines and a report, prints both
/// in the output format chosen, and exits with the report's exit code.
/// - Parameters:
///   - connection: where the coordinator is, how long to wait for it, and how to print.
///   - what: the command's name, for error messages.
///   - request: makes the request on the client, handing each progress line to the function it is given.
func followReport<Request>(
    _ connection: CoordinatorOptions<Request>, what: String,
    _ request: (AdminClient, Duration, _ progress: (String) -> Void) throws -> ReportDocument
) throws {
    let printer = OutputPrinter(format: connection.output.format)
    let report = try connection.withLeader(for: what) { client in
        try request(client, connection.timeout, printer.progress)
    }
    printer.document(report, kind: "report") { "\n" + ReportFormatter.table(report) }
    throw ExitCode(report.exitCode)
}
