import Foundation
import Testing

@testable import ZeroMQ

/// What a CURVE client's monitor reports, and what libzmq does next, when the peer at its endpoint is
/// not the server whose key it holds: why the agent makes its socket anew after a failed handshake.
@Suite("Client handshakes", .serialized)
struct ClientHandshakeTests {
    /// A CURVE client with a monitor of its handshakes, connected to `endpoint`.
    final class MonitoredClient {
        let socket: Socket
        let monitor: SocketMonitor

        init(context: Context, endpoint: String, serverKey: String, name: String) throws {
            socket = try Socket(context: context, type: .dealer)
            try socket.makeCurveClient(try CurveKeyPair.generate(), serverKey: serverKey)
            try socket.set(.reconnectInterval, Int32(50))
            monitor = try SocketMonitor(
                socket, context: context, events: [.handshakeFailures, .handshakeSucceeded],
                address: "inproc://test.client.\(name)")
            try socket.connect(endpoint)
        }

        /// The events reported within `milliseconds`, serving `server` meanwhile.
        func events(within milliseconds: Int, server: Socket) throws -> [SocketEvent] {
            var events: [SocketEvent] = []
            var poller = Poller([.socket(monitor.socket), .socket(server)])
            for _ in 0..<(milliseconds / 50) {
                _ = try poller.poll(timeoutMilliseconds: 50)
                while let event = try monitor.next() { events.append(event) }
                while try server.receive() != nil {}
            }
            return events
        }

        func close() {
            monitor.close()
            try? socket.set(.linger, Int32(0))
            socket.close()
        }
    }

    /// A CURVE ROUTER without ZAP (any client key passes), bound to `endpoint`. The port of a listener
    /// just closed is freed by libzmq's I/O thread a moment later: binding is tried again for 10 s at
    /// most. A socket that could not be bound is closed, so that the context can still terminate.
    static func curveServer(_ keys: CurveKeyPair, context: Context, endpoint: String) throws -> Socket {
        let server = try Socket(context: context, type: .router)
        do {
            try server.makeCurveServer(keys)
            for attempt in 1...200 {
                do {
                    try server.bind(endpoint)
                    break
                } catch  where attempt < 200 {
                    usleep(50_000)
                }
            }
            return server
        } catch {
            try? server.set(.linger, Int32(0))
            server.close()
            throw error
        }
    }

    @Test(
        "At a plain server a CURVE client reports a mechanism mismatch, and never tries the endpoint again, even once the right server listens there; a new socket succeeds"
    )
    func mechanismMismatchGivesUp() throws {
        let context = try Context()
        let keys = try CurveKeyPair.generate()
        let plain = try Socket(context: context, type: .router)
        try plain.bind("tcp://127.0.0.1:*")
        let endpoint = try plain.lastEndpoint()
        let client = try MonitoredClient(context: context, endpoint: endpoint, serverKey: keys.publicKey, name: "first")
        var sockets = [plain]
        defer {
            client.close()
            context.closeAtOnce(sockets)
        }
        let atPlain = try client.events(within: 1000, server: plain)
        #expect(
            atPlain.compactMap(\.handshakeFailure).contains(
                "mechanism mismatch: a plain peer on a CURVE socket, or the reverse"), "\(atPlain)")
        try? plain.set(.linger, Int32(0))
        plain.close()
        sockets = []

        let server = try Self.curveServer(keys, context: context, endpoint: endpoint)
        sockets = [server]
        let afterwards = try client.events(within: 1500, server: server)
        #expect(afterwards.isEmpty, "libzmq tried the endpoint again: \(afterwards)")

        let fresh = try MonitoredClient(context: context, endpoint: endpoint, serverKey: keys.publicKey, name: "fresh")
        defer { fresh.close() }
        let events = try fresh.events(within: 1500, server: server)
        #expect(events.contains { $0.kind == .handshakeSucceeded }, "\(events)")
    }

    @Test(
        "A CURVE client holding a wrong server key sees only a handshake failure without detail (the server hangs up), and libzmq tries again by itself"
    )
    func wrongServerKey() throws {
        let context = try Context()
        let server = try Self.curveServer(try CurveKeyPair.generate(), context: context, endpoint: "tcp://127.0.0.1:*")
        let client = try MonitoredClient(
            context: context, endpoint: try server.lastEndpoint(), serverKey: try CurveKeyPair.generate().publicKey,
            name: "wrong-key")
        defer {
            client.close()
            context.closeAtOnce([server])
        }
        let events = try client.events(within: 1500, server: server)
        #expect(events.count >= 2, "\(events)")
        let withoutDetail = events.filter(\.isHandshakeFailureWithoutDetail)
        #expect(withoutDetail.count == events.count, "\(events)")
    }
}
