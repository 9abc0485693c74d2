import Foundation
import Testing

/// Errors that say what probably went wrong and what to try, and the exit codes they end with.
@Suite("Errors that say what to do", .serialized)
struct ErrorGuidanceTests {
    @Test("status against a secured coordinator: without keys, with a wrong server key, with a key it does not know")
    func securedCoordinator() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }", secure: true)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let keys = fleet.directory.appendingPathComponent("keys").path
        let stranger = try await CommandResult.run(Fleet.binary, ["keygen", "stranger", "--out", fleet.directory.path])
        #expect(stranger.status == 0)
        let strangerKey = fleet.directory.appendingPathComponent("stranger.key_secret").path
        let strangerPublic = fleet.directory.appendingPathComponent("stranger.key").path

        let plain = try await CommandResult.run(
            Fleet.binary, ["status", "--coordinator", fleet.endpoint, "--insecure", "--timeout", "2s"])
        #expect(plain.status == 69)
        // A mechanism mismatch, or on a loaded machine a handshake the coordinator closed without a word.
        #expect(plain.errors.contains("secured with CURVE keys and this command has none"), "\(plain.errors)")

        let wrongServer = try await CommandResult.run(
            Fleet.binary,
            [
                "status", "--coordinator", fleet.endpoint, "--timeout", "2s", "--key",
                "\(keys)/operators/operator.key_secret", "--server-key", strangerPublic,
            ])
        #expect(wrongServer.status == 69)
        #expect(wrongServer.errors.contains("--server-key is probably not the coordinator's public key"))

        let unknownKey = try await CommandResult.run(
            Fleet.binary,
            [
                "shutdown", "--coordinator", fleet.endpoint, "--timeout", "2s", "--key", strangerKey, "--server-key",
                "\(keys)/coordinator.key",
            ])
        #expect(unknownKey.status == 69)
        #expect(unknownKey.errors.contains("the coordinator refused this key"), "\(unknownKey.errors)")
        for result in [plain, wrongServer, unknownKey] {
            #expect(!result.errors.contains("went silent"), "the coordinator never answered")
        }
        #expect(coordinator.isRunning)
        #expect(await fleet.shutDown(coordinator) == 1, "cache never had an agent")
    }

    @Test(
        "A malformed endpoint is named as such, not refused as plain TCP",
        arguments: [
            (["status", "--coordinator", "127.0.0.1:7700"], "\"127.0.0.1:7700\" is no endpoint: it has no scheme"),
            (["shutdown", "--coordinator", "tcp://nohost"], "\"tcp://nohost\" is no endpoint: it has no port"),
            (
                ["agent", "--name", "api", "--coordinator", "tcp://nohost", "--", "true"],
                "\"tcp://nohost\" is no endpoint: it has no port"
            ),
        ])
    func malformedEndpoint(arguments: [String], message: String) async throws {
        let result = try await CommandResult.run(Fleet.binary, arguments)
        #expect(result.status == 64)
        #expect(result.errors.contains(message), "\(result.errors)")
        #expect(!result.errors.contains("refusing"))
    }

    @Test(
        "Setup errors exit 78 with a readable message: a port in use, a state directory that cannot be made, a missing keys directory"
    )
    func setupErrors() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }", secure: false)
        defer { fleet.tearDown() }
        let first = try await fleet.startCoordinator()
        let second = try await CommandResult.run(
            Fleet.binary, ["coordinator", "--config", fleet.configPath.path, "--bind", fleet.endpoint, "--insecure"])
        #expect(second.status == 78)
        #expect(second.errors.contains("cannot listen on \(fleet.endpoint): the address is in use"), "\(second.errors)")
        #expect(first.isRunning)
        #expect(await fleet.shutDown(first) == 1, "cache never had an agent")

        let file = fleet.directory.appendingPathComponent("a-file")
        try Data().write(to: file)
        let state = try await CommandResult.run(
            Fleet.binary,
            [
                "coordinator", "--config", fleet.configPath.path, "--bind", fleet.endpoint, "--insecure",
                "--state-dir", file.path + "/state",
            ])
        #expect(state.status == 78)
        #expect(state.errors.contains("cannot use the state directory"), "\(state.errors)")
        #expect(state.errors.contains("\(file.path) is a file, not a directory"), "\(state.errors)")
        let keys = try await CommandResult.run(
            Fleet.binary, ["coordinator", "--config", fleet.configPath.path, "--keys", "/nonexistent/keys"])
        #expect(keys.status == 78)
        #expect(keys.errors.contains("/nonexistent/keys"), "\(keys.errors)")
        for result in [second, state, keys] {
            #expect(!result.errors.contains("NSCocoaErrorDomain") && !result.errors.contains("Error Domain="))
        }
    }

    @Test(
        "An agent with no coordinator to reach says so at once, at the default log level, then no more than every 10 s")
    func agentWithoutCoordinator() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }", secure: false)
        defer { fleet.tearDown() }
        let agent = try fleet.startAgent("cache")
        defer { kill(agent.processIdentifier, SIGKILL) }
        let message = "No coordinator at \(fleet.endpoint) yet; retrying"
        await fleet.waitUntil("the agent says it has no coordinator") {
            fleet.output("agent-cache.err").contains(message)
        }
        try await Task.sleep(for: .seconds(2))
        #expect(fleet.output("agent-cache.err").components(separatedBy: message).count == 2, "said once, throttled")
        kill(agent.processIdentifier, SIGTERM)
        _ = await fleet.waitForExit(agent)
    }

    @Test("--version names the commit; completion scripts are generated for bash, zsh and fish")
    func versionAndCompletion() async throws {
        let version = try await CommandResult.run(Fleet.binary, ["--version"])
        #expect(version.status == 0)
        let line = version.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.wholeMatch(of: /\d+\.\d+\.\d+ \(commit ([0-9a-z.+_-]+)\)/) != nil, "\(line)")
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: sources.appendingPathComponent(".git").path) {
            #expect(!line.contains("unknown"), "built from a git checkout")
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try await CommandResult.run(Fleet.binary, ["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.output.contains("quiesce") && script.output.contains("coordinator"), "\(shell)")
        }
    }
}

