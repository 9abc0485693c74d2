import Foundation
import QuiesceRuntime
import QuiesceTestSupport
import Testing
import ZeroMQ

/// CURVE on every connection, identities from the ZAP handler's User-Id, and an admin plane.
@Suite("Security", .serialized)
struct SecurityTests {
    /// A fleet of database and api with a security block, and the directory that holds the keys of
    /// the coordinator, both agents, an admin (alice) and a reader (grafana).
    static func securedFleet() async throws -> (Fleet, keys: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        for (name, folder) in [
            ("coordinator", ""), ("database", "agents"), ("api", "agents"), ("alice", "operators"),
            ("grafana", "operators"),
        ] {
            try await keygen(name, into: (directory as NSString).appendingPathComponent(folder))
        }
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                security:
                  server_key: \(directory)/coordinator.key_secret
                  agents_dir: \(directory)/agents
                  admins: [\(directory)/operators/alice.key]
                  readers: [\(directory)/operators/grafana.key]
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        return (fleet, directory)
    }

    static func keygen(_ name: String, into directory: String) async throws {
        _ = try await CommandResult.run(Fleet.binary, ["keygen", name, "--out", directory])
    }

    /// Starts the coordinator (given `coordinatorArguments`) and both agents, each with its own key,
    /// and returns the coordinator once both services run.
    static func up(
        _ fleet: Fleet, keys: String, databaseStop: Double, apiStop: Double, coordinatorArguments: [String] = ["--json"]
    ) async throws -> ChildProcess {
        let coordinator = try await fleet.startCoordinator(extraArguments: coordinatorArguments)
        try fleet.startAgent(
            "database", stopDelay: databaseStop, extraArguments: credentials(keys, "database", folder: "agents"))
        try fleet.startAgent("api", stopDelay: apiStop, extraArguments: credentials(keys, "api", folder: "agents"))
        await fleet.waitUntilStarted(["database", "api"])
        return coordinator
    }

    /// `--key` and `--server-key` for `name`, whose secret key is in `keys/folder/`.
    static func credentials(_ keys: String, _ name: String, folder: String) -> [String] {
        ["--key", "\(keys)/\(folder)/\(name).key_secret", "--server-key", "\(keys)/coordinator.key"]
    }

    @Test("With keys everywhere the fleet starts and stops in order; readers see status, only admins stop")
    func securedFleetWorks() async throws {
        let (fleet, keys) = try await Self.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        let coordinator = try await Self.up(fleet, keys: keys, databaseStop: 0.2, apiStop: 0.2)

        let status = try await fleet.run(
            ["status", "--coordinator", fleet.endpoint] + Self.credentials(keys, "grafana", folder: "operators"),
            log: "status")
        #expect(status.terminationStatus == 0)
        let readerShutdown = try await fleet.run(
            ["shutdown", "--coordinator", fleet.endpoint, "--timeout", "5s"]
                + Self.credentials(keys, "grafana", folder: "operators"), log: "reader")
        #expect(readerShutdown.terminationStatus != 0)
        #expect(fleet.output("reader.err").contains("not allowed for this key"))
        let agentShutdown = try await fleet.run(
            ["shutdown", "--coordinator", fleet.endpoint, "--timeout", "5s"]
                + Self.credentials(keys, "api", folder: "agents"), log: "agent-key")
        #expect(agentShutdown.terminationStatus != 0, "an agent's key cannot stop the fleet")
        let plainStatus = try await fleet.run(
            ["status", "--coordinator", fleet.endpoint, "--timeout", "2s"], log: "plain")
        #expect(plainStatus.terminationStatus != 0, "a peer without keys gets nothing")

        let shutdown = try await fleet.run(
            ["shutdown", "--coordinator", fleet.endpoint] + Self.credentials(keys, "alice", folder: "operators"),
            log: "admin")
        #expect(shutdown.terminationStatus == 0)
        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test("No key, a wrong server key, or another service's key: the agent gets nowhere")
    func impostorsRefused() async throws {
        let (fleet, keys) = try await Self.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        try await Self.keygen("stranger", into: keys)
        try fleet.startAgent(
            "api", stopDelay: 0.1,
            extraArguments: ["--key", "\(keys)/agents/api.key_secret", "--server-key", "\(keys)/stranger.key"])
        let impostor = try fleet.startAgent(
            "database-impostor", command: ["/bin/true"],
            agentFlags: ["--name", "database"] + Self.credentials(keys, "api", folder: "agents"))

        #expect(await fleet.waitForExit(impostor) == 78)
        #expect(
            fleet.output("agent-database-impostor.err").contains(
                #"this key may not be the agent of service "database""#))
        #expect(fleet.output("coordinator.err").contains("Message refused: its key may not send it"))
        try await Task.sleep(for: .seconds(2))
        #expect(fleet.timeline().isEmpty, "a service was started for a peer without valid keys")

        // The database agent without keys and the api agent with a wrong server key fail their
        // handshakes: counted, logged with the reason, and shown by status. (Which side of a plain
        // connection notices the mismatch first varies, so the plain agent's reason does too.)
        await fleet.waitUntil("the wrong server key is logged with its reason") {
            fleet.output("coordinator.err").contains("cryptographic error: the peer has a wrong server key")
        }
        let status = try await fleet.run(
            ["status", "--coordinator", fleet.endpoint, "--json"]
                + Self.credentials(keys, "alice", folder: "operators"), log: "status")
        #expect(status.terminationStatus == 0)
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8)) as? [String: Any]
        let rejections = document?["rejections"] as? [String: Int] ?? [:]
        #expect(rejections["failed_handshakes", default: 0] >= 2)
        #expect(rejections["refused_messages", default: 0] >= 1, "the impostor's registration")
        kill(coordinator.processIdentifier, SIGTERM)
        _ = await fleet.waitForExit(coordinator)
    }

