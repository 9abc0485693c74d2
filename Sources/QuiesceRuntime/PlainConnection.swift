/// Whether a connection without CURVE keys may be made on an endpoint, and what the operator is told.
///
/// Without keys nothing tells a peer from any other: on `tcp://`, loopback included, any user of the
/// host (and beyond loopback anyone who reaches the address) can shut the fleet down, register as a
/// service's agent, or listen first and pose as the coordinator. So a plain `tcp://` connection needs
/// `--insecure`, on every side. An `ipc://` endpoint needs none when its socket's directory keeps
/// others out, by the rules of ``FilePermissions``:
/// - the coordinator binds its socket, whose mode comes from the umask, so its directory must be one
///   only its owner can open: owned by this user or root, no access at all for group or others (0700);
/// - an agent or a CLI command connects to a socket, so its directory must be one where nobody else
///   could have put that socket: owned by this user or root, writable by its owner only (the admin
///   plane's `/run/quiesce`, whose socket is 0600).
///
/// `inproc://` never leaves the process. Pure: the caller gives what `stat` said of the socket's
/// directory (see ``PlainConnection/check(_:side:insecure:)``).
public enum PlainConnection {
    /// Who makes the connection, which decides the rule and the words of a refusal.
    public enum Side: Sendable, Equatable {
        /// The coordinator, binding its main endpoint.
        case coordinator
        /// An agent, connecting to the coordinator.
        case agent
        /// An operator's command (`status`, `shutdown`, …), named for its messages.
        case command(String)
    }

    /// What `stat` said of an `ipc://` socket's directory, or why it could not say.
    public enum SocketDirectory: Sendable, Equatable {
        case found(path: String, mode: UInt32, owner: UInt32, currentUser: UInt32)
        case unreadable(path: String, reason: String)
    }

    /// The outcome for one connection.
    public enum Verdict: Sendable, Equatable {
        /// Nobody but this user can reach the endpoint, or pose as its peer: plain is safe.
        case allowed
        /// Plain on an endpoint others can reach, because `--insecure` was given: the one-line warning to print.
        case insecure(warning: String)
        /// Refused: what plain mode would allow there, and the fixes.
        case refused(String)
    }

    /// The verdict for a plain connection to or on `endpoint`.
    /// - Parameter socketDirectory: for an `ipc://` endpoint, its socket's directory as it is on disk.
    public static func verdict(endpoint: String, side: Side, insecure: Bool, socketDirectory: SocketDirectory?)
        -> Verdict
    {
        if endpoint.hasPrefix("inproc://") { return .allowed }
        let directoryProblem: String?
        if endpoint.hasPrefix("ipc://") {
            directoryProblem = problem(with: socketDirectory, for: side)
            if directoryProblem == nil { return .allowed }
        } else {
            directoryProblem = nil
        }
        let who = reach(of: endpoint)
        if insecure {
            return .insecure(
                warning:
                    "warning: --insecure: \(endpoint) is used without keys, neither encrypted nor authenticated: "
                    + "\(who) can stop the fleet and pose as an agent or as the coordinator")
        }
        let cause = directoryProblem.map { " (\($0))" } ?? ""
        switch side {
        case .coordinator:
            return .refused(
                "coordinator: refusing to listen on \(endpoint) without keys\(cause): \(who) could shut the fleet "
                    + "down, stop or start any service, and register as any service's agent. Make the fleet's keys "
                    + "with quiesce keygen --fleet FILE --out keys and pass --keys keys (or add the security: block it "
                    + "prints), or bind to ipc:// in a directory only you can open (chmod 700 DIR), "
                    + "or pass --insecure to accept this.")
        case .agent:
            return .refused(
                "agent: refusing to connect to \(endpoint) without keys\(cause): \(who) could pose as the "
                    + "coordinator and start, stop or kill this service, or register as this service's agent. "
                    + "Connect with --keys DIR (made by quiesce keygen --fleet) or --key and --server-key, "
                    + "or use an ipc:// endpoint in a directory others cannot write, or pass --insecure to accept this."
            )
        case .command(let name):
            return .refused(
                "\(name): refusing to connect to \(endpoint) without keys\(cause): \(who) can shut a plain fleet "
                    + "down or stop its services, and can listen there first and answer as the coordinator. "
                    + "Connect with --keys DIR (made by quiesce keygen --fleet) or --key and --server-key, "
                    + "or use the coordinator's admin socket (coordinator.admin_bind, ipc://), "
                    + "or pass --insecure to accept this.")
        }
    }

    /// What keeps an `ipc://` socket's directory from keeping others out; `nil` when nothing does.
    private static func problem(with directory: SocketDirectory?, for side: Side) -> String? {
        switch directory {
        case nil:
            return "its directory is unknown"
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        case .found(let path, let mode, let owner, let currentUser):
            if let problem = FilePermissions.problem(
                with: path, as: .directory("the socket's directory"), mode: mode, owner: owner,
                currentUser: currentUser)
            {
                return problem.description
            }
            let permissions = mode & 0o7777
            guard side == .coordinator, permissions & 0o077 != 0 else { return nil }
            let digits = String(permissions, radix: 8)
            let mode = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            return "\(path): the socket's directory may be opened by group or others (mode \(mode)), "
                + "who could connect to the socket; run chmod 700 \(path)"
        }
    }

    /// Who can reach `endpoint`, for the messages.
    private static func reach(of endpoint: String) -> String {
        guard endpoint.hasPrefix("tcp://") else { return "any user of this host" }
        let address = endpoint.dropFirst("tcp://".count)
        let loopback = address.hasPrefix("127.") || address.hasPrefix("localhost:") || address.hasPrefix("[::1]:")
        return loopback ? "any user of this host" : "anyone who can reach it"
    }
}
