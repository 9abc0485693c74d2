import QuiesceCore
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
        #expect(cap.accepted(10, now: .zero) == .keep)
        #expect(cap.accepted(11, now: .zero) == .keep)
        #expect(cap.accepted(12, now: .zero) == .keep)
        #expect(cap.accepted(13, now: .zero) == .drop)
        #expect(cap.count == 4, "a dropped connection holds its descriptor until libzmq closes it")
        cap.disconnected(13)
        #expect(cap.accepted(14, now: .zero) == .drop, "the three first are still open")
        cap.disconnected(14)
        cap.disconnected(11)
        #expect(cap.count == 2)
        #expect(cap.accepted(11, now: .zero) == .keep, "a descriptor number is reused once closed")
        #expect(cap.accepted(15, now: .zero) == .drop)
    }

    @Test("A closing reported for a descriptor never seen changes nothing")
    func unknownClosingIsIgnored() {
        var cap = ConnectionCap(descriptorLimit: 200, inUse: 35)
        #expect(cap.accepted(7, now: .zero) == .keep)
        cap.disconnected(99)
        #expect(cap.count == 1)
    }

    /// A cap of 100 connections with an idle limit of 10 s; `t(n)` is n seconds after the origin.
    static func idleCap() -> ConnectionCap {
        ConnectionCap(descriptorLimit: 1000, inUse: 772, idleLimit: .seconds(10))
    }

    static func t(_ seconds: Double) -> Timestamp { Timestamp(sinceOrigin: .milliseconds(Int(seconds * 1000))) }

    static let agent: [UInt8] = [0, 0, 0, 0, 1]
    static let stranger: [UInt8] = [0, 0, 0, 0, 2]

    @Test("A connection that sent nothing valid is dropped once idle for the limit, and only once")
    func silentConnectionDropped() {
        var cap = Self.idleCap()
        #expect(cap.accepted(10, now: Self.t(0)) == .keep)
        #expect(cap.idleConnections(now: Self.t(9.9)) { _ in false }.isEmpty)
        #expect(cap.idleConnections(now: Self.t(11)) { _ in false } == [10])
        #expect(cap.idleConnections(now: Self.t(12)) { _ in false }.isEmpty, "already being dropped")
        #expect(cap.count == 1, "it holds its descriptor until libzmq reports it closed")
        cap.disconnected(10)
        #expect(cap.count == 0)
    }

    @Test("A valid message restarts the idle time; the connection of a held routing id is never idle")
    func heardAndHeldConnectionsKept() {
        var cap = Self.idleCap()
        _ = cap.accepted(10, now: Self.t(0))
        _ = cap.accepted(11, now: Self.t(0))
        _ = cap.accepted(12, now: Self.t(0))
        cap.heard(on: 10, from: Self.stranger, now: Self.t(8))
        cap.heard(on: 11, from: Self.agent, now: Self.t(1))
        let isHeld: ([UInt8]) -> Bool = { $0 == Self.agent }
        #expect(cap.idleConnections(now: Self.t(12), isHeld: isHeld) == [12], "12 never sent anything")
        #expect(cap.idleConnections(now: Self.t(17.9), isHeld: isHeld).isEmpty, "10 was heard 9.9 s ago")
        #expect(cap.idleConnections(now: Self.t(19), isHeld: isHeld) == [10])
        #expect(cap.idleConnections(now: Self.t(100), isHeld: isHeld).isEmpty, "the agent's is held")
        #expect(cap.idleConnections(now: Self.t(101)) { _ in false } == [11], "no longer held: idle since t+1")
    }

    @Test("Idle connections are looked for at most once a second")
    func idleCheckThrottled() {
        var cap = Self.idleCap()
        _ = cap.accepted(10, now: Self.t(0))
        #expect(cap.idleConnections(now: Self.t(9.5)) { _ in false }.isEmpty)
        #expect(cap.idleConnections(now: Self.t(10)) { _ in false }.isEmpty, "looked 0.5 s ago")
        #expect(cap.idleConnections(now: Self.t(10.5)) { _ in false } == [10])
    }

    @Test("A descriptor accepted again is a new connection, with its own idle time and no routing id")
    func reusedDescriptorStartsAgain() {
        var cap = Self.idleCap()
        _ = cap.accepted(10, now: Self.t(0))
        cap.heard(on: 10, from: Self.agent, now: Self.t(1))
        cap.disconnected(10)
        _ = cap.accepted(10, now: Self.t(5))
        #expect(cap.count == 1)
        let isHeld: ([UInt8]) -> Bool = { $0 == Self.agent }
        #expect(cap.idleConnections(now: Self.t(14), isHeld: isHeld).isEmpty, "accepted 9 s ago")
        #expect(
            cap.idleConnections(now: Self.t(15), isHeld: isHeld) == [10], "the agent's routing id was the old one's")
        _ = cap.accepted(10, now: Self.t(16))
        #expect(cap.count == 1, "an accept without a closing reported in between still replaces it")
    }

    @Test("A message on a descriptor never reported accepted is not the main socket's: it is never dropped")
    func unknownDescriptorIgnored() {
        var cap = Self.idleCap()
        cap.heard(on: 42, from: Self.stranger, now: Self.t(0))
        #expect(cap.count == 0)
        #expect(cap.idleConnections(now: Self.t(60)) { _ in false }.isEmpty)
    }

    @Test("A valid message read before its connection's accept was reported counts for that connection")
    func messageBeforeAcceptReport() {
        var cap = Self.idleCap()
        cap.heard(on: 10, from: Self.agent, now: Self.t(0))
        _ = cap.accepted(10, now: Self.t(0))
        let isHeld: ([UInt8]) -> Bool = { $0 == Self.agent }
        #expect(cap.idleConnections(now: Self.t(60), isHeld: isHeld).isEmpty, "its routing id is held")
        cap.disconnected(10)
        _ = cap.accepted(10, now: Self.t(61))
        #expect(cap.idleConnections(now: Self.t(71), isHeld: isHeld) == [10], "taken once, by that connection only")
    }

    @Test("A connection dropped past the cap is not dropped again for being idle")
    func cappedConnectionNotDroppedTwice() {
        var cap = ConnectionCap(descriptorLimit: 200, inUse: 71, idleLimit: .seconds(10))
        #expect(cap.limit == 1)
        #expect(cap.accepted(10, now: Self.t(0)) == .keep)
        #expect(cap.accepted(11, now: Self.t(0)) == .drop)
        #expect(cap.idleConnections(now: Self.t(11)) { _ in false } == [10])
    }

    @Test(
        "An idle connection still open 10 s after its read side was shut is shut both ways, once; one that closed is not"
    )
    func lingeringIdleConnectionEscalated() {
        var cap = ConnectionCap(descriptorLimit: 20000, inUse: 30, idleLimit: .seconds(10))
        _ = cap.accepted(10, now: Self.t(0))
        _ = cap.accepted(11, now: Self.t(0))
        #expect(cap.idleConnections(now: Self.t(10)) { _ in false } == [10, 11], "read sides shut at t+10")
        #expect(cap.stillOpenAfterReadShut(now: Self.t(19.5)).isEmpty, "9.5 s after")
        cap.disconnected(11)
        #expect(cap.stillOpenAfterReadShut(now: Self.t(21)) == [10], "11 closed at its end of file")
        #expect(cap.stillOpenAfterReadShut(now: Self.t(30)).isEmpty, "once")
        #expect(cap.idleConnections(now: Self.t(40)) { _ in false }.isEmpty, "still being dropped")
        #expect(cap.count == 1, "counted until libzmq reports it closed")
    }

    @Test("A connection dropped past the cap, already shut both ways, is never escalated")
    func cappedConnectionNotEscalated() {
        var cap = ConnectionCap(descriptorLimit: 200, inUse: 71, idleLimit: .seconds(10))
        _ = cap.accepted(10, now: Self.t(0))
        #expect(cap.accepted(11, now: Self.t(0)) == .drop)
        #expect(cap.stillOpenAfterReadShut(now: Self.t(60)).isEmpty)
    }
}
