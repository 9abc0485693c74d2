import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceConfiguration
import QuiesceCoordinator
import QuiesceCore
import QuiesceRuntime

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check a fleet's file for everything the coordinator would refuse, and warn of what would not work as meant.",
        discussion: """
            Checks the file (a Quiesce file for --config, a compose file for --compose, each told \
            from the other), the endpoint it binds, whether it may listen without keys, the key \
            files of its security: block (or of --keys DIR), its state and admin socket directories; \
            then warns of a shutdown_timeout shorter than the shutdown's worst case, 0s timeouts, and \
            compose keys that undo the order (restart: always, stop_signal). links, volumes_from and \
            network_mode: service: order services as depends_on does. No network.

            Exit codes: 0 the coordinator would accept it (warnings are printed); 78 it would refuse \
            it; 1 with --strict, when there are warnings.
            """
    )

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Check the keys the coordinator would be given with --keys DIR (default: $QUIESCE_KEYS).",
            valueName: "dir"))
    var keys: String?

    @Flag(help: "Check as for a coordinator given --insecure: listening without keys on tcp:// is then allowed.")
    var insecure = false

    @Flag(help: "Exit with 1 when there are warnings.")
    var strict = false

    @OptionGroup(title: "Output") var output: OutputOptions

    /// `quiesce validate --json`.
    struct Document: Encodable {
        struct Finding: Encodable {
            var line: Int?
            var message: String
        }

        var file: String
        var valid: Bool
        var errors: [Finding]
        var warnings: [Finding]
    }

    func run() throws {
        let (path, parse) = try fleetFile.chosenFile()
        var errors: [ConfigurationIssue] = []
        var warnings: [ConfigurationIssue] = []
        if let data = FileManager.default.contents(atPath: path) {
            do {
                let configuration = try parse(String(decoding: data, as: UTF8.self), path)
                errors = check(configuration)
                warnings = ConfigurationReview.warnings(for: configuration)
            } catch {
                errors = error.issues
            }
        } else {
            errors = [
                ConfigurationIssue(line: nil, message: "cannot read the file; check the path and its permissions")
            ]
        }
        let finding = { (issue: ConfigurationIssue) in Document.Finding(line: issue.line, message: issue.message) }
        let document = Document(
            file: path, valid: errors.isEmpty, errors: errors.map(finding), warnings: warnings.map(finding))
        OutputPrinter(format: output.format).document(document, kind: "validation") {
            let prefix = { (issue: ConfigurationIssue) in "\(path):" + (issue.line.map { "\($0):" } ?? "") }
            let lines =
                errors.map { "\(prefix($0)) \($0.message)" }
                + warnings.map { ConfigurationFile.warningLine($0, in: path) }
            let verdict =
                errors.isEmpty
                ? "\(path): valid" + (warnings.isEmpty ? "" : ", with \(Self.count(warnings.count, "warning"))")
                : "\(path): the coordinator would refuse it (\(Self.count(errors.count, "problem")))"
            return (lines + [verdict]).joined(separator: "\n")
        }
        if !errors.isEmpty { throw ExitCode(CoordinatorExitCode.invalidConfiguration) }
        if strict && !warnings.isEmpty { throw ExitCode.failure }
    }

    /// `1 warning`, `2 warnings`.
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// What the coordinator would refuse of a file that parsed: its endpoint, listening without
    /// keys, its key files, its directories.
    private func check(_ configuration: Configuration) -> [ConfigurationIssue] {
        var problems: [String] = []
        let bind = configuration.coordinator.bind
        if let problem = EndpointSyntax.problem(in: bind) {
            problems.append(EndpointSyntax.message(for: bind, problem: problem, option: "coordinator.bind"))
        }
        var security = configuration.security
        if let directory = EnvironmentDefault.value(keys, orVariable: EnvironmentDefault.keys) {
            if security != nil {
                problems.append("give --keys or a security: block in the configuration, not both")
            }
            security = FleetKeys(directory: directory).securitySettings
        }
        if let security {
            do {
                _ = try Authenticator(settings: security, services: configuration.graph.names)
            } catch {
                problems.append(SetupFailure.describe(error))
            }
        } else if case .refused(let reason) = PlainConnection.check(bind, side: .coordinator, insecure: insecure) {
            problems.append(reason)
        }
        let directories = [
            configuration.coordinator.stateDirectory.map { ($0, "the state directory (coordinator.state_dir)") },
            configuration.coordinator.adminBind.map {
                let directory = (String($0.dropFirst("ipc://".count)) as NSString).deletingLastPathComponent
                return (directory.isEmpty ? "." : directory, "the admin socket's directory (coordinator.admin_bind)")
            },
        ].compactMap { $0 }
        for (path, role) in directories where FileManager.default.fileExists(atPath: path) {
            do {
                try FilePermissions.check(path, as: .directory(role))
            } catch {
                problems.append(error.description)
            }
        }
        return problems.map { ConfigurationIssue(line: nil, message: $0) }
    }
}
