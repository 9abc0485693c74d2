import QuiesceCore
import Testing

/// When the agent makes its socket to the coordinator anew after a failed handshake, event by event.
@Suite("Coordinator reconnection")
struct CoordinatorReconnectionTests {
    @Test("Nothing is due until a handshake fails; then a new socket is due once, after 100 ms")
    func firstFailure() {
        var clock = ManualClock()
        var reconnection = CoordinatorReconnection()
        #expect(reconnection.deadline == nil)
        var due = reconnection.socketDue(now: clock.now)
        #expect(!due)
        clock.advance(by: .seconds(3))
        let deadline = reconnection.handshakeFailed(now: clock.now)
        #expect(deadline == .after(.seconds(3)) + .milliseconds(100))
        #expect(reconnection.deadline == deadline)
        clock.advance(by: .milliseconds(99))
        due = reconnection.socketDue(now: clock.now)
        #expect(!due, "not before the backoff")
        clock.advance(by: .milliseconds(1))
        due = reconnection.socketDue(now: clock.now)
        #expect(due)
        #expect(reconnection.deadline == nil)
        due = reconnection.socketDue(now: clock.now)
        #expect(!due, "one new socket per failure")
    }

    @Test("Failures in a row double the backoff up to the maximum")
    func backoffGrows() throws {
        var clock = ManualClock()
        var reconnection = CoordinatorReconnection(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        var delays: [Duration] = []
        for _ in 0..<7 {
            let failed = reconnection.handshakeFailed(now: clock.now)
            let deadline = try #require(failed)
            delays.append(deadline - clock.now)
            clock.now = deadline
            let due = reconnection.socketDue(now: clock.now)
            #expect(due)
        }
        #expect(
            delays == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1), .seconds(1),
            ])
    }

    @Test("A failure while a new socket is due keeps its deadline and does not grow the backoff")
    func failureWhileDue() {
        var reconnection = CoordinatorReconnection()
        let first = reconnection.handshakeFailed(now: .zero)
        #expect(first == .after(.milliseconds(100)))
        let again = reconnection.handshakeFailed(now: .after(.milliseconds(50)))
        #expect(again == nil)
        #expect(reconnection.deadline == .after(.milliseconds(100)))
        let due = reconnection.socketDue(now: .after(.milliseconds(100)))
        #expect(due)
        let next = reconnection.handshakeFailed(now: .after(.milliseconds(150)))
        #expect(next == .after(.milliseconds(350)), "the second backoff of the row: 200 ms")
    }

    @Test("A handshake that succeeds calls a due socket off and starts the backoff over")
    func successResets() throws {
        var reconnection = CoordinatorReconnection()
        for step in 0..<4 {
            let failed = reconnection.handshakeFailed(now: .after(.seconds(Int64(step))))
            let deadline = try #require(failed)
            let due = reconnection.socketDue(now: deadline)
            #expect(due)
        }
        let longest = reconnection.handshakeFailed(now: .after(.seconds(10)))
        #expect(longest == .after(.seconds(10)) + .seconds(1))
        reconnection.handshakeSucceeded()
        #expect(reconnection.deadline == nil)
        let due = reconnection.socketDue(now: .after(.seconds(20)))
        #expect(!due, "libzmq's own reconnection succeeded")
        let next = reconnection.handshakeFailed(now: .after(.seconds(30)))
        #expect(next == .after(.seconds(30)) + .milliseconds(100))
    }

    @Test("A maximum below the first backoff is the first backoff")
    func maximumAtLeastInitial() {
        var reconnection = CoordinatorReconnection(initialDelay: .milliseconds(500), maximumDelay: .milliseconds(10))
        #expect(reconnection.maximumDelay == .milliseconds(500))
        let first = reconnection.handshakeFailed(now: .zero)
        #expect(first == .after(.milliseconds(500)))
        let due = reconnection.socketDue(now: .after(.milliseconds(500)))
        #expect(due)
        let second = reconnection.handshakeFailed(now: .after(.seconds(1)))
        #expect(second == .after(.milliseconds(1500)))
    }
}
