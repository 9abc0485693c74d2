import Glibc
import Testing
import ZeroMQ

@Suite("Poller")
struct PollerTests {
    /// The items of a reactor loop, named as a runtime names them.
    private enum Watched: Hashable {
        case quiet, busy, pipe
    }

    @Test("A poll names the readable items by their keys, sockets and file descriptors alike")
    func namedItems() throws {
        let context = try Context()
        let quiet = try Socket(context: context, type: .pair)
        let quietPeer = try Socket(context: context, type: .pair)
        let busy = try Socket(context: context, type: .pair)
        let busyPeer = try Socket(context: context, type: .pair)
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
            context.closeAtOnce([quiet, quietPeer, busy, busyPeer])
        }
        try quiet.bind("inproc://poller-quiet")
        try quietPeer.connect("inproc://poller-quiet")
        try busy.bind("inproc://poller-busy")
        try busyPeer.connect("inproc://poller-busy")
        var poller = Poller<Watched>([
            (.quiet, .socket(quiet)), (.busy, .socket(busy)), (.pipe, .fileDescriptor(pipeEnds[0])),
        ])

        let idle = try poller.poll(timeoutMilliseconds: 0)
        #expect(!idle[.quiet] && !idle[.busy] && !idle[.pipe])

        #expect(try busyPeer.send([Array("hello".utf8)]))
        let afterSend = try poller.poll(timeoutMilliseconds: 2000)
        #expect(afterSend[.busy])
        #expect(!afterSend[.quiet])
        #expect(!afterSend[.pipe])

        let byte: [UInt8] = [1]
        #expect(write(pipeEnds[1], byte, 1) == 1)
        let afterWrite = try poller.poll(timeoutMilliseconds: 2000)
        #expect(afterWrite[.pipe])
        #expect(afterWrite[.busy])
        #expect(!afterWrite[.quiet])
    }

    @Test("Items given without keys are named by their positions")
    func positionalItems() throws {
        let context = try Context()
        let a = try Socket(context: context, type: .pair)
        let b = try Socket(context: context, type: .pair)
        defer { context.closeAtOnce([a, b]) }
        try a.bind("inproc://poller-positions")
        try b.connect("inproc://poller-positions")
        var poller = Poller([.socket(a), .socket(b)])
        #expect(try b.send([Array("to a".utf8)]))
        let readable = try poller.poll(timeoutMilliseconds: 2000)
        #expect(readable[0])
        #expect(!readable[1])
    }
}