/// `quiesce validate`: what the coordinator would refuse, and what would not work as meant.
@Suite("quiesce validate")
struct ValidateTests {
    @Test("A file the coordinator would accept is valid, its warnings printed; --strict makes them fail")
    func warnings() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { shutdown_timeout: 15s }
                services:
                  database: { stop_timeout: 20s }
                  api: { depends_on: [database], stop_timeout: 0s }
                """, secure: false)
        defer { fleet.tearDown() }
        let plain = try await CommandResult.run(Fleet.binary, ["validate", "-c", fleet.configPath.path])
        #expect(plain.status == 78, "the coordinator would refuse tcp:// without keys")
        #expect(plain.output.contains("refusing to listen on tcp://127.0.0.1:7700 without keys"))
        let accepted = try await CommandResult.run(
            Fleet.binary, ["validate", "-c", fleet.configPath.path, "--insecure"])
        #expect(accepted.status == 0)
        #expect(
            accepted.output.contains(
                "warning: coordinator.shutdown_timeout 15s is shorter than the shutdown's worst case"))
        #expect(accepted.output.contains(":4: warning: service \"api\": stop_timeout 0s"))
        #expect(accepted.output.hasSuffix("valid, with 2 warnings\n"), "\(accepted.output)")
        let strict = try await CommandResult.run(
            Fleet.binary, ["validate", "-c", fleet.configPath.path, "--insecure", "--strict", "--json"])
        #expect(strict.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(strict.output.utf8)) as? [String: Any]
        #expect(document?["valid"] as? Bool == true)
        #expect((document?["warnings"] as? [Any])?.count == 2)
    }

    @Test("Key files the coordinator could not read, and a compose file given as a Quiesce file, are refused with 78")
    func refusals() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }", secure: false)
        defer { fleet.tearDown() }
        let keys = try await CommandResult.run(
            Fleet.binary, ["validate", "-c", fleet.configPath.path, "--keys", fleet.directory.path + "/no-keys"])
        #expect(keys.status == 78)
        #expect(keys.output.contains("no-keys/coordinator.key_secret"), "\(keys.output)")
        let compose = fleet.directory.appendingPathComponent("compose.yaml")
        try "services:\n  cache:\n    image: redis\n".write(to: compose, atomically: true, encoding: .utf8)
        let confused = try await CommandResult.run(Fleet.binary, ["validate", "--config", compose.path])
        #expect(confused.status == 78)
        #expect(confused.output.contains("give it with --compose FILE instead of --config"))
        let right = try await CommandResult.run(Fleet.binary, ["validate", "--compose", compose.path, "--insecure"])
        #expect(right.status == 0, "\(right.output)")
    }
}
