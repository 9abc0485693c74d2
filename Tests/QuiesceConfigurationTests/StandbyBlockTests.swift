import QuiesceConfiguration
import QuiesceCore
import Testing

/// The `coordinator.ha` block: read with its defaults, and each mistake named at its line with the fix.
@Suite("The coordinator.ha block")
struct StandbyBlockTests {
    static func fleet(_ ha: String, bind: String = "tcp://127.0.0.1:7700") -> String {
        """
        coordinator:
          bind: \(bind)
          ha:
        \(ha.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        services:
          api: {}
        """
    }

    func issues(_ yaml: String) -> [ConfigurationIssue] {
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("A full block is read as written")
    func fullBlock() throws {
        let yaml = Self.fleet(
            """
            etcd: [http://10.0.0.5:2379, http://10.0.0.6:2379]
            key: /quiesce/shop
            lease_ttl: 8s
            advertise: tcp://10.0.0.5:7700
            """, bind: "tcp://0.0.0.0:7700")
        let ha = try #require(try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml").coordinator.ha)
        #expect(
            ha
                == StandbySettings(
                    etcd: ["http://10.0.0.5:2379", "http://10.0.0.6:2379"], key: "/quiesce/shop", leaseTTL: .seconds(8),
                    advertise: "tcp://10.0.0.5:7700"))
        #expect(ha.advertised(bind: "tcp://0.0.0.0:7700") == "tcp://10.0.0.5:7700")
    }

    @Test("lease_ttl defaults to 5s, a single URL is a list of one, and bind is advertised when it names a host")
    func defaults() throws {
        let yaml = Self.fleet("etcd: http://127.0.0.1:2379\nkey: /quiesce/shop")
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml")
        let ha = try #require(configuration.coordinator.ha)
        #expect(ha.etcd == ["http://127.0.0.1:2379"])
        #expect(ha.leaseTTL == .seconds(5))
        #expect(ha.advertise == nil)
        #expect(ha.advertised(bind: configuration.coordinator.bind) == "tcp://127.0.0.1:7700")
        let alone = try ConfigurationLoader.load(yaml: "services:\n  api: {}\n", file: "fleet.yaml")
        #expect(alone.coordinator.ha == nil)
    }

    @Test("An unknown key is named with the closest known one, at its line")
    func unknownKey() {
        let found = issues(Self.fleet("etcd: [http://127.0.0.1:2379]\nkey: /quiesce/shop\nlease_tll: 5s"))
        #expect(found.count == 1)
        #expect(found.first?.line == 6)
        #expect(found.first?.message.contains("unknown key \"lease_tll\" in coordinator.ha") == true)
        #expect(found.first?.message.contains("did you mean \"lease_ttl\"") == true)
    }

    @Test("etcd and key are required, each refusal saying what to write")
    func requiredKeys() {
        let found = issues(Self.fleet("lease_ttl: 5s"))
        #expect(found.map(\.message).contains { $0.contains("needs etcd") && $0.contains("http://10.0.0.5:2379") })
        #expect(found.map(\.message).contains { $0.contains("needs key") && $0.contains("/quiesce/shop") })
    }

