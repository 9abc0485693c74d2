import Foundation
import Testing

/// Plain TCP, loopback included, only with `--insecure`, on every side; one command makes a fleet's
/// keys, and a fleet run with them keeps other users of the host out.
@Suite("Secure by default", .serialized)
struct SecureDefaultTests {
    static let graph = """
        defaults: { stop_timeout: 5s }
        services:
          database: {}
          api: { depends_on: [database] }
        """

    /// A plain fleet of database and api whose participants are given no `--insecure` by the fleet.
    static func plainFleet() throws -> Fleet {
        let fleet = try Fleet(config: graph, secure: false)
        fleet.addsInsecure = false
        return fleet
    }

    @Test("A coordinator without keys on loopback refuses to start without --insecure, saying what plain mode allows")
    func plainCoordinatorRefused() async throws {
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        #expect(await fleet.waitForExit(coordinator) == 78)
        let errors = fleet.output("coordinator.err")
        #expect(
            errors.contains("coordinator: refusing to listen on \(fleet.endpoint) without keys: any user of this host"))
        #expect(errors.contains("quiesce keygen --fleet FILE --out keys"))
        #expect(!errors.contains("Coordinator listening"))
    }

    @Test("An agent and every command refuse plain TCP without --insecure, and the agent starts nothing")
    func plainClientsRefused() async throws {
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let agent = try fleet.startAgent("database")
        #expect(await fleet.waitForExit(agent) == 78)
        #expect(
            fleet.output("agent-database.err").contains("agent: refusing to connect to \(fleet.endpoint) without keys"))
        #expect(fleet.timeline().isEmpty, "the agent spawned its service")
        for command in [["status"], ["shutdown"], ["stop", "api"], ["start", "api"], ["restart", "api"]] {
            let process = try await fleet.run(command + ["--coordinator", fleet.endpoint], log: command[0])
            #expect(process.terminationStatus == 78, "\(command)")
            #expect(
                fleet.output("\(command[0]).err").contains("\(command[0]): refusing to connect to \(fleet.endpoint)"),
                "\(command)")
        }
    }

    @Test("With --insecure a plain fleet warns in one line on each side, then starts and stops in order")
    func insecureWarns() async throws {
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--insecure"])
        try fleet.startAgent("database", extraArguments: ["--insecure"])
        try fleet.startAgent("api", extraArguments: ["--insecure"])
        await fleet.waitUntilStarted(["database", "api"])
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--insecure"], log: "status")
        #expect(status.terminationStatus == 0)
        let warning = "warning: --insecure: \(fleet.endpoint) is used without keys"
        for log in ["coordinator.err", "agent-database.err", "status.err"] {
            #expect(fleet.output(log).components(separatedBy: warning).count == 2, "\(log)")
        }
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test(
        "Without keys an ipc:// socket in a directory only its user can open needs no --insecure; in 0755 it is refused"
    )
    func privateSocketDirectory() async throws {
        let socketDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-ipc-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(
            atPath: socketDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let fleet = try Fleet(config: Self.graph, endpoint: "ipc://\(socketDirectory)/fleet.sock", secure: false)
        defer { fleet.tearDown() }
        fleet.addsInsecure = false
        let refused = try await fleet.startCoordinator()
        #expect(await fleet.waitForExit(refused) == 78)
        #expect(
            fleet.output("coordinator.err").contains(
                "\(socketDirectory): the socket's directory may be opened by group or others (mode 0755)"))

        #expect(chmod(socketDirectory, 0o700) == 0)
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint], log: "status")
        #expect(status.terminationStatus == 0, "\(fleet.output("status.err"))")
        #expect(!fleet.output("coordinator.err").contains("--insecure"))
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test("keygen --fleet writes every key with its mode, and a fleet run with --keys starts and stops in order")
    func fleetKeys() async throws {
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let keys = fleet.directory.appendingPathComponent("keys").path
        let keygen = try await fleet.run(["keygen", "--fleet", fleet.configPath.path, "--out", keys], log: "keygen")
        #expect(keygen.terminationStatus == 0, "\(fleet.output("keygen.err"))")
        let expected: [(String, Int)] = [
            ("", 0o700), ("agents", 0o700), ("secrets", 0o700), ("coordinator.key", 0o644),
            ("coordinator.key_secret", 0o600), ("admin.key", 0o644), ("admin.key_secret", 0o600),
            ("agents/database.key", 0o644), ("agents/api.key", 0o644), ("secrets/database.key_secret", 0o600),
            ("secrets/api.key_secret", 0o600),
        ]
        for (file, mode) in expected {
            let attributes = try FileManager.default.attributesOfItem(atPath: keys + "/" + file)
            #expect(attributes[.posixPermissions] as? Int == mode, "\(file)")
        }
        let printed = fleet.output("keygen.out")
        #expect(printed.contains("security:\n  server_key: \"\(keys)/coordinator.key_secret\""))
        #expect(printed.contains("--keys \(keys)"))
        let again = try await fleet.run(["keygen", "--fleet", fleet.configPath.path, "--out", keys], log: "again")
        #expect(again.terminationStatus != 0, "keygen replaced existing keys")

        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--keys", keys])
        try fleet.startAgent("database", extraArguments: ["--keys", keys])
        try fleet.startAgent("api", extraArguments: ["--keys", keys])
        await fleet.waitUntilStarted(["database", "api"])
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--keys", keys], log: "status")
        #expect(status.terminationStatus == 0)
        #expect(fleet.output("status.out").contains("ready"))
        #expect(!fleet.output("coordinator.err").contains("--insecure"))
        let shutdown = try await fleet.run(
            ["shutdown", "--coordinator", fleet.endpoint, "--keys", keys], log: "shutdown")
        #expect(shutdown.terminationStatus == 0, "\(fleet.output("shutdown.err"))")
        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test("A keys directory whose coordinator.key path is 40 characters long, like a key, is read as a file")
    func fortyCharacterPath() async throws {
        let letters = "abcdefghijklmnopqrstuvwxyz0123456789"
        let keys = "/tmp/qsc-keys-" + String((0..<10).map { _ in letters.randomElement()! })
        defer { try? FileManager.default.removeItem(atPath: keys) }
        #expect((keys + "/coordinator.key").count == 40)
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let keygen = try await fleet.run(["keygen", "--fleet", fleet.configPath.path, "--out", keys], log: "keygen")
        #expect(keygen.terminationStatus == 0)
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--keys", keys])
        try fleet.startAgent("database", extraArguments: ["--keys", keys])
        try fleet.startAgent("api", extraArguments: ["--keys", keys])
        await fleet.waitUntilStarted(["database", "api"])
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--keys", keys], log: "status")
        #expect(status.terminationStatus == 0, "\(fleet.output("status.err"))")
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test(
        "Another user of the host cannot shut a fleet made with keygen --fleet down, and the fleet stops in order",
        .enabled(if: ThrowawayUser.isAvailable, "needs root, setpriv and useradd to act as another user"))
    func otherUserRefused() async throws {
        let user = try ThrowawayUser.create()
        defer { user.delete() }
        let fleet = try Self.plainFleet()
        defer { fleet.tearDown() }
        let keys = fleet.directory.appendingPathComponent("keys").path
        let keygen = try await fleet.run(["keygen", "--fleet", fleet.configPath.path, "--out", keys], log: "keygen")
        #expect(keygen.terminationStatus == 0)
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--json", "--keys", keys])
        try fleet.startAgent("database", extraArguments: ["--keys", keys])
        try fleet.startAgent("api", extraArguments: ["--keys", keys])
        await fleet.waitUntilStarted(["database", "api"])

        // Without keys the command refuses plain TCP itself; with --insecure the CURVE handshake fails
        // and the coordinator does not answer (69); the fleet's keys are in a directory the user cannot
        // open, a setup error (78).
        let attempts: [(arguments: [String], status: Int32)] = [
            (["shutdown", "--coordinator", fleet.endpoint], 78),
            (["shutdown", "--coordinator", fleet.endpoint, "--insecure", "--timeout", "2s"], 69),
            (["shutdown", "--coordinator", fleet.endpoint, "--keys", keys, "--timeout", "2s"], 78),
        ]
        for attempt in attempts {
            let result = try user.run([Fleet.binary.path] + attempt.arguments)
            #expect(result.status == attempt.status, "\(attempt.arguments): \(result.errors)")
            #expect(coordinator.isRunning, "\(attempt.arguments) shut the fleet down")
        }
        #expect(fleet.servicePIDs().count == 2)
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }
}
