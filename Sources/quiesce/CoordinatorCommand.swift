import ArgumentParser
import Foundation
import QuiesceCoordinator
import QuiesceCore
import QuiesceRuntime
import QuiesceWire

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator: start the fleet in order, stop it in reverse order on SIGTERM/SIGINT.",
        discussion: """
            Exit codes: 0 every service stopped cleanly; 1 a service timed out, was lost, had already \
            exited or had no agent; 2 a service failed to start; 3 the shutdown deadline passed or the \
            shutdown was escalated; 78 invalid configuration.
            """
    )

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(name: .long, help: "The endpoint to bind, overriding coordinator.bind (tcp://HOST:PORT, ipc://PATH).")
    var bind: String?

    @Option(
        name: .long,
        help: "A directory for the coordinator's durable state (epoch, journal), overriding coordinator.state_dir.")
    var stateDir: String?

    @Flag(help: "Allow a plain (unencrypted, unauthenticated) bind on an address other than loopback or ipc.")
    var insecure = false

    @Flag(help: "Print the final report as JSON instead of a table.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    /// Loopback TCP, ipc:// and inproc:// endpoints: reachable from this host only.
    static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let address = endpoint.dropFirst("tcp://".count)
        return address.hasPrefix("127.") || address.hasPrefix("localhost:") || address.hasPrefix("[::1]:")
    }

    func run() throws {
        let configuration = try fleetFile.load()
        let logger = logging.makeLogger("quiesce.coordinator")
        let endpoint = bind ?? configuration.coordinator.bind
        if configuration.security == nil {
            guard Self.isLocal(endpoint) || insecure else {
                printError(
                    "coordinator: refusing a plain bind on \(endpoint): anyone who reaches it could stop the fleet. "
                        + "Add a security: block (docs/security.md), bind to loopback or ipc://, or pass --insecure.")
                throw ExitCode(CoordinatorExitCode.invalidConfiguration)
            }
            logger.warning(
                "No security block: connections are neither encrypted nor authenticated",
                metadata: ["endpoint": "\(endpoint)"])
        }
        let state = (stateDir ?? configuration.coordinator.stateDirectory).map(StateDirectory.init(path:))
        if state == nil {
            logger.warning(
                "No state directory: a shutdown cut short by a crash of this coordinator cannot be resumed; set coordinator.state_dir"
            )
        }
        let epoch: UInt64
        do {
            epoch = try state.map { try $0.nextEpoch() } ?? StateDirectory.clockEpoch()
        } catch {
            printError("coordinator: cannot use the state directory: \(error)")
            throw error is FilePermissions.Problem ? ExitCode(CoordinatorExitCode.invalidConfiguration) : .failure
        }
        let runtime = CoordinatorRuntime(
            configuration: configuration, endpoint: endpoint, epoch: epoch,
            journal: state.map(Journal.init(directory:)), logger: logger,
            output: printLine)
        let report: ShutdownReport
        do {
            report = try runtime.run()
        } catch {
            printError("coordinator: \(error)")
            // A key file, or a directory, that cannot be trusted is a configuration to fix.
            let refused = error is FilePermissions.Problem || error is CurveCertificate.Failure
            throw refused ? ExitCode(CoordinatorExitCode.invalidConfiguration) : .failure
        }
        let document = ReportDocument(report)
        printLine(json ? JSONText.encode(document) : "\n" + ReportFormatter.table(document))
        throw ExitCode(report.exitCode)
    }
}
