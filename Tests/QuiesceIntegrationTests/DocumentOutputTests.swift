import Foundation
import Testing

/// `keygen`, `graph` and `timeline` with `--json`: stdout is one JSON document and nothing else, as
/// on every other command, and an error is a plain message on stderr with stdout left empty.
@Suite("JSON documents of keygen, graph and timeline")
struct DocumentOutputTests {
    /// A directory of its own for a test, removed by `remove()`.
    private static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static let graph = """
        defaults: { stop_timeout: 10s }
        services:
          database: { stop_timeout: 20s }
          cache: {}
          api: { depends_on: [database, cache], drain: 2s }
        """

    @Test("keygen --json lists both files of the pair with their kinds; a key that exists already is a plain error")
    func keygenPair() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys").path
        let result = try await CommandResult.run(Fleet.binary, ["keygen", "api", "--out", keys, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let document = try #require(ScriptableOutputTests.document(result.output))
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.map { $0["kind"] as? String } == ["public_key", "secret_key"])
        #expect(files.map { $0["path"] as? String } == ["\(keys)/api.key", "\(keys)/api.key_secret"])
        #expect(files.allSatisfy { $0["name"] as? String == "api" && $0["role"] == nil })
        let publicKey = try #require(files[0]["public_key"] as? String)
        let written = try String(contentsOfFile: "\(keys)/api.key", encoding: .utf8)
        #expect(written.contains("public-key = \"\(publicKey)\""), "the key printed is the key written")
        #expect(document["security_block"] == nil)

        let again = try await CommandResult.run(Fleet.binary, ["keygen", "api", "--out", keys, "--json"])
        #expect(again.status == 78)
        #expect(again.output.isEmpty, "no document for an error: \(again.output)")
        #expect(again.errors.contains("api.key exists already; remove it first to replace the key"))
    }

