import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

struct StatusCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's state, and each of its instances', as the coordinator sees it."
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
        printLine("coordinator: \(document.phase)")
        for line in TextTable.render([Self.header] + document.services.flatMap(Self.rows)) { printLine(line) }
        if let rejections = document.rejections {
            printLine(
                "rejected: \(rejections.malformedMessages) malformed, \(rejections.refusedMessages) refused, "
                    + "\(rejections.rateLimitedRegistrations) rate-limited, \(rejections.failedHandshakes) failed handshakes, "
                    + "\(rejections.droppedIdleConnections) idle connections dropped"
            )
        }
    }

    static let header = [
        "SERVICE", "READY", "INSTANCE", "STATE", "AGENT", "HOST", "PID", "UPTIME", "LAST CHANGE", "DETAIL",
    ]

    /// A service of one instance is one row; a service of several, a row of its own (its state as a
    /// whole) followed by one row per instance. READY is ready instances over those expected.
    static func rows(of service: StatusDocument.Row) -> [[String]] {
        let ready =
            service.readyCount.map { "\($0)/\(max(service.expected ?? 1, service.instances?.count ?? 0))" } ?? "-"
        // A service of one instance is its row, as is every service of a coordinator of QSC/1.0.
        let instances =
            service.instances ?? [
                StatusDocument.InstanceRow(
                    instance: service.instance ?? "-", state: service.state, connected: service.connected,
                    suspect: service.suspect,
                    host: service.host, pid: service.pid, uptimeSeconds: service.uptimeSeconds,
                    sinceLastChangeSeconds: service.sinceLastChangeSeconds, detail: service.detail)
            ]
        func cells(_ instance: StatusDocument.InstanceRow) -> [String] {
            [
                instance.instance, instance.state,
                instance.suspect == true ? "suspect" : (instance.connected ? "connected" : "-"), instance.host ?? "-",
                instance.pid.map(String.init) ?? "-",
                instance.uptimeSeconds.map { Duration.seconds($0).secondsText } ?? "-",
                Duration.seconds(instance.sinceLastChangeSeconds).secondsText + " ago", instance.detail ?? "",
            ]
        }
        if instances.count == 1 { return [[service.service, ready] + cells(instances[0])] }
        let summary = [
            service.service, ready, "-", service.state, "", "", "", "",
            Duration.seconds(service.sinceLastChangeSeconds).secondsText + " ago", service.detail ?? "",
        ]
        return [summary] + instances.map { ["", ""] + cells($0) }
    }
}
