import ArgumentParser
import QuiesceAgent
import QuiesceCommandLine
import QuiesceCore
import QuiesceRuntime

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `quiesce-agent`, which `quiesce agent` executes: the agent beside one service.
@main
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiesce-agent",
        abstract: "Run a service under the coordinator's orders (the same as quiesce agent).",
        discussion: """
            Registers as an instance of service NAME (--instance, the host name by default), starts COMMAND on the coordinator's start order, stops it on a \
            stop order (stop signal to its process group, SIGKILL after the stop timeout) and reports. \
            Exits with the service's status: its exit code, 128 + the signal that ended it (137 when \
            killed), 78 when the coordinator refused the agent or --health-port cannot be served, 127 \
            when COMMAND could not be started.

            Without --server-key the agent cannot tell the coordinator from whoever else listens at \
            its endpoint: it then runs only the readiness checks and stop commands of its own flags, \
            and answers a start order that carries an exec or http readiness check with start_failed \
            (TCP checks, which send nothing, are run). It never obeys a coordinator whose epoch is \
            lower than the one that welcomed it, unless --accept-lower-epoch is given.

            Without keys it connects to a tcp:// endpoint, loopback included, only with --insecure: \
            any user of the host could pose as the coordinator or as this agent. Keys for the whole \
            fleet: quiesce keygen --fleet FILE --out keys, then --keys keys.
            """,
        version: "\(Release.version) (commit \(buildCommit))"
    )

    /// Runs the agent. Called `quiesce` (the name the agent image also gives it), it takes the
    /// word `agent` first, as `quiesce agent` does.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if CommandLine.arguments.first?.split(separator: "/").last == "quiesce", arguments.first == "agent" {
            arguments.removeFirst()
        }
        mainExitingPromptly(arguments)
    }

    @Option(name: .long, help: "The service name, as the coordinator's configuration declares it.")
    var name: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which instance of the service this agent is, unique among the service's agents: letters, digits, '-', '_' and '.', at most 64 bytes (default: the host name).",
            valueName: "id"))
    var instance: String?

    @Option(
        name: .customLong("coordinator"),
        help: ArgumentHelp(
            "The coordinator's endpoint, e.g. tcp://coordinator.internal:7700, or the endpoints of a leader and its standbys separated by commas: the agent registers with each and obeys the one that welcomed it with the highest epoch (default: $QUIESCE_COORDINATOR).",
            valueName: "endpoint[,endpoint...]"))
    var coordinatorFlag: String?

    /// `--coordinator`, or `QUIESCE_COORDINATOR`: one endpoint or several.
    private var coordinators: [String] {
        (try? CoordinatorEndpoint.resolveAll(coordinatorFlag)) ?? [""]
    }

    @Option(name: .long, help: "The signal that asks the service to stop: SIGTERM, SIGINT, SIGQUIT, 15, ...")
    var stopSignal: String = "SIGTERM"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A shell command that asks the service to stop, instead of the stop signal (which remains the fallback if it fails).",
            valueName: "command"))
    var stopExec: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An HTTP request that asks the service to stop: \"POST http://127.0.0.1:8080/shutdown\" (the method defaults to POST).",
            valueName: "[method] url"))
    var stopHTTP: String?

    @Option(
        name: .long,
        help:
            "Serve GET /healthz and /readyz (for Kubernetes probes and compose healthchecks) and GET /metrics (Prometheus) on this port, holding at most 64 connections and closing those idle for 5s."
    )
    var healthPort: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The address the health endpoint listens on: loopback unless given; 0.0.0.0 or the pod's IP for Kubernetes probes, which come from outside the pod.",
            valueName: "address"))
    var healthHost: String = "127.0.0.1"

    @Option(
        name: .long,
        help: DurationArgument.help(
            "How long the service has to stop when the agent stops it on its own.", default: .seconds(10)),
        transform: DurationArgument.parse)
    var localStopTimeout: Duration = .seconds(10)

    @Option(
        name: .long,
        help: DurationArgument.help(
            "On the agent's own SIGTERM, how long to wait for the coordinator to stop the service after its dependents before stopping it locally (0s: locally at once).",
            default: .seconds(10)),
        transform: DurationArgument.parse)
    var coordinatedStopTimeout: Duration = .seconds(10)

    @Flag(
        name: .long,
        help:
            "Obey a coordinator whose epoch is lower than the one that last welcomed this agent (a coordinator given a new state directory, or whose clock went back)."
    )
    var acceptLowerEpoch = false

    @OptionGroup(title: "Readiness (overrides the coordinator's readiness: block for this service)")
    var readiness: ReadinessOptions

    @Argument(parsing: .postTerminator, help: "The service's command and arguments, after --.")
    var command: [String] = []

    @OptionGroup var curve: CurveOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try CoordinatorEndpoint.resolveAll(coordinatorFlag)
        guard !command.isEmpty else {
            throw ValidationError(
                "give the service's command after --: quiesce agent --name api --coordinator tcp://127.0.0.1:7700 -- ./api"
            )
        }
        guard SignalName.number(of: stopSignal) != nil else {
            throw ValidationError(
                "--stop-signal: unknown signal \"\(stopSignal)\"; try SIGTERM, SIGINT, SIGQUIT or a number")
        }
        _ = try readiness.probe()
        _ = try stopCommand()
        if let problem = InstanceID.problem(in: instanceID) {
            throw ValidationError(
                instance == nil ? "the host name is no instance id: \(problem)" : "--instance: \(problem)")
        }
        if let healthPort, !(1...65535).contains(healthPort) {
            throw ValidationError("--health-port must be between 1 and 65535")
        }
    }

    /// `--instance`, or the host name: a container's or pod's host name is unique.
    private var instanceID: String {
        instance ?? ProcessInfo.processInfo.hostName
    }

    /// The --stop-exec or --stop-http command, if any.
    private func stopCommand() throws -> StopCommand? {
        switch (stopExec, stopHTTP) {
        case (nil, nil): return nil
        case (let command?, nil):
            guard !command.allSatisfy(\.isWhitespace) else { throw ValidationError("--stop-exec: give a command") }
            return .exec(command)
        case (nil, let request?):
            guard let command = StopCommand.http(request) else {
                throw ValidationError("--stop-http: write [METHOD] URL, like \"POST http://127.0.0.1:8080/shutdown\"")
            }
            return command
        case (_?, _?):
            throw ValidationError("give only one of --stop-exec and --stop-http")
        }
    }

    func run() throws {
        var options = AgentOptions(name: name, instance: instanceID, coordinators: coordinators, command: command)
        options.settings.stopSignal = SignalName.number(of: stopSignal)!
        options.settings.localStopTimeout = localStopTimeout
        options.settings.coordinatedStopTimeout = coordinatedStopTimeout
        options.settings.readiness = try readiness.probe()
        options.settings.stopCommand = try stopCommand()
        options.settings.acceptsLowerEpoch = acceptLowerEpoch
        options.health = healthPort.map { (healthHost, $0) }
        options.curve = try curve.credentials(to: coordinators, side: .agent) { $0.agentSecretKey(name) }
        let runtime = AgentRuntime(options: options, logger: logging.makeLogger("quiesce.agent.\(name)"))
        let exitCode: Int32
        do {
            exitCode = try runtime.run()
        } catch let failure as ListenFailure {
            // A setup error, found before the service was started.
            printError("agent \(name): \(failure)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        } catch {
            printError("agent \(name): \(error)")
            throw ExitCode.failure
        }
        throw ExitCode(exitCode)
    }
}
