#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A server of Quiesce that could not listen where it was told to, in one wording for all of them
/// (the coordinator's endpoint and admin plane, its metrics, the agent's health endpoint): the
/// address, what went wrong, and what to do, with the flag or key that sets the address. Pure: the
/// caller gives the `errno` its bind failed with.
public struct ListenFailure: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was to listen, and where its address is set.
    public struct Listener: Sendable, Equatable {
        /// What it could not do: `listen on`, `serve metrics on`.
        public var action: String
        /// What most likely holds its address already.
        public var likelyHolder: String
        /// The flag and key that set the address.
        public var setting: String

        /// The coordinator's main endpoint, for agents and commands.
        public static let coordinator = Listener(
            action: "listen on", likelyHolder: "another coordinator", setting: "--bind or coordinator.bind")
        /// The coordinator's admin plane (`coordinator.admin_bind`).
        public static let adminPlane = Listener(
            action: "serve the admin plane on", likelyHolder: "another coordinator", setting: "coordinator.admin_bind")
        /// The coordinator's Prometheus metrics.
        public static let metrics = Listener(
            action: "serve metrics on", likelyHolder: "another coordinator's metrics or an exporter",
            setting: "--metrics-bind or coordinator.metrics_bind")
        /// The agent's `/healthz`, `/readyz` and `/metrics`.
        public static let health = Listener(
            action: "serve the health endpoint on", likelyHolder: "another agent's health endpoint",
            setting: "--health-port and --health-host")
    }

    public var listener: Listener
    /// The address as the operator wrote it: `tcp://127.0.0.1:7700`, `ipc:///run/quiesce/admin`,
    /// `127.0.0.1:9464`.
    public var address: String
    /// The `errno` of the failed bind.
    public var code: Int32

    public init(_ listener: Listener, address: String, code: Int32) {
        self.listener = listener
        self.address = address
        self.code = code
    }

    public var description: String {
        "cannot \(listener.action) \(address): \(problem)"
    }

    /// What went wrong and the fix, ending with where the address is set.
    private var problem: String {
        let setting = "(\(listener.setting))"
        switch code {
        case EADDRINUSE:
            let holder = port.map { " (ss -ltnp 'sport = :\($0)' names it)" } ?? ""
            let other = isIPC ? "path" : "port"
            return "the address is in use, probably by \(listener.likelyHolder); stop it\(holder), "
                + "or give another \(other) \(setting)"
        case EACCES:
            if isIPC {
                return "permission denied: this user may not create a socket there; "
                    + "give a path in a directory it may write \(setting)"
            }
            if let port, port < 1024 {
                return "permission denied: a port below 1024 needs root or the CAP_NET_BIND_SERVICE capability; "
                    + "give a port from 1024 up \(setting)"
            }
            return "permission denied (a security module such as SELinux or AppArmor may forbid it); "
                + "give another address \(setting)"
        case EADDRNOTAVAIL:
            return "no interface of this host has the address \(host); "
                + "give one of its addresses, 127.0.0.1, or 0.0.0.0 for all of them \(setting)"
        case ENODEV:
            return "\(host) is neither an address nor an interface of this host; "
                + "give one of its addresses, 127.0.0.1, or 0.0.0.0 for all of them \(setting)"
        case ENOENT where isIPC:
            return "the socket's directory does not exist; create it or give another path \(setting)"
        default:
            return "\(String(cString: strerror(code))) \(setting)"
        }
    }

    private var isIPC: Bool { address.hasPrefix("ipc://") }

    /// The address without its scheme and port: `127.0.0.1`, `::1`.
    private var host: String {
        var text = Substring(address)
        if let scheme = text.firstRange(of: "://") { text = text[scheme.upperBound...] }
        if let colon = text.lastIndex(of: ":"), Int(text[text.index(after: colon)...]) != nil {
            text = text[..<colon]
        }
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        return String(text)
    }

    /// The port of a TCP address.
    private var port: Int? {
        guard !isIPC, let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }
}
