import Foundation
import QuiesceRuntime
import ZeroMQ

/// The coordinator's sockets, opened in its context and closed together: the ROUTER agents and the
/// CLI connect to with its monitor, the ZAP handler when there are keys, and the admin plane's
/// ROUTER when `coordinator.admin_bind` is set.
struct CoordinatorSockets {
    /// What the coordinator's loop waits on.
    enum PollItem: Hashable {
        /// The ROUTER socket agents and the CLI connect to.
        case router
        /// SIGTERM and SIGINT (a shutdown), SIGHUP (a reload of the keys).
        case signals
        /// Handshake events of the router.
        case monitor
        /// ZAP requests, with a `security:` block.
        case zap
        /// The admin plane's ROUTER, with `coordinator.admin_bind`.
        case adminPlane
        /// etcd's answers to the election's calls, with `coordinator.ha`.
        case leadership
    }

    let router: Socket
    let monitor: SocketMonitor
    let zap: Socket?
    let adminPlane: Socket?

    /// Binds the ZAP handler (before the CURVE socket, in the same context, as libzmq requires), the
    /// router at `endpoint` with `curve`'s server keys, and the admin plane at `adminBind`.
    init(context: Context, endpoint: String, curve: CurveKeyPair?, backlog: Int32, adminBind: String?) throws {
        if curve != nil {
            let handler = try Socket(context: context, type: .rep)
            try handler.bind("inproc://zeromq.zap.01")
            zap = handler
        } else {
            zap = nil
        }
        router = try Sockets.router(context: context, curve: curve, backlog: backlog)
        monitor = try SocketMonitor(
            router, context: context, events: [.handshakeFailures, .accepted, .disconnected, .acceptFailed],
            address: "inproc://quiesce.coordinator.monitor")
        try Self.bind(router, at: endpoint, for: .coordinator)
        adminPlane = try adminBind.map { try Self.bindAdminPlane($0, context: context) }
    }

    /// Binds `socket` at `endpoint`, a failure told as the ``ListenFailure`` of `listener`. An
    /// `ipc://` socket file that a running process still listens on is in use: libzmq would unlink it
    /// and take its place, and the process there (another coordinator) would lose its clients silently.
    private static func bind(_ socket: Socket, at endpoint: String, for listener: ListenFailure.Listener) throws {
        if endpoint.hasPrefix("ipc://"), isListening(String(endpoint.dropFirst("ipc://".count))) {
            throw ListenFailure(listener, address: endpoint, code: EADDRINUSE)
        }
        do {
            try socket.bind(endpoint)
        } catch let error as ZeroMQError {
            throw ListenFailure(listener, address: endpoint, code: error.code)
        }
    }

    /// Whether a process accepts connections on the Unix socket at `path`.
    private static func isListening(_ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let probe = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { Glibc.close(probe) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return connected == 0
    }

    /// The admin plane's ROUTER at `endpoint`, an `ipc://` path in a directory no other user may write
    /// to (another could replace the socket with theirs), its file created with no access for others
    /// and then set to mode 0600 for certain.
    private static func bindAdminPlane(_ endpoint: String, context: Context) throws -> Socket {
        let path = String(endpoint.dropFirst("ipc://".count))
        let directory = (path as NSString).deletingLastPathComponent
        try FilePermissions.check(
            directory.isEmpty ? "." : directory, as: .directory("the admin socket's directory (coordinator.admin_bind)")
        )
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        let admin = try Sockets.router(context: context)
        try bind(admin, at: endpoint, for: .adminPlane)
        guard chmod(path, 0o600) == 0 else {
            throw ZeroMQError(code: errno, operation: "chmod 0600 \(path)")
        }
        return admin
    }

    /// What the loop polls: these sockets, the signals' descriptor and the election's answers'.
    func pollItems(signals: Int32, leadership: Int32?) -> [(PollItem, Poller<PollItem>.Item)] {
        var items: [(PollItem, Poller<PollItem>.Item)] = [
            (.router, .socket(router)), (.signals, .fileDescriptor(signals)), (.monitor, .socket(monitor.socket)),
        ]
        if let zap { items.append((.zap, .socket(zap))) }
        if let adminPlane { items.append((.adminPlane, .socket(adminPlane))) }
        if let leadership { items.append((.leadership, .fileDescriptor(leadership))) }
        return items
    }

    /// Closes every socket without lingering on unsent messages, on the thread that owns the context.
    func close() {
        monitor.close()
        for socket in [router, zap, adminPlane].compactMap({ $0 }) {
            try? socket.set(.linger, Sockets.linger)
            socket.close()
        }
    }
}
