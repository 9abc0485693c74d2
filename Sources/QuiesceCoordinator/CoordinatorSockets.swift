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
        try router.bind(endpoint)
        adminPlane = try adminBind.map { try Self.bindAdminPlane($0, context: context) }
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
        try admin.bind(endpoint)
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
