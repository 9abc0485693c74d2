import Testing
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

@Suite("ZeroMQ wrapper")
struct SocketTests {
    @Test("A DEALER's multipart message reaches a ROUTER with its routing id, and the reply comes back")
    func dealerRouterRoundTrip() throws {
        let context = try Context()
        let router = try Socket(context: context, type: .router)
        let dealer = try Socket(context: context, type: .dealer)
        defer { context.closeAtOnce([router, dealer]) }
        try router.set(.routerMandatory, Int32(1))
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(try router.lastEndpoint())

        #expect(try dealer.send([Array("hello".utf8), Array("world".utf8)]))
        let request = try receive(on: router)
        #expect(request.frames.count == 3)
        #expect(request.frames.dropFirst().map { String(decoding: $0, as: UTF8.self) } == ["hello", "world"])

        try router.send([request.frames[0], Array("reply".utf8)])
        let reply = try receive(on: dealer)
        #expect(reply.frames == [Array("reply".utf8)])
    }

    @Test("A ROUTER with ROUTER_MANDATORY reports an unknown peer as unreachable")
    func routerMandatoryUnreachable() throws {
        let context = try Context()
        let router = try Socket(context: context, type: .router)
        defer {
            router.close()
            context.terminate()
        }
        try router.set(.routerMandatory, Int32(1))
        #expect(throws: ZeroMQError.self) {
            try router.send([Array("nobody".utf8), Array("x".utf8)])
        }
    }

    @Test("Frames past the receiver's limit are discarded and the message is flagged truncated")
    func frameLimit() throws {
        let context = try Context()
        let a = try Socket(context: context, type: .pair)
        let b = try Socket(context: context, type: .pair)
        defer {
            a.close()
            b.close()
            context.terminate()
        }
        try a.bind("inproc://frame-limit")
        try b.connect("inproc://frame-limit")
        try b.send((0..<10).map { [UInt8($0)] })
        var poller = Poller([.socket(a)])
        _ = try poller.poll(timeoutMilliseconds: 2000)
        let message = try #require(try a.receive(maxFrames: 3))
        #expect(message.frames == [[0], [1], [2]])
        #expect(message.truncated)
    }

    @Test(
        "An IMMEDIATE DEALER cannot send before its connection is up, and says it can once the handshake is done, signalling its ZMQ_FD"
    )
    func immediateDealerCanSendOnceConnected() throws {
        let context = try Context()
        let dealer = try Socket(context: context, type: .dealer)
        let router = try Socket(context: context, type: .router)
        defer { context.closeAtOnce([dealer, router]) }
        try dealer.set(.immediate, Int32(1))
        try dealer.set(.reconnectInterval, Int32(20))
        let endpoint = "ipc:///tmp/quiesce-zeromq-immediate-\(getpid()).sock"
        try dealer.connect(endpoint)
        #expect(try dealer.canSend() == false, "no peer listens yet")
        #expect(try dealer.send([Array("lost".utf8)]) == false)

        try router.bind(endpoint)
        var poller = Poller([.fileDescriptor(try dealer.fileDescriptor())])
        var connected = false
        for _ in 0..<100 where !connected {
            _ = try poller.poll(timeoutMilliseconds: 100)
            connected = try dealer.canSend()
        }
        #expect(connected, "the DEALER could send within 10 s of the ROUTER's bind")
        #expect(try dealer.send([Array("hello".utf8)]))
        #expect(try receive(on: router).frames.last == Array("hello".utf8))
    }

    private func receive(on socket: Socket) throws -> ReceivedMessage {
        var poller = Poller([.socket(socket)])
        for _ in 0..<50 {
            _ = try poller.poll(timeoutMilliseconds: 100)
            if let message = try socket.receive() { return message }
        }
        throw ZeroMQError(code: 0, operation: "no message within 5 s")
    }
}
