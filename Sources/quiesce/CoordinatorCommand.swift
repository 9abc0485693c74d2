import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceCoordinator
import QuiesceCore
import QuiesceDiagrams
import QuiesceRuntime
import QuiesceWire

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator: start the fleet in order, stop it in reverse order on SIGTERM/SIGINT.",
        discussion: """
            Exit codes: 0 every service stopped cleanly; 1 a service timed out, was lost, had already \
            exited or had no agent; 2 a service failed to start; 3 the shutdown deadline passed or the \
            shutdown was escalated; 78 invalid configuration, a key file or directory refused, or a \
            plain endpoint refused.

            Without keys (a security: block, or --keys DIR from quiesce keygen --fleet) it listens only \
            on an ipc:// socket in a directory only its user can open, or with --insecure.
            """
    )

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(name: .long, help: "The endpoint to bind, overriding coordinator.bind (tcp://HOST:PORT, ipc://PATH).")
    var bind: String?

    @Option(
        name: .long,
        help: "A directory for the coordinator's durable state (epoch, journal), overriding coordinator.state_dir.")
    var stateDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The fleet's keys directory, made by quiesce keygen --fleet: the same as the security: block it prints.",
            valueName: "dir"))
    var keys: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --keys: this coordinator's key pair in the directory, when quiesce keygen --coordinators N wrote one per coordinator: coordinator-1 to coordinator-N, its position in the agents' --coordinator list.",
            valueName: "name"))
    var keyPair: String?

    @Flag(
        help:
            "Listen without keys on tcp://, loopback included: any user of this host (beyond loopback, anyone who reaches it) can then stop the fleet and pose as an agent."
    )
    var insecure = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How startups and shutdowns order the services, overriding coordinator.scheduling: waves (each wave waits for the whole wave before it) or eager (each service goes as soon as what it waits for is done).",
            valueName: "waves|eager"))
    var scheduling: SchedulingChoice?

    @OptionGroup(title: "Standby coordinators") var standby: StandbyOptions

    @OptionGroup(title: "Output") var output: OutputOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Serve Prometheus metrics on GET http://HOST:PORT/metrics, overriding coordinator.metrics_bind; they name every service, so keep them on loopback unless you mean to publish them.",
            valueName: "host:port"))
    var metricsBind: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "When the shutdown ends, write the timeline of the startup and shutdown here as SVG.", valueName: "file.svg"
        ))
    var timeline: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let keyPair {
            guard keys != nil else { throw ValidationError("--key-pair goes with --keys DIR") }
            let names = FleetKeys.coordinatorNames(count: KeygenCommand.maximumCoordinators)
            guard names.contains(keyPair) else {
                throw ValidationError(
                    "--key-pair \(keyPair): name one of the pairs quiesce keygen --coordinators writes, coordinator-1 to \(names.last!)"
                )
            }
        }
        if let metricsBind, case .failure(let problem) = ListenAddress.parse(metricsBind) {
            throw ValidationError("--metrics-bind: \(problem)")
        }
    }

    func run() throws {
        let printer = OutputPrinter(format: output.format)
        var configuration = try fleetFile.load()
        let logger = logging.makeLogger("quiesce.coordinator")
        let endpoint = bind ?? configuration.coordinator.bind
        if let problem = EndpointSyntax.problem(in: endpoint) {
            let source = bind != nil ? "--bind" : "\(fleetFile.path): coordinator.bind"
            printError(EndpointSyntax.message(for: endpoint, problem: problem, option: source))
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        if let metricsBind, case .success(let address) = ListenAddress.parse(metricsBind) {
            configuration.coordinator.metricsBind = address
        }
        if let scheduling { configuration.coordinator.scheduling = scheduling.scheduling }
        configuration.coordinator.ha = try standby.settings(overriding: configuration.coordinator.ha, bind: endpoint)
        if let keys {
            guard configuration.security == nil else {
                throw ValidationError("give --keys or a security: block in the configuration, not both")
            }
            configuration.security = try Self.securitySettings(keys: FleetKeys(directory: keys), keyPair: keyPair)
        }
        if configuration.security == nil {
            switch PlainConnection.check(endpoint, side: .coordinator, insecure: insecure) {
            case .allowed: break
            case .insecure(let warning): printError(warning)
            case .refused(let reason):
                printError(reason)
                throw ExitCode(CoordinatorExitCode.invalidConfiguration)
            }
        }
        let state = (stateDir ?? configuration.coordinator.stateDirectory).map(StateDirectory.init(path:))
        // With standbys, the leader keeps the journal in etcd, where whichever coordinator leads next reads it.
        if state == nil, configuration.coordinator.ha == nil {
            logger.warning(
                "No state directory: a shutdown cut short by a crash of this coordinator cannot be resumed; set coordinator.state_dir"
            )
        }
        let epoch: UInt64
        do {
            epoch = try state.map { try $0.nextEpoch() } ?? StateDirectory.clockEpoch()
        } catch {
            printError(
                "coordinator: cannot use the state directory: \(SetupFailure.describe(error)); "
                    + "give a directory this user may create and write (coordinator.state_dir, --state-dir)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        let runtime = CoordinatorRuntime(
            configuration: configuration, endpoint: endpoint, epoch: epoch,
            journal: state.map(Journal.init(directory:)), logger: logger,
            output: printer.progress)
        let report: ShutdownReport
        do {
            switch try runtime.run() {
            case .report(let fleetReport):
                report = fleetReport
            case .standbyEnded(let reason):
                printer.progress("standby coordinator ending: \(reason)")
                return
            }
        } catch {
            printError("coordinator: \(SetupFailure.describe(error))")
            throw ExitCode(SetupFailure.isSetup(error) ? CoordinatorExitCode.invalidConfiguration : 70)
        }
        var document = ReportDocument(report)
        document.timeline = TimelineDocument(runtime.timeline)
        if let timeline {
            try OutputFile.write(TimelineDrawing.svg(runtime.timeline), to: timeline, command: "coordinator")
        }
        printer.document(document, kind: "report") { "\n" + ReportFormatter.table(document) }
        throw ExitCode(report.exitCode)
    }

    /// The settings `--keys` stands for; refused with the fix when the directory holds one pair per
    /// coordinator and `--key-pair` does not say which is this one's.
    private static func securitySettings(keys: FleetKeys, keyPair: String?) throws -> SecuritySettings {
        let several = FleetKeys.coordinatorNames(count: 2)[0]
        if keyPair == nil, !FileManager.default.fileExists(atPath: keys.coordinatorSecretKey),
            FileManager.default.fileExists(atPath: keys.securitySettings(keyPair: several).serverKeyFile)
        {
            printError(
                "coordinator: \(keys.directory) holds one key pair per coordinator (\(several).key_secret, ...), "
                    + "no coordinator.key_secret: give this coordinator its own with --key-pair coordinator-N, "
                    + "N its position in the agents' --coordinator list")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        return keys.securitySettings(keyPair: keyPair ?? FleetKeys.coordinatorName)
    }
}
