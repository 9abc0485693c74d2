import Foundation
import QuiesceConfiguration
import QuiesceCore
import QuiesceTestSupport
import Testing
import Yams

/// Plays a demo of `compose/` without docker, as `docker compose up` and `docker compose down` would:
/// one network namespace per service and one per coordinator, every service reachable by its name,
/// the volumes as directories, the agent arguments of the compose file, and each coordinator reading
/// the demo's own compose file for the graph and the probes. Where an image would run its server
/// (`docker-entrypoint.sh postgres`, etcd), the player runs the same server from Debian's packages.
final class DemoPlayer {
    /// A compose service, as far as the player needs it.
    struct Service {
        var name: String
        /// The image's entrypoint and the service's command, as the container would run them.
        var arguments: [String]
        var environment: [String: String]
        /// Volume targets and the host paths standing in for them, longest target first.
        var mounts: [(target: String, source: String)]
        /// Compose's `working_dir`, as the container sees it.
        var workingDirectory: String?
        /// Managed by Quiesce: runs under an agent.
        var managed: Bool
        /// Run to its end before what depends on it starts (`condition: service_completed_successfully`).
        var isOneShot: Bool
        var isCoordinator: Bool { arguments.dropFirst().first == "coordinator" }
    }

    /// Whether this machine can play demos: network namespaces, and the servers the demos use.
    static let isAvailable: Bool =
        NetworkLab.isAvailable
        && ["/usr/sbin/nginx", "/usr/bin/redis-server", "/usr/bin/pg_isready", "/usr/bin/curl", "/usr/bin/setpriv"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        && postgresBinaries != nil

    let demo: URL
    let directory: URL
    let services: [Service]
    let lab: NetworkLab
    private(set) var processes: [String: ChildProcess] = [:]

    /// - Parameter name: the demo's folder under `compose/`.
    init(_ name: String) throws {
        demo = Self.repository.appendingPathComponent("compose/\(name)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let text = try String(contentsOf: demo.appendingPathComponent("compose.yaml"), encoding: .utf8)
        services = try Self.services(in: text, demo: demo, volumes: directory.appendingPathComponent("volumes"))
        lab = try NetworkLab(hosts: services.filter { !$0.isOneShot }.map(\.name))
        try lab.publishNames()
    }

    /// Kills what still runs and removes the namespaces and the directory.
    func tearDown() {
        for process in processes.values where process.isRunning {
            kill(-process.processIdentifier, SIGKILL)
            kill(process.processIdentifier, SIGKILL)
        }
        for pid in servicePIDs() { kill(pid, SIGKILL) }
        lab.tearDown()
        if ProcessInfo.processInfo.environment["QUIESCE_KEEP_TEST_DIRECTORIES"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    // MARK: Playing

    /// The coordinators' services, in the file's order: `coordinator`, or a leader and its standbys.
    var coordinators: [String] { services.filter(\.isCoordinator).map(\.name) }

    /// `docker compose up -d`: the one-shot services to completion, then the servers that are not
    /// managed (etcd), then every agent, then the coordinators (compose starts them last: they depend
    /// on every service). Returns the first coordinator; ``processes`` has every one by its name.
    func up() async throws -> ChildProcess {
        for service in services where service.isOneShot {
            let process = try launch(service, arguments: service.arguments, inNamespace: false)
            guard await Fleet.waitForExit(process, timeout: .seconds(120)) == 0 else {
                throw Fleet.FleetError(description: "one-shot service \(service.name) failed:\n\(output(service.name))")
            }
        }
        for service in services where !service.managed && !service.isOneShot && !service.isCoordinator {
            try prepare(service)
            processes[service.name] = try launch(
                service, arguments: try hostCommand(for: service.arguments, of: service))
        }
        for service in services where service.managed {
            try prepare(service)
            let separator = service.arguments.firstIndex(of: "--") ?? service.arguments.endIndex
            let command = try hostCommand(for: Array(service.arguments[(separator + 1)...]), of: service)
            processes[service.name] = try launch(service, arguments: Array(service.arguments[...separator]) + command)
        }
        for service in services where service.isCoordinator {
            var arguments = service.arguments
            if let compose = arguments.firstIndex(of: "--compose") {
                arguments[compose + 1] = try relocatedCompose(for: service).path
            }
            processes[service.name] = try launch(service, arguments: arguments + ["--json"])
        }
        guard let first = coordinators.first, let coordinator = processes[first] else {
            throw Fleet.FleetError(description: "the demo has no coordinator service")
        }
        return coordinator
    }

    /// The fleet's configuration, as the coordinator reads it from the demo's compose file.
    func configuration() throws -> Configuration {
        let file = demo.appendingPathComponent("compose.yaml").path
        return try ComposeImporter.load(yaml: try String(contentsOfFile: file, encoding: .utf8), file: file)
    }

    /// A coordinator's admin plane (`coordinator.admin_bind`), relocated as its directory is; the
    /// first coordinator's by default.
    func adminEndpoint(of name: String? = nil) throws -> String? {
        guard let coordinator = services.first(where: { $0.isCoordinator && (name == nil || $0.name == name) }),
            let bind = try configuration().coordinator.adminBind
        else {
            return nil
        }
        return "ipc://" + map(String(bind.dropFirst("ipc://".count)), for: coordinator)
    }

    // MARK: Evidence

    /// What `service` (its agent and the process under it) wrote to stdout and stderr.
    func output(_ service: String) -> String {
        ["out", "err"].map { (try? String(contentsOf: log(service, $0), encoding: .utf8)) ?? "" }.joined()
    }

    /// A coordinator's JSON report: its whole stdout, which `--json` makes one JSON document.
    func report(of coordinator: String = "coordinator") throws -> [String: Any] {
        let text = (try? String(contentsOf: log(coordinator, "out"), encoding: .utf8)) ?? ""
        guard let report = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Fleet.FleetError(description: "\(coordinator)'s stdout is not one JSON document:\n\(text)")
        }
        return report
    }

    /// The pids of the services' processes that are still alive, from the agents' logs.
    func servicePIDs() -> [pid_t] {
        services.filter(\.managed).flatMap { service in
            output(service.name).split(separator: "\n").filter { $0.contains("Service started") }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("pid=") }.flatMap { pid_t($0.dropFirst(4)) }
            }
        }.filter { kill($0, 0) == 0 }
    }

    // MARK: Services

    /// The repository's root, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The bin directory of Debian's newest PostgreSQL.
    static let postgresBinaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).max().map { "\(root)/\($0)/bin" }
    }()

    /// Reads the compose file's services: the image's entrypoint (by build target) with the command,
    /// the environment, the volumes and the working directory, and which ones run to their end.
    static func services(in text: String, demo: URL, volumes: URL) throws -> [Service] {
        guard let root = try Yams.load(yaml: text) as? [String: Any], let declared = root["services"] as? [String: Any]
        else {
            throw Fleet.FleetError(description: "\(demo.path)/compose.yaml has no services")
        }
        let order = try Yams.compose(yaml: text)?["services"]?.mapping?.keys.compactMap(\.string) ?? []
        let oneShots = Set(
            declared.values.flatMap { settings in
                ((settings as? [String: Any])?["depends_on"] as? [String: Any] ?? [:]).compactMap { name, condition in
                    (condition as? [String: Any])?["condition"] as? String == "service_completed_successfully"
                        ? name : nil
                }
            })
        return try order.map { name in
            let settings = declared[name] as? [String: Any] ?? [:]
            let target = (settings["build"] as? [String: Any])?["target"] as? String
            // A service built from compose/Dockerfile runs quiesce (the agent's image: quiesce agent); one
            // of an image as it is runs its command alone.
            let imageEntrypoint = target.map { $0 == "agent" ? ["quiesce", "agent"] : ["quiesce"] } ?? []
            let entrypoint = settings["entrypoint"] as? [String] ?? imageEntrypoint
            var environment: [String: String] = [:]
            if let mapping = settings["environment"] as? [String: Any] {
                for (key, value) in mapping { environment[key] = "\(value)" }
            } else if let list = settings["environment"] as? [String] {
                for entry in list {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    environment[parts[0]] = parts.count > 1 ? parts[1] : ""
                }
            }
            let mounts = try (settings["volumes"] as? [Any] ?? []).map { entry -> (target: String, source: String) in
                guard let text = entry as? String else {
                    throw Fleet.FleetError(description: "\(name): only short volume syntax is played")
                }
                let parts = text.split(separator: ":").map(String.init)
                let source =
                    parts[0].hasPrefix(".") || parts[0].hasPrefix("/")
                    ? demo.appendingPathComponent(parts[0]).standardizedFileURL.path
                    : volumes.appendingPathComponent(parts[0]).path
                return (parts[1], source)
            }
            let managed = (settings["x-quiesce"] as? Bool) != false
            return Service(
                name: name, arguments: entrypoint + (settings["command"] as? [String] ?? []), environment: environment,
                mounts: mounts.sorted { $0.target.count > $1.target.count },
                workingDirectory: settings["working_dir"] as? String, managed: managed,
                isOneShot: oneShots.contains(name))
        }
    }

    /// `value` with a volume's target replaced by the host path standing in for it, in each item of a
    /// comma-separated list (`--server-key A,B`).
    func map(_ value: String, for service: Service) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false).map { mapPath(String($0), for: service) }
            .joined(separator: ",")
    }

    private func mapPath(_ value: String, for service: Service) -> String {
        for mount in service.mounts where value == mount.target || value.hasPrefix(mount.target + "/") {
            return mount.source + value.dropFirst(mount.target.count)
        }
        for directory in Self.imageDirectories where value == directory || value.hasPrefix(directory + "/") {
            return imageDirectory(directory, of: service) + value.dropFirst(directory.count)
        }
        return value
    }

    /// Directories the demo images create that are not volumes (the coordinator's admin socket's),
    /// made under the player's directory, one for each service's container.
    static let imageDirectories = ["/run/quiesce"]

    private func imageDirectory(_ path: String, of service: Service) -> String {
        directory.appendingPathComponent("image-\(service.name)\(path)").path
    }

    /// Creates the volume and image directories the service uses.
    private func prepare(_ service: Service) throws {
        for mount in service.mounts where !FileManager.default.fileExists(atPath: mount.source) {
            try FileManager.default.createDirectory(atPath: mount.source, withIntermediateDirectories: true)
        }
        for directory in Self.imageDirectories {
            try FileManager.default.createDirectory(
                atPath: imageDirectory(directory, of: service), withIntermediateDirectories: true)
        }
    }

    /// What the service's image would run for `command`, from Debian's packages: the official images'
    /// entrypoints prepare and start their server; other commands run as they are.
    private func hostCommand(for command: [String], of service: Service) throws -> [String] {
        let command = command.map { map($0, for: service) }
        switch (command.first, command.dropFirst().first) {
        case ("docker-entrypoint.sh", "postgres"):
            let data = map("/var/lib/postgresql/data", for: service)
            let sockets = directory.appendingPathComponent("postgres-sockets").path
            try FileManager.default.createDirectory(atPath: sockets, withIntermediateDirectories: true)
            try NetworkLab.run(["/usr/bin/chown", "-R", "postgres:postgres", data, sockets])
            let asPostgres = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
            try NetworkLab.run(
                asPostgres + [
                    "\(Self.postgresBinaries!)/initdb", "--pgdata", data, "--username", "postgres", "--auth", "trust",
                ])
            return asPostgres + [
                "\(Self.postgresBinaries!)/postgres", "-D", data, "-c", "listen_addresses=*", "-c",
                "unix_socket_directories=\(sockets)",
            ]
                + command.dropFirst(2)
        case ("docker-entrypoint.sh", "redis-server"):
            return ["redis-server"] + command.dropFirst(2) + [
                "--protected-mode", "no", "--dir", map("/data", for: service),
            ]
        case ("/docker-entrypoint.sh", "nginx"):
            return ["nginx", "-c", map("/etc/nginx/nginx.conf", for: service)] + command.dropFirst(2)
        case ("/usr/local/bin/etcd", _):
            return [LocalEtcd.binary ?? "/usr/bin/etcd"] + command.dropFirst()
        default:
            return command
        }
    }

    /// A copy of the compose file for a coordinator, with the paths of its volumes and image
    /// directories relocated; the graph, probes and settings are the file's own.
    private func relocatedCompose(for coordinator: Service) throws -> URL {
        try prepare(coordinator)
        var text = try String(contentsOf: demo.appendingPathComponent("compose.yaml"), encoding: .utf8)
        let targets = coordinator.mounts.map(\.target) + Self.imageDirectories
        for target in targets.sorted(by: { $0.count > $1.count }) {
            // Only whole paths in values: after a space, a quote or ipc://, and followed by / or the end.
            let pattern =
                #"(?<=[\s"'\[]|ipc://)"# + NSRegularExpression.escapedPattern(for: target) + #"(?=[/\s"',\]]|$)"#
            let expression = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
            let replacement = NSRegularExpression.escapedTemplate(for: map(target, for: coordinator))
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
        }
        let url = directory.appendingPathComponent("compose-\(coordinator.name).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts `arguments` for `service` (`quiesce` is the binary under test), in its namespace.
    private func launch(_ service: Service, arguments: [String], inNamespace: Bool = true) throws -> ChildProcess {
        let arguments = arguments.map { $0 == "quiesce" ? Fleet.binary.path : map($0, for: service) }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: inNamespace ? "/usr/sbin/ip" : "/usr/bin/env")
        // Compose's working_dir, entered by env(1) in the namespace, before the command.
        let workingDirectory = service.workingDirectory.map { ["/usr/bin/env", "--chdir=\(map($0, for: service))"] }
        process.arguments =
            (inNamespace ? lab.placement(service.name) : []).dropFirst() + (workingDirectory ?? []) + arguments
        var environment = service.environment.mapValues { map($0, for: service) }
        environment["PATH"] =
            Fleet.binary.deletingLastPathComponent().path
            + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log(service.name, "out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: log(service.name, "err").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log(service.name, "out"))
        process.standardError = try FileHandle(forWritingTo: log(service.name, "err"))
        try ProcessExit.start(process)
        return process
    }

    private func log(_ service: String, _ stream: String) -> URL {
        directory.appendingPathComponent("logs/\(service).\(stream)")
    }
}
