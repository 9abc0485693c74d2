import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

/// Connects to the coordinator, makes a request answered by progress lines and a report, prints both,
/// and exits with the report's exit code.
/// - Parameters:
///   - what: the command's name, for error messages.
///   - request: makes the request on the client, handing progress lines to `printLine`.
func followReport(
    coordinator: String, curve: CurveOptions, timeout: String, json: Bool, what: String,
    _ request: (AdminClient, Duration) throws -> ReportDocument
) throws {
    let client = try AdminClient(coordinator: coordinator, curve: try curve.credentials())
    defer { client.close() }
    let report: ReportDocument
    do {
        report = try request(client, Duration(configurationText: timeout) ?? .seconds(60))
    } catch {
        printError("\(what): \(error)")
        throw ExitCode.failure
    }
    printLine(json ? JSONText.encode(report) : "\n" + ReportFormatter.table(report))
    throw ExitCode(report.exitCode)
}
