import Foundation
import Testing
import ZeroMQ

/// CurveZMQ through the wrapper, with a ZAP handler that admits one client key and names it.
@Suite("CURVE and ZAP", .serialized)
struct CurveTests {
    @Test("Generated keys are valid Z85 and the public key derives from the secret one")
    func keys() throws {
        let keys = try CurveKeyPair.generate()
        #expect(CurveKeyPair.isValidKey(keys.publicKey) && CurveKeyPair.isValidKey(keys.secretKey))
        #expect(CurveKeyPair.publicKey(of: keys.secretKey) == keys.publicKey)
        #expect(!CurveKeyPair.isValidKey("not a key"))
        #expect(try CurveKeyPair.generate() != keys)
    }

    @Test("The ZAP handler admits the allowed key with its User-Id, and refuses another key")
    func zapAdmitsOnlyTheAllowedKey() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let (server, handler) = try context.curveServer(serverKeys)
        let zap = try #require(handler)
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        var clients: [Socket] = []
        defer { context.closeAtOnce([zap, server] + clients) }
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()
        for keys in [allowed, stranger] {
            let client = try Socket(context: context, type: .dealer)
            try client.makeCurveClient(keys, serverKey: serverKeys.publicKey)
            try client.connect(endpoint)
            clients.append(client)
            _ = try client.send([Array("hello".utf8)])
        }

        var received: [ReceivedMessage] = []
        var answered = 0
        var poller = Poller([.socket(zap), .socket(server)])
        for _ in 0..<60 where received.isEmpty || answered < 2 {
            let readable = try poller.poll(timeoutMilliseconds: 50)
            if readable[0], let request = try zap.receive() {
                try answer(request, on: zap, allowing: allowed.publicKey)
                answered += 1
            }
            if readable[1], let message = try server.receive() { received.append(message) }
        }
        #expect(answered == 2, "both handshakes asked the ZAP handler")
        #expect(received.count == 1)
        #expect(received.first?.userID == "agent:api")
        #expect(received.first?.frames.last == Array("hello".utf8))
    }

    /// Answers a ZAP request (RFC 27): 200 with User-Id `agent:api` for `allowing`, 400 otherwise.
    private func answer(_ request: ReceivedMessage, on zap: Socket, allowing key: String) throws {
        let frames = request.frames
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let clientKey = frames.count > 6 ? Z85.encode(frames[6]) : ""
        let admitted = mechanism == "CURVE" && clientKey == key
        try zap.send([
            Array("1.0".utf8), frames[1], Array((admitted ? "200" : "400").utf8),
            Array((admitted ? "OK" : "unknown key").utf8),
            Array((admitted ? "agent:api" : "").utf8), [],
        ])
    }
}

extension CurveTests {
    @Test("Without a ZAP handler, ZAP_ENFORCE_DOMAIN makes a CURVE server refuse every client")
    func failsClosedWithoutHandler() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let (server, _) = try context.curveServer(serverKeys, zapHandler: false)
        let client = try Socket(context: context, type: .dealer)
        defer { context.closeAtOnce([server, client]) }
        try server.bind("tcp://127.0.0.1:*")
        try client.makeCurveClient(try CurveKeyPair.generate(), serverKey: serverKeys.publicKey)
        try client.connect(try server.lastEndpoint())
        _ = try client.send([Array("hello".utf8)])
        var poller = Poller([.socket(server)])
        var received = 0
        for _ in 0..<20 {
            _ = try poller.poll(timeoutMilliseconds: 50)
            while try server.receive() != nil { received += 1 }
        }
        #expect(received == 0)
    }
}
