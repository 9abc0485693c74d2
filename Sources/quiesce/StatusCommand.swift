import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

struct StatusCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's state, and each of its instances', as the coordinator sees it.",
        discussion: """
            Exit codes: 0 no service or instance failed, was lost or timed out; 3 one did; 69 the \
            coordinator did not answer within --timeout; 77 it refused the request (a key it does not \
            allow). With --watch the table is drawn again every --interval (in place on a terminal, one \
            table after another otherwise) until the coordinator stops answering (exit code 69) or \
            SIGINT.
            """
    )
    static let defaultTimeout = Duration.seconds(5)
    static let timeoutHelp = "How long to wait for the coordinator."

    @OptionGroup var connection: CoordinatorOptions<StatusCommand>

    @Flag(name: .shortAndLong, help: "Draw the table again every --interval until the coordinator goes away.")
    var watch = false

    @Option(
        help: DurationArgument.help("With --watch, the time between two tables.", default: .seconds(2)),
        transform: DurationArgument.parse)
    var interval: Duration = .seconds(2)

    func validate() throws {
        if watch, connection.output.format == .json {
            throw ValidationError("--watch prints one document after another: give --json-lines instead of --json")
        }
        guard interval > .zero else { throw ValidationError("--interval: write a duration above 0, like 2s") }
    }

    func run() throws {
        let client = try connection.makeClient(for: "status")
        defer { client.close() }
        let printer = OutputPrinter(format: connection.output.format)
        let redraws = watch && connection.output.format == .text && isatty(STDOUT_FILENO) == 1
        var shown = 0
        while true {
            let document: StatusDocument
            do {
                document = try client.status(timeout: connection.timeout)
            } catch let failure as AdminClient.Failure {
                printError(shown > 0 ? "status: the coordinator went away: \(failure)" : "status: \(failure)")
                throw ExitCode(failure.exitCode)
            }
            if watch && shown > 0 && !redraws && connection.output.format == .text { printLine("") }
            printer.document(document, kind: "status") {
                (redraws ? "\u{1B}[H\u{1B}[2J" : "") + Self.text(document).joined(separator: "\n")
            }
            shown += 1
            guard watch else { throw ExitCode(Self.exitCode(of: document)) }
            Thread.sleep(forTimeInterval: interval.seconds)
        }
    }

    /// ``StatusExitCode`` of every service's and instance's state the document names.
    static func exitCode(of document: StatusDocument) -> Int32 {
        let states = document.services.flatMap { service in
            [service.state] + (service.instances ?? []).map(\.state)
        }
        return StatusExitCode.code(for: states.compactMap(ServiceState.init(rawValue:)))
    }

    /// The phase, the table, and what the coordinator turned away.
    static func text(_ document: StatusDocument) -> [String] {
        var lines = ["coordinator: \(document.phase)"]
        lines += TextTable.render([header] + document.services.flatMap(rows))
        if let rejections = document.rejections {
            lines.append(
                "rejected: \(rejections.malformedMessages) malformed, \(rejections.refusedMessages) refused, "
                    + "\(rejections.rateLimitedRegistrations) rate-limited, \(rejections.failedHandshakes) failed handshakes, "
                    + "\(rejections.droppedIdleConnections) idle connections dropped"
            )
        }
        return lines
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
                instance.uptimeSeconds.map { Duration.configurationText(seconds: $0) } ?? "-",
                Duration.configurationText(seconds: instance.sinceLastChangeSeconds) + " ago", instance.detail ?? "",
            ]
        }
        if instances.count == 1 { return [[service.service, ready] + cells(instances[0])] }
        let summary = [
            service.service, ready, "-", service.state, "", "", "", "",
            Duration.configurationText(seconds: service.sinceLastChangeSeconds) + " ago", service.detail ?? "",
        ]
        return [summary] + instances.map { ["", ""] + cells($0) }
    }
}
