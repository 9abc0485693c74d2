import Foundation
import Testing

/// The agent's executable, `quiesce-agent`, and the two ways users reach it: `quiesce agent`, which
/// executes it, and the name `quiesce` the agent image also gives it.
@Suite("The agent's executable")
struct AgentExecutableTests {
    /// `quiesce-agent`, built beside `quiesce`.
    static var agentBinary: URL { Fleet.binary.deletingLastPathComponent().appendingPathComponent("quiesce-agent") }

    @Test("quiesce agent executes quiesce-agent with the same arguments, its help included")
    func executedByQuiesce() async throws {
        let help = try await CommandResult.run(Fleet.binary, ["agent", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("USAGE: quiesce-agent"), "\(help.output)")
        #expect(help.output.contains("--ready-http"))
        let version = try await CommandResult.run(Fleet.binary, ["agent", "--version"])
        let own = try await CommandResult.run(Self.agentBinary, ["--version"])
        #expect(version.status == 0)
        #expect(!own.output.isEmpty)
        #expect(version.output == own.output)
    }

    @Test("quiesce-agent called quiesce takes the word agent first, as in the agent image")
    func calledQuiesce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-name-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("quiesce")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: Self.agentBinary)
        let usage = try await CommandResult.run(link, ["agent", "--name", "api", "--coordinator", "tcp://127.0.0.1:1"])
        #expect(usage.status == 64)
        #expect(usage.errors.contains("give the service's command after --"), "\(usage.errors)")
        let direct = try await CommandResult.run(
            Self.agentBinary, ["--name", "api", "--coordinator", "tcp://127.0.0.1:1"])
        #expect(direct.status == 64)
        #expect(direct.errors.contains("give the service's command after --"))
    }

    @Test("The agent links no Foundation, only FoundationEssentials")
    func noFoundation() async throws {
        let listing = try await CommandResult.run(
            URL(fileURLWithPath: "/usr/bin/readelf"), ["-d", Self.agentBinary.path])
        #expect(listing.status == 0)
        #expect(listing.output.contains("libzmq.so.5"))
        #expect(!listing.output.contains("libFoundation.so"), "\(listing.output)")
        #expect(!listing.output.contains("libFoundationNetworking"))
        #expect(!listing.output.contains("libcurl"))
    }
}