    @Test("keygen --fleet --json lists every file with its role, and its security: block makes a valid configuration")
    func keygenFleet() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("fleet.yaml")
        try "coordinator: { bind: \"tcp://127.0.0.1:7700\" }\n\(Self.graph)\n".write(
            to: config, atomically: true, encoding: .utf8)
        let keys = directory.appendingPathComponent("keys").path
        let result = try await CommandResult.run(
            Fleet.binary, ["keygen", "--fleet", config.path, "--out", keys, "-o", "json"])
        #expect(result.status == 0, "\(result.errors)")
        let document = try #require(ScriptableOutputTests.document(result.output))
        #expect(document["directory"] as? String == keys)
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.count == 10, "the coordinator's, the admin's and three services' pairs")
        let roles = Dictionary(grouping: files) { $0["role"] as? String ?? "" }.mapValues(\.count)
        #expect(roles == ["coordinator": 2, "admin": 2, "agent": 6])
        for file in files {
            let path = try #require(file["path"] as? String)
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
        }
        let secret = files.first { $0["name"] as? String == "cache" && $0["kind"] as? String == "secret_key" }
        #expect(secret?["path"] as? String == "\(keys)/secrets/cache.key_secret")
        let block = try #require(document["security_block"] as? String)
        #expect(block.hasPrefix("security:\n  server_key: \"\(keys)/coordinator.key_secret\""))

        // The block does what --keys does: with it the file is valid without --insecure.
        try (Self.graph + "\n" + block + "\n").write(to: config, atomically: true, encoding: .utf8)
        let validate = try await CommandResult.run(Fleet.binary, ["validate", "-c", config.path, "--json"])
        #expect(validate.status == 0, "\(validate.output)\(validate.errors)")
        #expect(ScriptableOutputTests.document(validate.output)?["valid"] as? Bool == true)

        let refused = try await CommandResult.run(
            Fleet.binary,
            ["keygen", "--fleet", directory.appendingPathComponent("none.yaml").path, "--out", keys, "--json"])
        #expect(refused.status == 78)
        #expect(refused.output.isEmpty)
        #expect(refused.errors.contains("none.yaml: cannot read the file"))
    }

    @Test("graph --json holds the nodes, edges, waves and critical path; with -o the drawing is written and named")
    func graph() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("fleet.yaml")
        try Self.graph.write(to: config, atomically: true, encoding: .utf8)
        let result = try await CommandResult.run(Fleet.binary, ["graph", "-c", config.path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let document = try #require(ScriptableOutputTests.document(result.output))
        let nodes = try #require(document["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["service"] as? String } == ["database", "cache", "api"])
        let api = try #require(nodes.last)
        #expect(api["depends_on"] as? [String] == ["database", "cache"])
        #expect(api["startup_wave"] as? Int == 2 && api["shutdown_wave"] as? Int == 1)
        #expect(api["stop_budget_seconds"] as? Double == 12 && api["drain_seconds"] as? Double == 2)
        #expect(nodes.map { $0["critical"] as? Bool } == [true, false, true])
        let edges = try #require(document["edges"] as? [[String: Any]])
        #expect(edges.map { "\($0["from"]!)->\($0["to"]!)" } == ["database->api", "cache->api"])
        #expect(edges.map { $0["critical"] as? Bool } == [true, false])
        #expect(document["startup_waves"] as? [[String]] == [["cache", "database"], ["api"]])
        #expect(document["shutdown_waves"] as? [[String]] == [["api"], ["cache", "database"]])
        #expect(document["shutdown_critical_path"] as? [String] == ["api", "database"])
        #expect(document["file"] == nil)

        let svg = directory.appendingPathComponent("graph.svg").path
        let drawn = try await CommandResult.run(
            Fleet.binary,
            ["graph", "-c", config.path, "--format", "svg", "--renderer", "builtin", "-o", svg, "--json"])
        #expect(drawn.status == 0, "\(drawn.errors)")
        let named = try #require(ScriptableOutputTests.document(drawn.output)?["file"] as? [String: Any])
        #expect(named["path"] as? String == svg && named["format"] as? String == "svg")
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))

        let noFile = try await CommandResult.run(
            Fleet.binary, ["graph", "-c", config.path, "--format", "svg", "--json"])
        #expect(noFile.status == 64)
        #expect(noFile.output.isEmpty)
        #expect(noFile.errors.contains("give -o FILE for the drawing"), "\(noFile.errors)")

        try "services:\n  api: { depends_on: [databse] }\n".write(to: config, atomically: true, encoding: .utf8)
        let invalid = try await CommandResult.run(Fleet.binary, ["graph", "-c", config.path, "--json"])
        #expect(invalid.status == 78)
        #expect(invalid.output.isEmpty)
        #expect(invalid.errors.contains("depends on unknown service \"databse\""), "\(invalid.errors)")
    }

    @Test("timeline --json holds the rows of a real run's report; with -o the SVG is written and named")
    func timeline() async throws {
        let fleet = try Fleet(config: "defaults: { stop_timeout: 5s }\nservices:\n  cache: {}\n", secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["cache": 0.1])
        #expect(await fleet.shutDown(coordinator) == 0)
        let report = fleet.directory.appendingPathComponent("coordinator.out").path

        let result = try await CommandResult.run(Fleet.binary, ["timeline", report, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let document = try #require(ScriptableOutputTests.document(result.output))
        #expect(document["file"] == nil)
        let rows = try #require(document["rows"] as? [[String: Any]])
        #expect(rows.map { $0["service"] as? String } == ["cache"])
        let phases = (rows[0]["segments"] as? [[String: Any]] ?? []).compactMap { $0["phase"] as? String }
        #expect(phases.first == "starting" && phases.contains("ready") && phases.last == "stopping", "\(phases)")
        #expect((document["waves"] as? [[String: Any]])?.map { $0["run"] as? String } == ["startup", "shutdown"])
        #expect(document["critical_path"] as? [String] == ["cache"])

        let svg = fleet.directory.appendingPathComponent("timeline.svg").path
        let drawn = try await CommandResult.run(Fleet.binary, ["timeline", report, "-o", svg, "--json"])
        #expect(drawn.status == 0, "\(drawn.errors)")
        #expect(ScriptableOutputTests.document(drawn.output)?["file"] as? String == svg)
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("data-service=\"cache\""))

        let notReport = try await CommandResult.run(Fleet.binary, ["timeline", fleet.configPath.path, "--json"])
        #expect(notReport.status == 78)
        #expect(notReport.output.isEmpty)
        #expect(notReport.errors.contains("is not a Quiesce JSON report"), "\(notReport.errors)")
    }
}
