import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's state as the coordinator sees it."
    )

    @Option(name: .long, help: "The coordinator's endpoint.")
    var coordinator: String

    @Flag(help: "Print JSON for tooling.")
    var json = false

    @Option(name: .long, help: "How long to wait for the coordinator.")
    var timeout: String = "5s"

    @OptionGroup var curve: CurveOptions

    func run() throws {
        let client = try AdminClient(coordinator: coordinator, curve: try curve.credentials())
        defer { client.close() }
        let document: StatusDocument
        do {
            document = try client.status(timeout: Duration(configurationText: timeout) ?? .seconds(5))
        } catch {
            printError("status: \(error)")
            throw ExitCode.failure
        }
        if json {
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
                    + "\(rejections.rateLimitedRegistrations) rate-limited, \(rejections.failedHandshakes) failed handshakes"
            )
        }
    }
}