    @Test(
        "Malformed etcd URLs are refused with the fix",
        arguments: [
            ("10.0.0.5:2379", "write it as http://HOST:PORT"),
            ("http://10.0.0.5", "names no port"),
            ("http://:2379", "names no host"),
            ("http://10.0.0.5:2379/v3", "scheme, host and port alone"),
            ("http://10.0.0.5:99999", "not a number from 1 to 65535"),
            ("tcp://10.0.0.5:2379", "write it as http://HOST:PORT"),
        ])
    func malformedEndpoints(url: String, problem: String) {
        let found = issues(Self.fleet("etcd: [\"\(url)\"]\nkey: /quiesce/shop"))
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.message.contains("coordinator.ha.etcd: \"\(url)\"") == true)
        #expect(found.first?.message.contains(problem) == true, "\(found)")
    }

    @Test("An etcd URL listed twice is refused")
    func duplicateEndpoint() {
        let found = issues(Self.fleet("etcd: [http://a:2379, http://a:2379]\nkey: /quiesce/shop"))
        #expect(found.map(\.message) == ["coordinator.ha.etcd lists \"http://a:2379\" twice; keep one"])
    }

    @Test(
        "lease_ttl is refused below etcd's 2s minimum, above 300s, and in fractions of a second",
        arguments: [
            ("1s", "shorter than 2s, the shortest lease etcd 3.4 grants"),
            ("500ms", "etcd counts leases in whole seconds; write 2s"),
            ("2500ms", "etcd counts leases in whole seconds; write 3s"),
            ("301s", "longer than 300s"),
            ("five", "is not a duration"),
        ])
    func leaseTTLBounds(ttl: String, problem: String) {
        let found = issues(Self.fleet("etcd: [http://127.0.0.1:2379]\nkey: /quiesce/shop\nlease_ttl: \(ttl)"))
        #expect(found.count == 1)
        #expect(found.first?.line == 6)
        #expect(found.first?.message.contains(problem) == true, "\(found)")
    }

    @Test("lease_ttl of 2s and 300s are allowed")
    func leaseTTLEdges() {
        for ttl in ["2s", "300s", "5m"] {
            let found = issues(Self.fleet("etcd: [http://127.0.0.1:2379]\nkey: /quiesce/shop\nlease_ttl: \(ttl)"))
            #expect(found.isEmpty, "\(ttl): \(found)")
        }
    }

    @Test(
        "A key that is not a path of its own is refused",
        arguments: [("quiesce/shop", "beginning with /"), ("/quiesce/shop/", "must not end with /"), ("/a b", "ASCII")])
    func badKeys(key: String, problem: String) {
        let found = issues(Self.fleet("etcd: [http://127.0.0.1:2379]\nkey: \"\(key)\""))
        #expect(found.count == 1)
        #expect(found.first?.line == 5)
        #expect(found.first?.message.contains(problem) == true, "\(found)")
    }

    @Test(
        "Beside a wildcard bind, advertise may be left to each coordinator's --advertise, which validate points out; given, it must be an endpoint others can connect to"
    )
    func advertiseRules() throws {
        let block = "etcd: [http://127.0.0.1:2379]\nkey: /quiesce/shop"
        let shared = try ConfigurationLoader.load(
            yaml: Self.fleet(block, bind: "tcp://0.0.0.0:7700"), file: "fleet.yaml")
        #expect(shared.coordinator.ha?.advertise == nil)
        let warnings = ConfigurationReview.warnings(for: shared).map(\.message)
        #expect(
            warnings.contains {
                $0.contains("has no advertise and bind is a wildcard address") && $0.contains("--advertise")
            },
            "\(warnings)")
        #expect(warnings.contains { $0.contains("tcp://10.0.0.5:7700") }, "\(warnings)")
        let local = try ConfigurationLoader.load(yaml: Self.fleet(block), file: "fleet.yaml")
        #expect(!ConfigurationReview.warnings(for: local).contains { $0.message.contains("advertise") })
        let wildcard = issues(Self.fleet(block + "\nadvertise: tcp://*:7700", bind: "tcp://*:7700"))
        #expect(wildcard.first?.message.contains("is a wildcard address, which no one can connect to") == true)
        #expect(wildcard.first?.line == 6)
        let malformed = issues(Self.fleet(block + "\nadvertise: 10.0.0.5:7700", bind: "tcp://0.0.0.0:7700"))
        #expect(
            malformed.first?.message.contains("is no endpoint: it has no scheme; write tcp://10.0.0.5:7700") == true)
        #expect(issues(Self.fleet(block + "\nadvertise: tcp://10.0.0.5:7700", bind: "tcp://[::]:7700")).isEmpty)
    }
}
