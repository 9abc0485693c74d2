import Foundation
import Testing
import ZeroMQ

/// A trap measured on this libzmq (4.3.4): a DEALER with `IMMEDIATE=1` discards the messages it has
/// received but not yet read when its peer closes the connection. Whoever must read a peer's last words
/// (the CLI reading the final report) connects without `IMMEDIATE`; the coordinator keeps serving for a
/// moment after its report so that agents, which keep `IMMEDIATE=1`, read their last acknowledgement.
@Suite("IMMEDIATE and messages received just before the peer closes")
struct ImmediateTests {
    @Test("Unread messages survive the peer's close only without IMMEDIATE", arguments: [false, true])
    func lastWordsAfterPeerClose(immediate: Bool) throws {
        let clientContext = try Context()
        let dealer = try Socket(context: clientContext, type: .dealer)
        defer { clientContext.closeAtOnce([dealer]) }
        try dealer.set(.immediate, Int32(immediate ? 1 : 0))

        let serverContext = try Context()
        let router = try Socket(context: serverContext, type: .router)
        try router.set(.linger, Int32(2000))
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(try router.lastEndpoint())
        var sent = false
        for _ in 0..<200 where !sent {
            sent = try dealer.send([Array("hello".utf8)])
            if !sent { usleep(5000) }
        }
        var routerPoller = Poller([.socket(router)])
        _ = try routerPoller.poll(timeoutMilliseconds: 2000)
        let request = try #require(try router.receive())
        for index in 0..<3 { try router.send([request.frames[0], Array("last \(index)".utf8)]) }
        usleep(50_000)
        router.close()
        serverContext.terminate()
        // Let the client's I/O thread see the disconnect before anything is read.
        usleep(300_000)

        var received = 0
        var poller = Poller([.socket(dealer)])
        for _ in 0..<5 {
            _ = try poller.poll(timeoutMilliseconds: 50)
            while try dealer.receive() != nil { received += 1 }
        }
        #expect(received == (immediate ? 0 : 3))
    }
}
