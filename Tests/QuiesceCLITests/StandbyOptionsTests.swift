import ArgumentParser
import QuiesceCore
import Testing

@testable import quiesce

@Suite("The coordinator's standby flags")
struct StandbyOptionsTests {
    static let file = StandbySettings(
        etcd: ["http://10.0.0.5:2379"], key: "/quiesce/shop", leaseTTL: .seconds(8), advertise: "tcp://10.0.0.5:7700")

    func options(_ arguments: [String]) throws -> StandbyOptions {
        try StandbyOptions.parse(arguments)
    }

    @Test("Without flags the file's block is kept, and without either the coordinator runs alone")
    func nothingGiven() throws {
        let none = try options([])
        #expect(try none.settings(overriding: Self.file, bind: "tcp://0.0.0.0:7700") == Self.file)
        #expect(try none.settings(overriding: nil, bind: "tcp://127.0.0.1:7700") == nil)
    }

    @Test("--etcd (repeated), --ha-key and --advertise override the block, the lease TTL kept")
    func overrides() throws {
        let given = try options([
            "--etcd", "http://a:2379", "--etcd", "http://b:2379", "--ha-key", "/quiesce/other", "--advertise",
            "tcp://10.0.0.6:7700",
        ])
        let settings = try given.settings(overriding: Self.file, bind: "tcp://0.0.0.0:7700")
        #expect(
            settings
                == StandbySettings(
                    etcd: ["http://a:2379", "http://b:2379"], key: "/quiesce/other", leaseTTL: .seconds(8),
                    advertise: "tcp://10.0.0.6:7700"))
    }

    @Test("--etcd with --ha-key makes a block with the default lease TTL")
    func flagsAlone() throws {
        let settings = try options(["--etcd", "http://127.0.0.1:2379", "--ha-key", "/quiesce/shop"])
            .settings(overriding: nil, bind: "tcp://127.0.0.1:7700")
        #expect(settings == StandbySettings(etcd: ["http://127.0.0.1:2379"], key: "/quiesce/shop"))
    }

    @Test("What is missing or malformed is refused with the fix")
    func refusals() throws {
        #expect(parseProblem(["--etcd", "127.0.0.1:2379"]).contains("write it as http://HOST:PORT"))
        #expect(parseProblem(["--etcd", "http://a:2379", "--etcd", "http://a:2379"]).contains("is given twice"))
        #expect(parseProblem(["--ha-key", "quiesce"]).contains("--ha-key: \"quiesce\" must be a key path"))
        #expect(
            message { try options(["--etcd", "http://a:2379"]).settings(overriding: nil, bind: "tcp://h:1") }
                .contains("--etcd needs --ha-key KEY"))
        #expect(
            message { try options(["--ha-key", "/k"]).settings(overriding: nil, bind: "tcp://h:1") }
                .contains("give --etcd URL too"))
        let wildcard = message {
            try options(["--etcd", "http://a:2379", "--ha-key", "/k"]).settings(overriding: nil, bind: "tcp://*:7700")
        }
        #expect(wildcard.contains("needs advertise when bind is a wildcard address"))
        #expect(wildcard.contains("or give --advertise"))
        // A shared file's block leaves advertise to each coordinator's --advertise.
        let shared = StandbySettings(etcd: ["http://a:2379"], key: "/k")
        #expect(
            message { try options([]).settings(overriding: shared, bind: "tcp://0.0.0.0:7700") }
                .contains("or give --advertise"))
        let advertised = try options(["--advertise", "tcp://10.0.0.5:7700"])
            .settings(overriding: shared, bind: "tcp://0.0.0.0:7700")
        #expect(advertised?.advertise == "tcp://10.0.0.5:7700")
        let badAdvertise = message {
            try options(["--advertise", "tcp://0.0.0.0:7700"]).settings(overriding: Self.file, bind: "tcp://0.0.0.0:1")
        }
        #expect(badAdvertise.hasPrefix("--advertise: \"tcp://0.0.0.0:7700\" is a wildcard address"))
    }

    /// What parsing `arguments` refuses, as the command prints it.
    private func parseProblem(_ arguments: [String]) -> String {
        do {
            _ = try StandbyOptions.parse(arguments)
            return ""
        } catch {
            return StandbyOptions.message(for: error)
        }
    }

    private func message(_ body: () throws -> StandbySettings?) -> String {
        do {
            _ = try body()
            return ""
        } catch let error as ValidationError {
            return error.message
        } catch {
            return "\(error)"
        }
    }
}
