import QuiesceRuntime
import Testing

@Suite("Listen backlog")
struct ListenBacklogTests {
    @Test(
        "A thirty-second of the descriptor limit, from 32 to 1,024",
        arguments: [(256, 32), (1024, 32), (4096, 128), (20000, 625), (32768, 1024), (1_048_576, 1024)])
    func backlog(limit: Int, expected: Int32) {
        #expect(Sockets.backlog(descriptorLimit: limit) == expected)
    }

    @Test("Four queues always fit in the connection cap's reserve of an eighth of the limit")
    func fitsTheReserve() {
        for limit in stride(from: 256, through: 1_048_576, by: 997) {
            #expect(Int(Sockets.backlog(descriptorLimit: limit)) * 4 <= max(128, limit / 8))
        }
    }
}
