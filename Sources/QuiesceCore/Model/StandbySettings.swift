/// The `coordinator.ha` block: this coordinator is one of several, of which the one elected through
/// etcd leads the fleet while the others stand by (docs/configuration.md).
///
/// Every rule of the block is here, so that the file reader, the coordinator's flags and `validate`
/// word the same problems: ``leaseTTLProblem(_:)``, ``etcdEndpointProblem(_:)``, ``keyProblem(_:)``,
/// ``advertiseProblem(advertise:bind:)`` and ``missingAdvertiseWarning(advertise:bind:)``.
public struct StandbySettings: Sendable, Equatable {
    /// The etcd cluster's client URLs, `http://HOST:PORT` each.
    public var etcd: [String]
    /// The fleet's election in etcd, a key prefix such as `/quiesce/shop`; the journal lives beneath it.
    public var key: String
    /// The TTL of each coordinator's lease: a leader that dies is replaced about this long after.
    public var leaseTTL: Duration
    /// The endpoint agents and tools reach this coordinator at, told to the other coordinators through
    /// the election; `nil` to advertise `bind` itself (not allowed when it is a wildcard address).
    public var advertise: String?

    /// `lease_ttl` when the block leaves it out.
    public static let defaultLeaseTTL: Duration = .seconds(5)

    /// The shortest `lease_ttl`: etcd 3.4 grants no lease shorter than 1.5 election timeouts, rounded up
    /// to whole seconds, which is 2 s with its default `--election-timeout` of 1000 ms; it would raise a
    /// shorter one silently, and the failover time with it.
    public static let shortestLeaseTTL: Duration = .seconds(2)
    /// The longest `lease_ttl`: a dead leader is replaced only once its lease has run out, and a fleet
    /// whose shutdown waits minutes for that has no standby worth the name.
    public static let longestLeaseTTL: Duration = .seconds(300)

    public init(etcd: [String], key: String, leaseTTL: Duration = Self.defaultLeaseTTL, advertise: String? = nil) {
        self.etcd = etcd
        self.key = key
        self.leaseTTL = leaseTTL
        self.advertise = advertise
    }

    /// The endpoint put in the election's value, which standbys name as the leader's: `advertise`, or
    /// `bind` when there is none.
    public func advertised(bind: String) -> String { advertise ?? bind }

    /// What is wrong with a lease TTL, worded to follow `lease_ttl: `; `nil` when it may be used.
    public static func leaseTTLProblem(_ ttl: Duration) -> String? {
        if ttl.components.attoseconds != 0 {
            return "etcd counts leases in whole seconds; write \(max(2, ttl.components.seconds + 1))s"
        }
        if ttl < shortestLeaseTTL {
            return "\(ttl.configurationText) is shorter than 2s, the shortest lease etcd 3.4 grants with its "
                + "default --election-timeout (1000ms); write 2s or more (5s is the default)"
        }
        if ttl > longestLeaseTTL {
            return "\(ttl.configurationText) is longer than 300s: a dead leader would be replaced only that long "
                + "after its death; write 300s or less (5s is the default)"
        }
        return nil
    }

    /// What is wrong with an etcd client URL, worded to follow `"URL": `; `nil` when it is
    /// `http://HOST:PORT` or `https://HOST:PORT`.
    public static func etcdEndpointProblem(_ text: String) -> String? {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https" else {
            return "write it as http://HOST:PORT, such as http://10.0.0.5:2379"
        }
        let scheme = parts[0]
        var address = Substring(parts[1])
        if address.hasSuffix("/") { address = address.dropLast() }
        guard !address.contains("/"), !address.contains("?"), !address.contains("@"), !address.contains("#") else {
            return "give the scheme, host and port alone, such as \(scheme)://10.0.0.5:2379"
        }
        guard let colon = address.lastIndex(of: ":"), !address.hasSuffix("]") else {
            return "it names no port: etcd's client port is usually 2379 (\(scheme)://\(address):2379)"
        }
        let host = address[..<colon]
        let port = address[address.index(after: colon)...]
        guard !host.isEmpty else { return "it names no host: write \(scheme)://HOST:\(port)" }
        guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
            return "its port \"\(port)\" is not a number from 1 to 65535; etcd's client port is usually 2379"
        }
        return nil
    }

    /// What is wrong with the election's key, worded to follow `key: `; `nil` when it may be used.
    public static func keyProblem(_ key: String) -> String? {
        guard key.hasPrefix("/"), key.count > 1 else {
            return "\"\(key)\" must be a key path beginning with /, one per fleet, such as /quiesce/shop"
        }
        guard !key.hasSuffix("/") else {
            return "\"\(key)\" must not end with /: write \(key.dropLast()) (the election's keys go beneath it)"
        }
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "\"\(key)\" may hold only printable ASCII without spaces, such as /quiesce/shop"
        }
        return nil
    }

    /// What is wrong with the advertised endpoint given `bind`, worded to stand alone; `nil` when
    /// agents and the other coordinators can be told where this one is.
    public static func advertiseProblem(advertise: String?, bind: String) -> String? {
        guard let advertise else {
            guard isWildcard(bind) else { return nil }
            return "coordinator.ha needs advertise when bind is a wildcard address (\(bind)): the endpoint "
                + "agents and the other coordinators reach this one at, such as tcp://10.0.0.5:\(port(of: bind))"
        }
        if let problem = EndpointSyntax.problem(in: advertise) {
            return "advertise: " + EndpointSyntax.message(for: advertise, problem: problem)
        }
        guard advertise.hasPrefix("tcp://") || !bind.hasPrefix("tcp://") else {
            return "advertise: \"\(advertise)\" must be a tcp:// endpoint, as bind is"
        }
        guard !isWildcard(advertise) else {
            return "advertise: \"\(advertise)\" is a wildcard address, which no one can connect to; give this "
                + "host's address, such as tcp://10.0.0.5:\(port(of: advertise))"
        }
        return nil
    }

    /// What a file's block that leaves out `advertise` beside a wildcard `bind` asks of every
    /// coordinator that reads it, worded as a warning; `nil` when it asks nothing.
    public static func missingAdvertiseWarning(advertise: String?, bind: String) -> String? {
        guard advertise == nil, isWildcard(bind) else { return nil }
        return "coordinator.ha has no advertise and bind is a wildcard address (\(bind)): give each coordinator "
            + "the endpoint agents and the other coordinators reach it at with --advertise, such as "
            + "tcp://10.0.0.5:\(port(of: bind)), or set coordinator.ha.advertise; a coordinator given neither "
            + "refuses to start"
    }

    /// Whether `endpoint` binds every address of the host (`tcp://0.0.0.0:P`, `tcp://*:P`, `tcp://[::]:P`).
    static func isWildcard(_ endpoint: String) -> Bool {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return false }
        let host = endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon]
        return ["0.0.0.0", "*", "[::]", "::", "[::0]"].contains(host)
    }

    private static func port(of endpoint: String) -> Substring {
        endpoint.lastIndex(of: ":").map { endpoint[endpoint.index(after: $0)...] } ?? "7700"
    }
}
