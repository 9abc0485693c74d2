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

            Given several coordinators (a leader and its standbys), asks each for its status at \
            once, shows each one's role on a first line (--json: a coordinators array beside the \
            leader's status) and the leader's table.
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
        let set = try connection.coordinatorSet(for: "status")
        let single = set.endpoints.count == 1 ? try set.client(of: 0) : nil
        defer { single?.close() }
        let printer = OutputPrinter(format: connection.output.format)
        let redraws = watch && connection.output.format == .text && isatty(STDOUT_FILENO) == 1
        var shown = 0
        var lastLeader: String?
        while true {
            let document: StatusDocument
            var roles: CoordinatorRoles?
            do {
                if let single {
                    document = try single.status(timeout: connection.timeout)
                } else {
                    let leader: String
                    (document, roles, leader) = try Self.leaderStatus(of: set, timeout: connection.timeout)
                    if leader != lastLeader { printError("status: using the coordinator at \(leader), which leads") }
                    lastLeader = leader
                }
            } catch let failure as AdminClient.Failure {
                printError(shown > 0 ? "status: the coordinator went away: \(failure)" : "status: \(failure)")
                throw ExitCode(failure.exitCode)
            }
            if watch && shown > 0 && !redraws && connection.output.format == .text { printLine("") }
            let text = {
                (redraws ? "\u{1B}[H\u{1B}[2J" : "") + Self.text(document, roles: roles).joined(separator: "\n")
            }
            if let roles {
                printer.document(
                    CoordinatorRoles.StatusWithRoles(status: document, coordinators: roles), kind: "status", text: text)
            } else {
                printer.document(document, kind: "status", text: text)
            }
            shown += 1
            guard watch else { throw ExitCode(Self.exitCode(of: document)) }
            Thread.sleep(forTimeInterval: interval.seconds)
        }
    }

    /// The status of the coordinator that leads among `set`, every coordinator's role, and the
    /// leader's endpoint; a failure naming each one's role when none leads.
    private static func leaderStatus(of set: CoordinatorSet, timeout: Duration) throws -> (
        StatusDocument, CoordinatorRoles, String
    ) {
        let survey = set.survey(timeout: timeout)
        guard let leader = survey.leader, let status = survey.statuses[leader] else {
            throw AdminClient.Failure(
                kind: .noAnswer, description: LeaderChoice.noLeader(endpoints: set.endpoints, roles: survey.roles))
        }
        return (status, CoordinatorRoles(endpoints: set.endpoints, roles: survey.roles), set.endpoints[leader])
    }

    /// ``StatusExitCode`` of every service's and instance's state the document names.
    static func exitCode(of document: StatusDocument) -> Int32 {
        let states = document.services.flatMap { service in
            [service.state] + (service.instances ?? []).map(\.state)
        }
        return StatusExitCode.code(for: states.compactMap(ServiceState.init(rawValue:)))
    }

    /// The coordinators' roles when there are several, the phase, the table, and what the
    /// coordinator turned away.
    static func text(_ document: StatusDocument, roles: CoordinatorRoles? = nil) -> [String] {
        var lines = (roles.map { [$0.header] } ?? []) + ["coordinator: \(document.phase)"]
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
