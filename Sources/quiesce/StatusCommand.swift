import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

struct StatusCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's state as the coordinator sees it."
    )
    static let defaultTimeout = Duration.seconds(5)
    static let timeoutHelp = "How long to wait for the coordinator."
    static let jsonHelp = "Print JSON for tooling."

    @OptionGroup var connection: CoordinatorOptions<StatusCommand>

    func run() throws {
        let client = try connection.makeClient(for: "status")
        defer { client.close() }
        let document: StatusDocument
        do {
            document = try client.status(timeout: connection.timeout)
        } catch {
            printError("status: \(error)")
            throw ExitCode.failure
        }
        if connection.json {
            printLine(JSONText.encode(document))
            return
        }
        let header = ["SERVICE", "STATE", "AGENT", "HOST", "PID", "UPTIME", "LAST CHANGE", "DETAIL"]
        let rows = document.services.map { row in
            [
                row.service, row.state, row.suspect == true ? "suspect" : (row.connected ? "connected" : "-"),
                row.host ?? "-", row.pid.map(String.init) ?? "-",
                row.uptimeSeconds.map { Duration.seconds($0).secondsText } ?? "-",
                Duration.seconds(row.sinceLastChangeSeconds).secondsText + " ago", row.detail ?? "",
            ]
        }
        printLine("coordinator: \(document.phase)")
        for line in TextTable.render([header] + rows) { printLine(line) }
        if let rejections = document.rejections {
            printLine(
                "rejected: \(rejections.malformedMessages) malformed, \(rejections.refusedMessages) refused, "
                    + "\(rejections.rateLimitedRegistrations) rate-limited, \(rejections.failedHandshakes) failed handshakes, "
                    + "\(rejections.droppedIdleConnections) idle connections dropped"
            )
        }
    }
}