    @Test("A key removed from the agents directory is revoked on SIGHUP: its agent is lost")
    func revokedOnSighup() async throws {
        let (fleet, keys) = try await Self.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        let coordinator = try await Self.up(fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1)

        try FileManager.default.removeItem(atPath: "\(keys)/agents/api.key")
        kill(coordinator.processIdentifier, SIGHUP)
        await fleet.waitUntil("api is lost") { fleet.coordinatorProgress().contains("agent lost: api") }
        #expect(fleet.output("coordinator.err").contains("Keys reloaded"))
        #expect(await fleet.shutDown(coordinator) == 1)
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "lost")
    }

    @Test("Garbage from an authenticated peer during a shutdown is dropped and the shutdown goes on in order")
    func authenticatedGarbageDuringShutdown() async throws {
        let (fleet, keys) = try await Self.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        let coordinator = try await Self.up(fleet, keys: keys, databaseStop: 0.2, apiStop: 4.0)
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping") { fleet.time("api", "stop-begin") != nil }

        let context = try Context()
        let dealer = try Socket(context: context, type: .dealer)
        defer {
            try? dealer.set(.linger, Int32(0))
            dealer.close()
            context.terminate()
        }
        let alice = try CurveCertificate.read("\(keys)/operators/alice.key_secret")
        try dealer.makeCurveClient(
            CurveKeyPair(publicKey: alice.publicKey, secretKey: try #require(alice.secretKey)),
            serverKey: try CurveCertificate.read("\(keys)/coordinator.key").publicKey)
        try dealer.connect(fleet.endpoint)
        for message in HostileInputTests.garbage.dropLast() { _ = try dealer.send(message) }

        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.output("coordinator.err").contains("Dropped a malformed message"))
    }

    @Test("Without a security block, a plain bind beyond loopback is refused unless --insecure")
    func plainBindRefused() async throws {
        let fleet = try Fleet(
            config: "services: { app: {} }", endpoint: "tcp://0.0.0.0:\(try FreePort.pick())", secure: false)
        defer { fleet.tearDown() }
        fleet.addsInsecure = false
        let coordinator = try await fleet.startCoordinator()
        #expect(await fleet.waitForExit(coordinator) == 78)
        #expect(fleet.output("coordinator.err").contains("refusing to listen on tcp://0.0.0.0"))
        #expect(fleet.output("coordinator.err").contains("anyone who can reach it"))
    }
}

extension SecurityTests {
    @Test("The admin plane on an ipc:// socket of mode 0600 serves operator commands without keys")
    func adminPlane() async throws {
        let (fleet, keys) = try await Self.securedFleet()
        defer {
            fleet.tearDown()
            try? FileManager.default.removeItem(atPath: keys)
        }
        let socketPath = fleet.directory.appendingPathComponent("admin.sock").path
        var config = try String(contentsOf: fleet.directory.appendingPathComponent("quiesce.yaml"), encoding: .utf8)
        config = "coordinator: { admin_bind: \"ipc://\(socketPath)\" }\n" + config
        try config.write(to: fleet.directory.appendingPathComponent("quiesce.yaml"), atomically: true, encoding: .utf8)
        let coordinator = try await Self.up(fleet, keys: keys, databaseStop: 0.1, apiStop: 0.1)

        let mode = try FileManager.default.attributesOfItem(atPath: socketPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let status = try await fleet.run(["status", "--coordinator", "ipc://\(socketPath)"], log: "status")
        #expect(status.terminationStatus == 0)
        #expect(fleet.output("status.out").contains("ready"))
        let shutdown = try await fleet.run(["shutdown", "--coordinator", "ipc://\(socketPath)"], log: "shutdown")
        #expect(shutdown.terminationStatus == 0)
        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }
}
