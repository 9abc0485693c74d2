import QuiesceCore
import Testing

@testable import QuiesceCoordinator

/// When the coordinator may exit after its report: once every connection it acknowledged a report
/// on has closed.
@Suite("Final acknowledgements")
struct FinalAcknowledgementsTests {
    let start = Timestamp(sinceOrigin: .seconds(10))

    @Test("Nothing acknowledged: nothing to wait for")
    func nothingSent() {
        let acknowledgements = FinalAcknowledgements()
        #expect(acknowledgements.allRead(now: start))
        #expect(acknowledgements.readWithoutClosing == nil)
    }

    @Test("Read once every connection acknowledged has closed, in any order")
    func waitsForEveryConnection() {
        var acknowledgements = FinalAcknowledgements()
        acknowledgements.sent(on: 12, now: start)
        acknowledgements.sent(on: 14, now: start)
        acknowledgements.sent(on: 12, now: start + .milliseconds(5))
        #expect(!acknowledgements.allRead(now: start + .seconds(1)), "however long it has been")
        #expect(acknowledgements.readWithoutClosing == nil)
        acknowledgements.closed(14)
        #expect(!acknowledgements.allRead(now: start))
        acknowledgements.closed(13)
        #expect(!acknowledgements.allRead(now: start), "another connection closing says nothing")
        acknowledgements.closed(12)
        #expect(acknowledgements.allRead(now: start))
    }

    @Test("A report read after its connection closed is acknowledged on a connection gone: not waited for")
    func acknowledgedAfterItsClose() {
        var acknowledgements = FinalAcknowledgements()
        acknowledgements.sent(on: 12, now: start)
        acknowledgements.closed(12)
        // The agent's repeated report, read after the close was.
        acknowledgements.sent(on: 12, now: start + .milliseconds(1))
        #expect(acknowledgements.allRead(now: start + .milliseconds(2)))
    }

    @Test("A connection accepted again on a closed descriptor is a new one, waited for")
    func descriptorAcceptedAgain() {
        var acknowledgements = FinalAcknowledgements()
        acknowledgements.sent(on: 12, now: start)
        acknowledgements.closed(12)
        acknowledgements.accepted(12)
        acknowledgements.sent(on: 12, now: start + .milliseconds(1))
        #expect(!acknowledgements.allRead(now: start + .milliseconds(2)))
        acknowledgements.closed(12)
        #expect(acknowledgements.allRead(now: start + .milliseconds(3)))
    }

    @Test("An acknowledgement on an unknown connection is given the grace to be read")
    func unplaced() {
        var acknowledgements = FinalAcknowledgements()
        acknowledgements.sent(on: nil, now: start)
        #expect(!acknowledgements.allRead(now: start + .milliseconds(49)))
        #expect(acknowledgements.readWithoutClosing == start + FinalAcknowledgements.unplacedGrace)
        #expect(acknowledgements.allRead(now: start + .milliseconds(50)))
        acknowledgements.sent(on: 7, now: start)
        #expect(!acknowledgements.allRead(now: start + .seconds(1)))
        #expect(acknowledgements.readWithoutClosing == nil, "a known connection must close")
        acknowledgements.closed(7)
        #expect(acknowledgements.allRead(now: start + .milliseconds(50)))
    }
}
