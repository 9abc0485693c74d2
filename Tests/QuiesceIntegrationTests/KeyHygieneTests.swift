import Foundation
import QuiesceRuntime
import Testing

/// Key files, key and state directories and the admin socket's directory that another user could
/// read or change are refused, as ssh refuses them, with the command that fixes them; once fixed, the
/// fleet starts and stops in order.
@Suite("Key and directory hygiene", .serialized)
struct KeyHygieneTests {
    private static func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    /// Runs `body` with a fleet of ``SecurityTests/securedFleet()`` and its keys, both removed after.
    private static func withSecuredFleet(_ body: (Fleet, String) async throws -> Void) async throws {
        let (fleet, keys) = try await SecurityTests.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        try await body(fleet, keys)
    }

    /// Runs the fleet of ``SecurityTests/securedFleet()`` to its end: both services start, an admin
    /// shuts it down, and api stops before database.
    private static func expectStartsAndStopsInOrder(_ fleet: Fleet, keys: String) async throws {
        let coordinator = try await SecurityTests.up(fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1)
        let shutdown = try await fleet.run(
            ["shutdown", "--coordinator", fleet.endpoint]
                + SecurityTests.credentials(keys, "alice", folder: "operators"),
            log: "shutdown")
        #expect(shutdown.terminationStatus == 0)
        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    /// Starts the coordinator, which must refuse to run: exit code 78 and `message` on its stderr.
    private static func expectCoordinatorRefuses(_ fleet: Fleet, saying message: String) async throws {
        let coordinator = try await fleet.startCoordinator()
        #expect(await fleet.waitForExit(coordinator) == 78)
        #expect(fleet.output("coordinator.err").contains(message), "\(fleet.output("coordinator.err"))")
        #expect(!fleet.output("coordinator.err").contains("Coordinator listening"))
    }

    @Test("keygen writes the secret key 0600 and the public key 0644, even under a umask of 000")
    func keygenModes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keygen = try await CommandResult.run(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "umask 000 && exec \"$0\" keygen api --out \"$1\"", Fleet.binary.path, directory])
        #expect(keygen.status == 0)
        #expect(try Self.mode(directory + "/api.key_secret") == 0o600)
        #expect(try Self.mode(directory + "/api.key") == 0o644)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["api.key", "api.key_secret"])
    }

    @Test("A server secret key others may read is refused at start with exit code 78 and the fix")
    func looseServerKey() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let secret = "\(keys)/coordinator.key_secret"
            #expect(chmod(secret, 0o644) == 0)
            try await Self.expectCoordinatorRefuses(
                fleet,
                saying: "\(secret): the secret key is readable by group and others (mode 0644); run chmod 600 \(secret)"
            )

            #expect(chmod(secret, 0o600) == 0)
            try await Self.expectStartsAndStopsInOrder(fleet, keys: keys)
        }
    }

    @Test("An agents directory of mode 0777 is refused at start, and at a reload that keeps the old keys")
    func looseAgentsDirectory() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let agents = "\(keys)/agents"
            #expect(chmod(agents, 0o777) == 0)
            try await Self.expectCoordinatorRefuses(
                fleet,
                saying:
                    "\(agents): the agents directory (security.agents_dir) is writable by group and others (mode 0777), "
                    + "who could replace the files in it; run chmod go-w \(agents)")

            #expect(chmod(agents, 0o755) == 0)
            let coordinator = try await SecurityTests.up(fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1)
            #expect(chmod(agents, 0o777) == 0)
            kill(coordinator.processIdentifier, SIGHUP)
            await fleet.waitUntil("the reload is refused") {
                fleet.output("coordinator.err").contains("Keys not reloaded; the previous ones stay in force")
            }
            #expect(fleet.output("coordinator.err").contains("the agents directory (security.agents_dir) is writable"))
            let shutdown = try await fleet.run(
                ["shutdown", "--coordinator", fleet.endpoint]
                    + SecurityTests.credentials(keys, "alice", folder: "operators"),
                log: "shutdown")
            #expect(shutdown.terminationStatus == 0)
            #expect(await fleet.waitForExit(coordinator) == 0, "the agents' keys stayed in force: both stopped cleanly")
            try expectStopped("api", before: ["database"], in: fleet)
        }
    }

    @Test("A symbolic link that makes two services share one key is refused, naming both files")
    func sharedKey() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let api = "\(keys)/agents/api.key"
            let database = "\(keys)/agents/database.key"
            try FileManager.default.moveItem(atPath: api, toPath: api + ".own")
            try FileManager.default.createSymbolicLink(atPath: api, withDestinationPath: database)
            try await Self.expectCoordinatorRefuses(
                fleet,
                saying:
                    "\(database) and \(api) hold the same public key, so agent:database and agent:api could act as each other"
            )

            try FileManager.default.removeItem(atPath: api)
            try FileManager.default.moveItem(atPath: api + ".own", toPath: api)
            try await Self.expectStartsAndStopsInOrder(fleet, keys: keys)
        }
    }

    @Test("An agent's --key that others may read is refused with exit code 78, before it starts its service")
    func looseAgentKey() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let secret = "\(keys)/agents/api.key_secret"
            #expect(chmod(secret, 0o640) == 0)
            let agent = try fleet.startAgent(
                "api", stopDelay: 0.1, extraArguments: SecurityTests.credentials(keys, "api", folder: "agents"))
            #expect(await fleet.waitForExit(agent) == 78)
            #expect(
                fleet.output("agent-api.err").contains(
                    "\(secret): the secret key is readable by group (mode 0640); run chmod 600 \(secret)"))
            #expect(fleet.timeline().isEmpty, "the service was not started")

            #expect(chmod(secret, 0o600) == 0)
            try await Self.expectStartsAndStopsInOrder(fleet, keys: keys)
        }
    }

    @Test("An admin socket in a directory of mode 0777 is refused at start")
    func looseAdminSocketDirectory() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let socketDirectory = fleet.directory.appendingPathComponent("run").path
            try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
            #expect(chmod(socketDirectory, 0o777) == 0)
            let configPath = fleet.directory.appendingPathComponent("quiesce.yaml")
            let config = try String(contentsOf: configPath, encoding: .utf8)
            try ("coordinator: { admin_bind: \"ipc://\(socketDirectory)/admin.sock\" }\n" + config).write(
                to: configPath, atomically: true, encoding: .utf8)
            try await Self.expectCoordinatorRefuses(
                fleet,
                saying:
                    "\(socketDirectory): the admin socket's directory (coordinator.admin_bind) is writable by group and "
                    + "others (mode 0777), who could replace the files in it; run chmod go-w \(socketDirectory)")
            #expect(!FileManager.default.fileExists(atPath: socketDirectory + "/admin.sock"))

            #expect(chmod(socketDirectory, 0o700) == 0)
            try await Self.expectStartsAndStopsInOrder(fleet, keys: keys)
        }
    }

    @Test("An epoch file holding 2^64-1 is refused with exit code 78 and the fix, instead of crashing")
    func largestEpoch() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let state = fleet.directory.appendingPathComponent("state").path
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try "18446744073709551615\n".write(toFile: state + "/epoch", atomically: false, encoding: .utf8)
            let refused = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", state])
            #expect(await fleet.waitForExit(refused) == 78)
            #expect(
                fleet.output("coordinator.err").contains(
                    "\(state)/epoch: holds 18446744073709551615, the largest epoch there is, so no start can follow it; "
                        + "write a smaller number into it"))

            try "41\n".write(toFile: state + "/epoch", atomically: false, encoding: .utf8)
            let coordinator = try await SecurityTests.up(
                fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1,
                coordinatorArguments: ["--json", "--state-dir", state])
            #expect(await fleet.shutDown(coordinator) == 0)
            try expectStopped("api", before: ["database"], in: fleet)
            #expect(try String(contentsOfFile: state + "/epoch", encoding: .utf8) == "42\n")
            #expect(try Self.mode(state + "/epoch") == 0o600)
        }
    }

    @Test(
        "A state directory owned by another user is refused at start with exit code 78 and the fix",
        .enabled(if: geteuid() == 0, "giving a directory to another user takes root"))
    func foreignStateDirectory() async throws {
        try await Self.withSecuredFleet { fleet, keys in
            let state = fleet.directory.appendingPathComponent("state").path
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            // A uid no account uses: the directory is another user's, whoever runs the test.
            let stranger: uid_t = 48_271
            #expect(chown(state, stranger, stranger) == 0)
            let refused = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", state])
            #expect(await fleet.waitForExit(refused) == 78)
            #expect(
                fleet.output("coordinator.err").contains(
                    "\(state): the state directory (coordinator.state_dir) is owned by user \(stranger), who is neither "
                        + "this user (\(geteuid())) nor root; run chown \(geteuid()) \(state)"))
            #expect(!FileManager.default.fileExists(atPath: state + "/epoch"))

            #expect(chown(state, geteuid(), getegid()) == 0)
            let coordinator = try await SecurityTests.up(
                fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1,
                coordinatorArguments: ["--json", "--state-dir", state])
            #expect(await fleet.shutDown(coordinator) == 0)
            try expectStopped("api", before: ["database"], in: fleet)
        }
    }
}
