import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

/// Connects to the coordinator, makes a request answered by progress lines and a report, prints both,
/// and exits with the report's exit code.
/// - Parameters:
///   - connection: where the coordinator is, how long to wait for it, and whether to print JSON.
///   - what: the command's name, for error messages.
///   - request: makes the request on the client, handing progress lines to `printLine`.
func followReport<Request>(
    _ connection: CoordinatorOptions<Request>, what: String,
    _ request: (AdminClient, Duration) throws -> ReportDocument
) throws {
    let client = try connection.makeClient(for: what)
    defer { client.close() }
    let report: ReportDocument
    do {
        report = try request(client, connection.timeout)
    } catch {
        printError("\(what): \(error)")
        throw ExitCode.failure
    }
    printLine(connection.json ? JSONText.encode(report) : "\n" + ReportFormatter.table(report))
    throw ExitCode(report.exitCode)
}
