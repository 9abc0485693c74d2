import Foundation
import Testing

@testable import ZeroMQ

/// The events a CURVE server's monitor reports for each kind of peer, which the coordinator counts.
@Suite("Socket monitor", .serialized)
struct SocketMonitorTests {
    @Test(
        "A CURVE server's monitor tells a refused key, a wrong server key, a plain peer and a silent one from an admitted key"
    )
    func handshakeOutcomes() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let (server, handler) = try context.curveServer(serverKeys)
        let zap = try #require(handler)
        let allowed = try CurveKeyPair.generate()
        var clients: [Socket] = []
        var monitor: SocketMonitor?
        var silentPeer: Int32 = -1
        defer {
            if silentPeer >= 0 { close(silentPeer) }
            monitor?.close()
            context.closeAtOnce([zap, server] + clients)
        }
        try server.set(.handshakeInterval, Int32(300))
        monitor = try SocketMonitor(
            server, context: context, events: [.handshakeSucceeded, .handshakeFailures, .accepted, .disconnected],
            address: "inproc://test.monitor")
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        func connectClient(_ configure: (Socket) throws -> Void) throws {
            let client = try Socket(context: context, type: .dealer)
            try configure(client)
            try client.connect(endpoint)
            _ = try client.send([Array("hello".utf8)])
            clients.append(client)
        }
        try connectClient { try $0.makeCurveClient(allowed, serverKey: serverKeys.publicKey) }
        try connectClient { try $0.makeCurveClient(try CurveKeyPair.generate(), serverKey: serverKeys.publicKey) }
        try connectClient { try $0.makeCurveClient(allowed, serverKey: try CurveKeyPair.generate().publicKey) }
        try connectClient { _ in }
        silentPeer = try Self.openTCPConnection(to: endpoint)

        var events: [SocketEvent] = []
        var poller = Poller([.socket(zap), .socket(monitor!.socket), .socket(server)])
        for _ in 0..<40 {
            let readable = try poller.poll(timeoutMilliseconds: 50)
            if readable[0], let request = try zap.receive() {
                let clientKey = Z85.encode(request.frames[6])
                let admitted = clientKey == allowed.publicKey
                try zap.send([
                    Array("1.0".utf8), request.frames[1], Array((admitted ? "200" : "400").utf8), [],
                    Array((admitted ? "agent:api" : "").utf8), [],
                ])
            }
            while let event = try monitor!.next() { events.append(event) }
            while try server.receive() != nil {}
        }
        // Refused peers may reconnect and fail again within the window, so kinds are checked, not counts.
        // A plain peer shows as a mechanism mismatch, or, when it notices first and hangs up, as a
        // handshake without detail, like the silent peer's.
        let failures = Set(events.compactMap(\.handshakeFailure))
        let mismatch = "mechanism mismatch: a plain peer on a CURVE socket, or the reverse"
        #expect(events.filter { $0.kind == .handshakeSucceeded }.count == 1)
        #expect(
            failures.subtracting([mismatch]) == [
                "the key is not allowed (ZAP status 400)",
                "cryptographic error: the peer has a wrong server key",
                "the peer sent no valid handshake in time, or closed the connection during it",
            ])
    }

    /// A TCP connection that sends nothing, as a port scanner's would.
    private static func openTCPConnection(to endpoint: String) throws -> Int32 {
        let port = UInt16(endpoint.split(separator: ":").last!)!
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(result == 0)
        return descriptor
    }
}

/// The coordinator ties what a connection sends to the connection the monitor reported accepted.
@Suite("Source descriptors")
struct SourceDescriptorTests {
    @Test("A message received on a ROUTER carries the descriptor the monitor reported for its connection")
    func messageNamesItsConnection() throws {
        let context = try Context()
        let server = try Socket(context: context, type: .router)
        var clients: [Socket] = []
        var monitor: SocketMonitor?
        defer {
            monitor?.close()
            context.closeAtOnce([server] + clients)
        }
        monitor = try SocketMonitor(
            server, context: context, events: [.accepted], address: "inproc://test.source-descriptor")
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()
        for name in ["first", "second"] {
            let client = try Socket(context: context, type: .dealer)
            try client.connect(endpoint)
            _ = try client.send([Array(name.utf8)])
            clients.append(client)
        }
        var accepted: [Int32] = []
        var descriptors: [String: Int32] = [:]
        var poller = Poller([.socket(monitor!.socket), .socket(server)])
        for _ in 0..<100 where descriptors.count < 2 || accepted.count < 2 {
            _ = try poller.poll(timeoutMilliseconds: 50)
            while let event = try monitor!.next() { accepted.append(Int32(bitPattern: event.value)) }
            while let message = try server.receive() {
                descriptors[String(decoding: message.frames[1], as: UTF8.self)] = message.sourceDescriptor
            }
        }
        #expect(accepted.count == 2)
        #expect(Set(descriptors.values) == Set(accepted), "\(descriptors) against \(accepted)")
        #expect(descriptors["first"] != descriptors["second"])
    }
}

/// A monitor closed while its socket still reports events: libzmq sends each event in blocking mode,
/// from the I/O thread, so an event for a reader that is gone would stall every socket of the context.
@Suite("Socket monitor closing")
struct SocketMonitorClosingTests {
    @Test(
        "Closing the monitor of a socket that keeps retrying its connection leaves the context's other sockets connecting"
    )
    func closingWhileEventsKeepComing() throws {
        let context = try Context()
        let retrying = try Socket(context: context, type: .dealer)
        try retrying.set(.reconnectInterval, Int32(10))
        try retrying.set(.reconnectIntervalMax, Int32(10))
        let monitor = try SocketMonitor(
            retrying, context: context, events: [.connectRetried], address: "inproc://test.closing-monitor")
        // Nothing listens on a port just released: every connection is refused, and retried each 10 ms.
        let placeholder = try Socket(context: context, type: .router)
        try placeholder.bind("tcp://127.0.0.1:*")
        let refusing = try placeholder.lastEndpoint()
        placeholder.close()
        try retrying.connect(refusing)
        var poller = Poller([.socket(monitor.socket)])
        _ = try poller.poll(timeoutMilliseconds: 5_000)
        #expect(try monitor.next()?.kind == .connectRetried)

        monitor.close()
        // Several retries, each an event, while the retrying socket stays open.
        Thread.sleep(forTimeInterval: 0.2)
        let server = try Socket(context: context, type: .router)
        let client = try Socket(context: context, type: .dealer)
        defer { context.closeAtOnce([server, client, retrying]) }
        try server.bind("tcp://127.0.0.1:*")
        try client.connect(try server.lastEndpoint())
        _ = try client.send([Array("still moving".utf8)])
        var serverPoller = Poller([.socket(server)])
        _ = try serverPoller.poll(timeoutMilliseconds: 5_000)
        let received = try server.receive()
        #expect(received?.frames.last == Array("still moving".utf8), "the context's I/O thread stalled")
    }
}
