import Foundation
import QuiesceConfiguration
import QuiesceCore
import QuiesceRuntime
import QuiesceTestSupport
// The one port picker of the test targets; exported, so that every test of this target sees it.
@_exported import QuiesceTestSupport
import Testing
import ZeroMQ

/// A real fleet on loopback for one test: the `quiesce` binary as coordinator and agents, each agent
/// wrapping a shell-script service that records `started`, `stop-begin` and `stop-end` timestamps.
final class Fleet {
    let directory: URL
    let endpoint: String
    private(set) var coordinator: ChildProcess?
    private(set) var agents: [String: ChildProcess] = [:]
    /// Whether the fleet's file is a docker compose file, given with `--compose` instead of `--config`.
    let compose: Bool
    /// The fleet's file.
    var configPath: URL { directory.appendingPathComponent(compose ? "compose.yaml" : "quiesce.yaml") }
    var timelinePath: URL { directory.appendingPathComponent("timeline.log") }

    /// The `quiesce` executable built beside the test bundle.
    static let binary: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("quiesce").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("quiesce")
    }()

    /// Processes run inside these network namespaces, by participant name ("coordinator" or a
    /// service), when the fleet spans the hosts of a ``NetworkLab``.
    private let placement: [String: [String]]

    /// - Parameters:
    ///   - endpoint: the coordinator's endpoint; a free loopback port when `nil`.
    ///   - placement: a command prefix per participant, such as `ip netns exec HOST`.
    /// `QUIESCE_TEST_SECURITY=1` runs every fleet with CURVE keys (the test command does so once for
    /// the integration suites): a security block, a key per service and one for the operator.
    static let secureByDefault = ProcessInfo.processInfo.environment["QUIESCE_TEST_SECURITY"] == "1"

    /// The keys directory when the fleet runs with security.
    private var keys: String?

    /// Whether the coordinator, agents and commands this fleet runs without keys on a `tcp://`
    /// endpoint are given `--insecure`, which plain TCP needs; tests of that refusal turn it off.
    var addsInsecure = true

    /// - Parameters:
    ///   - endpoint: the coordinator's endpoint; a free loopback port when `nil`.
    ///   - placement: a command prefix per participant, such as `ip netns exec HOST`.
    ///   - secure: add CURVE keys and a security block (unless the configuration has its own).
    ///   - compose: `config` is a docker compose file; the security block goes under its `x-quiesce:`.
    init(
        config: String, endpoint: String? = nil, placement: [String: [String]] = [:],
        secure: Bool = Fleet.secureByDefault,
        compose: Bool = false
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.endpoint = try endpoint ?? "tcp://127.0.0.1:\(FreePort.pick())"
        self.placement = placement
        self.compose = compose
        var config = config
        let load = compose ? ComposeImporter.load : ConfigurationLoader.load
        if secure, !config.contains("security:"), let services = try? load(config, "test").graph.names {
            let keys = directory.appendingPathComponent("keys").path
            try CurveCertificate.write(try CurveKeyPair.generate(), name: "coordinator", to: keys)
            try CurveCertificate.write(try CurveKeyPair.generate(), name: "operator", to: keys + "/operators")
            for service in services {
                try CurveCertificate.write(try CurveKeyPair.generate(), name: service, to: keys + "/agents")
            }
            let block =
                "security:\n  server_key: \(keys)/coordinator.key_secret\n  agents_dir: \(keys)/agents\n  admins: [\(keys)/operators/operator.key]\n"
            config = compose ? Self.adding(block, underExtensionOf: config) : config + "\n" + block
            self.keys = keys
        }
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        try Self.serviceScript.write(
            to: directory.appendingPathComponent("service.sh"), atomically: true, encoding: .utf8)
    }

    /// `compose` with `block` added to its top-level `x-quiesce:`, which is made if it has none.
    private static func adding(_ block: String, underExtensionOf compose: String) -> String {
        let nested = block.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        let text = "\n" + compose
        guard let extensionLine = text.range(of: "\nx-quiesce:\n") else { return compose + "\nx-quiesce:\n" + nested }
        return String(text.replacingCharacters(in: extensionLine, with: "\nx-quiesce:\n" + nested).dropFirst())
    }

    /// Kills whatever is still running (the test failed) and removes the directory.
    func tearDown() {
        for process in [coordinator].compactMap({ $0 }) + agents.values where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        for pid in servicePIDs() { kill(pid, SIGKILL) }
        if ProcessInfo.processInfo.environment["QUIESCE_KEEP_TEST_DIRECTORIES"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    // MARK: Processes

    @discardableResult
    func startCoordinator(extraArguments: [String] = ["--json"]) async throws -> ChildProcess {
        let process = try launch(
            ["coordinator", compose ? "--compose" : "--config", configPath.path, "--bind", endpoint]
                + extraArguments, log: "coordinator",
            prefix: placement["coordinator"] ?? [])
        coordinator = process
        // A SIGTERM sent before the coordinator watches for it would end it by the default action
        // instead of shutting the fleet down: wait until it listens (or has exited, for tests of
        // refused configurations).
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, !output("coordinator.err").contains("Coordinator listening"),
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process
    }

    /// Starts an agent for `name` whose service takes `stopDelay` seconds to stop after SIGTERM, or
    /// ignores SIGTERM altogether.
    @discardableResult
    func startAgent(_ name: String, stopDelay: Double = 0.1, ignoresTerm: Bool = false, extraArguments: [String] = [])
        throws -> ChildProcess
    {
        let script = directory.appendingPathComponent("service.sh").path
        let process = try launch(
            ["agent", "--name", name, "--coordinator", endpoint] + extraArguments
                + [
                    "--", "/bin/sh", script, name, String(stopDelay), ignoresTerm ? "ignore" : "obey",
                    timelinePath.path,
                ],
            log: "agent-\(name)", prefix: placement[name] ?? [])
        agents[name] = process
        return process
    }

    /// Starts an agent for instance `instance` of `service`, whose service records itself as
    /// `SERVICE/INSTANCE` in the timeline and takes `stopDelay` seconds to stop after SIGTERM; or
    /// that runs `command` instead, with `agentFlags` (readiness checks) before it.
    @discardableResult
    func startInstance(
        _ service: String, _ instance: String, stopDelay: Double = 0.1, command: [String]? = nil,
        agentFlags: [String] = []
    ) throws -> ChildProcess {
        let label = "\(service)/\(instance)"
        let script = directory.appendingPathComponent("service.sh").path
        let process = try launch(
            ["agent", "--name", service, "--instance", instance, "--coordinator", endpoint] + agentFlags + ["--"]
                + (command ?? ["/bin/sh", script, label, String(stopDelay), "obey", timelinePath.path]),
            log: "agent-\(service)-\(instance)", prefix: placement[service] ?? [])
        agents[label] = process
        return process
    }

    /// Starts the coordinator and one agent per service (name and stop delay, in that order), and waits
    /// until every service has started.
    func up(_ services: KeyValuePairs<String, Double>) async throws -> ChildProcess {
        let coordinator = try await startCoordinator()
        for (name, stopDelay) in services { try startAgent(name, stopDelay: stopDelay) }
        await waitUntilStarted(services.map(\.key))
        return coordinator
    }

    /// Sends SIGTERM to the coordinator and returns its exit code (`nil` if it hung).
    func shutDown(_ coordinator: ChildProcess, timeout: Duration = .seconds(30)) async -> Int32? {
        kill(coordinator.processIdentifier, SIGTERM)
        return await waitForExit(coordinator, timeout: timeout)
    }

    /// Starts an agent for `name` wrapping an arbitrary command.
    @discardableResult
    func startAgent(_ name: String, command: [String], agentFlags: [String] = []) throws -> ChildProcess {
        let process = try launch(
            ["agent", "--name", name, "--coordinator", endpoint] + agentFlags + ["--"] + command, log: "agent-\(name)")
        agents[name] = process
        return process
    }

    /// Runs `quiesce arguments` to its end (two minutes at most, a hang guard), its output in `log`.
    func run(_ arguments: [String], log: String) async throws -> ChildProcess {
        let process = try start(arguments, log: log)
        _ = await waitForExit(process, timeout: .seconds(120))
        return process
    }

    /// Starts `quiesce arguments`, an operator's command, with the operator's keys when the fleet has
    /// them; its output in `log`; inside `prefix` (such as ``NetworkLab/placement(_:)``) when given.
    func start(_ arguments: [String], log: String, prefix: [String] = []) throws -> ChildProcess {
        var arguments = arguments
        if let keys, ["status", "shutdown", "stop", "start", "restart", "events"].contains(arguments.first) {
            arguments += ["--key", "\(keys)/operators/operator.key_secret", "--server-key", "\(keys)/coordinator.key"]
        }
        return try launch(arguments, log: log, prefix: prefix)
    }

    /// `--key` and `--server-key` for the agent of `service`, when its key exists.
    private func credentials(forAgent service: String, keys: String) -> [String] {
        let secret = "\(keys)/agents/\(service).key_secret"
        guard FileManager.default.fileExists(atPath: secret) else { return [] }
        return ["--key", secret, "--server-key", "\(keys)/coordinator.key"]
    }

    private func launch(_ arguments: [String], log: String, prefix: [String] = []) throws -> ChildProcess {
        var arguments = arguments
        if let keys, arguments.first == "agent", !arguments.contains("--key"),
            let name = arguments.firstIndex(of: "--name").map({ arguments[$0 + 1] }),
            let terminator = arguments.firstIndex(of: "--")
        {
            arguments.insert(contentsOf: credentials(forAgent: name, keys: keys), at: terminator)
        }
        if addsInsecure, let insecure = insecureFlagPosition(in: arguments) {
            arguments.insert("--insecure", at: insecure)
        }
        let process = ChildProcess()
        if prefix.isEmpty {
            process.executableURL = Self.binary
            process.arguments = arguments
        } else {
            // `ip netns exec` enters the namespace and then executes the binary in place: same pid.
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [Self.binary.path] + arguments
        }
        process.standardOutput = try FileHandle(forWritingTo: create(log + ".out"))
        process.standardError = try FileHandle(forWritingTo: create(log + ".err"))
        try ProcessExit.start(process)
        return process
    }

    /// Where `--insecure` goes in `arguments` when they run a plain participant on a `tcp://`
    /// endpoint: the coordinator of a fleet without keys, or an agent or a command given no key.
    private func insecureFlagPosition(in arguments: [String]) -> Int? {
        let participants = ["coordinator", "agent", "status", "shutdown", "stop", "start", "restart", "events"]
        guard let command = arguments.first, participants.contains(command),
            !arguments.contains("--key"), !arguments.contains("--keys"), !arguments.contains("--insecure")
        else { return nil }
        let endpoint =
            command == "coordinator"
            ? (keys == nil ? endpoint : nil) : arguments.firstIndex(of: "--coordinator").map { arguments[$0 + 1] }
        guard let endpoint, endpoint.hasPrefix("tcp://") else { return nil }
        return arguments.firstIndex(of: "--") ?? arguments.endIndex
    }

    /// An empty file `name` in the fleet's directory, for a process's output.
    func outputFile(_ name: String) -> URL {
        create(name)
    }

    private func create(_ name: String) -> URL {
        let url = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    func output(_ log: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(log), encoding: .utf8)) ?? ""
    }

    // MARK: Waiting

    /// Waits for `process` to exit, failing the test (and killing it) after `timeout`: a hang guard only.
    func waitForExit(
        _ process: ChildProcess, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
    ) async -> Int32? {
        await Self.waitForExit(process, timeout: timeout, sourceLocation: sourceLocation)
    }

    /// ``waitForExit(_:timeout:sourceLocation:)`` for any process started by ``ProcessExit/start(_:)``.
    /// A process killed after the timeout has ended (and been reaped) when this returns.
    static func waitForExit(
        _ process: ChildProcess, timeout: Duration, sourceLocation: SourceLocation = #_sourceLocation
    )
        async -> Int32?
    {
        let exit = ProcessExit.of(process)
        if let status = await exit.status(within: timeout) { return status }
        Issue.record(
            "process \(process.arguments?.prefix(3).joined(separator: " ") ?? "") still running after \(timeout)",
            sourceLocation: sourceLocation)
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.status(within: .seconds(30))
        return nil
    }

    /// Waits until `condition` holds, or records an issue after `timeout`.
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async -> Bool
    ) async {
        await Self.waitUntil(what, timeout: timeout, sourceLocation: sourceLocation, condition)
    }

    /// ``waitUntil(_:timeout:sourceLocation:_:)`` without a fleet.
    static func waitUntil(
        _ what: String, timeout: Duration, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async -> Bool
    ) async {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()) {
            if ContinuousClock.now > deadline {
                Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until every named service has recorded `started`.
    func waitUntilStarted(_ names: [String]) async {
        await waitUntil("\(names) started") {
            Set(names).isSubset(of: Set(timeline().filter { $0.event == "started" }.map(\.service)))
        }
    }

    // MARK: Evidence

    struct Event: Equatable {
        var time: Double
        var service: String
        var event: String
    }

    /// What the services recorded, in file order.
    func timeline() -> [Event] {
        output("timeline.log").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 4, let time = Double(parts[0]) else { return nil }
            return Event(time: time, service: String(parts[1]), event: String(parts[2]))
        }
    }

    /// The time `service` recorded `event`.
    func time(_ service: String, _ event: String) -> Double? {
        timeline().first { $0.service == service && $0.event == event }?.time
    }

    /// The pids of service processes that are still alive.
    func servicePIDs() -> [Int32] {
        output("timeline.log").split(separator: "\n").compactMap { line -> Int32? in
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[2] == "started", let pid = Int32(parts[3]) else { return nil }
            return kill(pid, 0) == 0 ? pid : nil
        }
    }

    /// What the coordinator printed as progress: on stdout in text, on stderr (beside its logs) with
    /// `--json`, which the fleet's coordinator is given unless a test says otherwise.
    func coordinatorProgress() -> String {
        output("coordinator.out") + output("coordinator.err")
    }

    /// The coordinator's JSON report: its whole stdout, which `--json` makes one JSON document.
    func report() throws -> [String: Any] {
        let text = output("coordinator.out")
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw FleetError(description: "coordinator's stdout is not one JSON document:\n\(text)")
        }
        return json
    }

    /// The report's entry for `service`.
    func reportEntry(_ service: String) throws -> [String: Any] {
        let services = try report()["services"] as? [[String: Any]] ?? []
        guard let entry = services.first(where: { $0["service"] as? String == service }) else {
            throw FleetError(description: "no report entry for \(service)")
        }
        return entry
    }

    struct FleetError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts an agent for `name` whose service opens `port` on 127.0.0.1 only after `openDelay`
    /// seconds (recording `listening` then), answering HTTP when `http` is set. Extra agent flags
    /// (readiness probes) come before the command.
    @discardableResult
    func startListeningAgent(
        _ name: String, port: Int, openDelay: Double, http: Bool = false, agentFlags: [String] = []
    ) throws -> ChildProcess {
        let script = directory.appendingPathComponent("listener.py")
        try Self.listenerScript.write(to: script, atomically: true, encoding: .utf8)
        return try startAgent(
            name,
            command: [
                "python3", script.path, name, String(openDelay), String(port), http ? "http" : "tcp", timelinePath.path,
            ],
            agentFlags: agentFlags)
    }

    /// `listener.py NAME OPEN_DELAY PORT tcp|http TIMELINE`
    static let listenerScript = """
        import http.server, os, signal, socket, sys, time
        name, delay, port, kind, log = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        def record(event):
            with open(log, "a") as f:
                f.write("%.6f %s %s %d\\n" % (time.time(), name, event, os.getpid()))
        def stop(*_):
            record("stop-begin"); record("stop-end"); os._exit(0)
        signal.signal(signal.SIGTERM, stop)
        record("started")
        time.sleep(delay)
        if kind == "http":
            class Health(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(("127.0.0.1", port), Health)
            record("listening")
            server.serve_forever()
        listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port)); listener.listen(16)
        record("listening")
        while True:
            connection, _ = listener.accept(); connection.close()
        """

    /// `service.sh NAME STOP_DELAY obey|ignore TIMELINE`: records its lifecycle with its pid.
    static let serviceScript = """
        name=$1; delay=$2; mode=$3; log=$4
        record() { echo "$(date +%s.%N) $name $1 $$" >> "$log"; }
        if [ "$mode" = ignore ]; then
          trap 'record stop-begin' TERM
        else
          trap 'record stop-begin; sleep "$delay"; record stop-end; exit 0' TERM
        fi
        record started
        while true; do sleep 0.02; done
        """
}
