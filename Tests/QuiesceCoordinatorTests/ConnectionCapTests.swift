import Testing

@testable import QuiesceCoordinator

@Suite("Connection cap")
struct ConnectionCapTests {
    @Test("The limit leaves the descriptors open at start and a reserve of an eighth, 128 at least, free")
    func limitKeepsAReserve() {
        #expect(ConnectionCap(descriptorLimit: 256, inUse: 30).limit == 256 - 30 - 128)
        #expect(ConnectionCap(descriptorLimit: 20000, inUse: 30).limit == 20000 - 30 - 2500)
        #expect(ConnectionCap(descriptorLimit: 128, inUse: 30).limit == 1, "never below one connection")
    }

    @Test("Past the limit the newest connection is dropped; one that closed frees its place")
    func dropsTheNewestPastTheLimit() {
        var cap = ConnectionCap(descriptorLimit: 200, inUse: 69)
        #expect(cap.limit == 3)
        #expect(cap.accepted(10) == .keep)
        #expect(cap.accepted(11) == .keep)
        #expect(cap.accepted(12) == .keep)
        #expect(cap.accepted(13) == .drop)
        #expect(cap.count == 4, "a dropped connection holds its descriptor until libzmq closes it")
        cap.disconnected(13)
        #expect(cap.accepted(14) == .drop, "the three first are still open")
        cap.disconnected(14)
        cap.disconnected(11)
        #expect(cap.count == 2)
        #expect(cap.accepted(11) == .keep, "a descriptor number is reused once closed")
        #expect(cap.accepted(15) == .drop)
    }

    @Test("A closing reported for a descriptor never seen changes nothing")
    func unknownClosingIsIgnored() {
        var cap = ConnectionCap(descriptorLimit: 200, inUse: 35)
        #expect(cap.accepted(7) == .keep)
        cap.disconnected(99)
        #expect(cap.count == 1)
    }
}
