import QuiesceCore
import Testing

/// An agent of two coordinators, a and b (connections 0 and 1), that follows whichever welcomed it
/// with the highest epoch: one event per line, with a manual clock.
@Suite("Following the leader of several coordinators")
struct LeaderFollowingTests {
    static let a = 0
    static let b = 1

    /// An agent of two coordinators that a welcomed with epoch 5 at time zero.
    static func followingA() -> LeaderFollowing {
        var rule = LeaderFollowing(connections: 2)
        #expect(rule.welcomed(on: a, epoch: 5, isEarlier: false, now: .zero) == .follow(a, epoch: 5))
        return rule
    }

    @Test("Before any welcome, the first connection's messages reach the machine, the others' are dropped")
    func beforeAnyWelcome() {
        let rule = LeaderFollowing(connections: 2)
        #expect(rule.leader == nil)
        #expect(rule.deadline == nil)
        #expect(rule.received(on: Self.a) == .deliver)
        #expect(rule.received(on: Self.b) == .drop)
        #expect(rule.connected(on: Self.b) == .deliver)
    }

    @Test("The first welcome makes its connection the leader, and the other is sent the registration every second")
    func firstWelcome() {
        var clock = ManualClock()
        var rule = LeaderFollowing(connections: 2)
        #expect(rule.welcomed(on: Self.b, epoch: 5, isEarlier: false, now: clock.now) == .follow(Self.b, epoch: 5))
        #expect(rule.leader?.connection == Self.b)
        #expect(rule.destination == Self.b)
        #expect(rule.deadline == clock.now + .seconds(1))
        clock.advance(by: .milliseconds(999))
        #expect(rule.timerFired(now: clock.now) == .none)
        clock.advance(by: .milliseconds(1))
        #expect(rule.timerFired(now: clock.now) == .register(on: [Self.a]))
        #expect(rule.deadline == clock.now + .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(rule.timerFired(now: clock.now) == .register(on: [Self.a]))
    }

    @Test("Only the leader's orders are delivered")
    func onlyTheLeader() {
        let rule = Self.followingA()
        #expect(rule.received(on: Self.a) == .deliver)
        #expect(rule.received(on: Self.b) == .drop)
    }

    @Test("A welcome of a higher epoch elsewhere moves the agent there; the old leader's orders are dropped")
    func higherEpochMoves() {
        var rule = Self.followingA()
        #expect(rule.welcomed(on: Self.b, epoch: 9, isEarlier: false, now: .zero) == .follow(Self.b, epoch: 9))
        #expect(rule.destination == Self.b)
        #expect(rule.received(on: Self.a) == .drop)
        #expect(rule.received(on: Self.b) == .deliver)
        #expect(rule.timerFired(now: .zero + .seconds(1)) == .register(on: [Self.a]))
    }

    @Test("A welcome elsewhere of the same or a lower epoch is dropped")
    func lowerOrEqualEpochElsewhere() {
        var rule = Self.followingA()
        #expect(rule.welcomed(on: Self.b, epoch: 5, isEarlier: false, now: .zero) == .drop)
        #expect(rule.welcomed(on: Self.b, epoch: 3, isEarlier: true, now: .zero) == .drop)
        #expect(rule.leader?.connection == Self.a)
    }

    @Test("A welcome the machine finds earlier is dropped even with no leader")
    func fencedWelcome() {
        var rule = LeaderFollowing(connections: 2)
        #expect(rule.welcomed(on: Self.b, epoch: 3, isEarlier: true, now: .zero) == .drop)
        #expect(rule.leader == nil)
    }

    @Test("The leader's welcome again is delivered; a restarted leader's higher epoch is taken")
    func leaderWelcomesAgain() {
        var rule = Self.followingA()
        #expect(rule.welcomed(on: Self.a, epoch: 5, isEarlier: false, now: .zero) == .deliver)
        #expect(rule.welcomed(on: Self.a, epoch: 7, isEarlier: false, now: .zero) == .deliver)
        #expect(rule.leader?.epoch == 7)
        #expect(rule.welcomed(on: Self.b, epoch: 6, isEarlier: false, now: .zero) == .drop)
    }

    @Test("A standby that does not lead changes nothing; the leader's standby loses it")
    func standby() {
        var rule = Self.followingA()
        #expect(rule.standby(on: Self.b, now: .zero) == .none)
        #expect(rule.leader?.connection == Self.a)
        #expect(rule.standby(on: Self.a, now: .zero) == .leaderLost)
        #expect(rule.leader == nil)
        #expect(rule.deadline == nil, "the machine's own registration goes everywhere now")
        #expect(rule.destination == Self.a, "a report repeated meanwhile goes on to the last leader")
        #expect(rule.received(on: Self.a) == .deliver)
        #expect(rule.welcomed(on: Self.b, epoch: 9, isEarlier: false, now: .zero) == .follow(Self.b, epoch: 9))
    }

    @Test("A standby before any welcome changes nothing: the machine goes on registering")
    func standbyBeforeWelcome() {
        var rule = LeaderFollowing(connections: 1)
        #expect(rule.standby(on: 0, now: .zero) == .none)
        #expect(rule.leader == nil)
        #expect(rule.welcomed(on: 0, epoch: 5, isEarlier: false, now: .zero) == .follow(0, epoch: 5))
    }

    @Test("Not registered elsewhere registers there at once and keeps the leader; from the leader it is the machine's")
    func notRegistered() {
        var rule = Self.followingA()
        #expect(rule.notRegistered(on: Self.b, isEarlier: false, now: .zero) == .register(on: [Self.b]))
        #expect(rule.leader?.connection == Self.a)
        #expect(rule.notRegistered(on: Self.b, isEarlier: true, now: .zero) == .drop)
        #expect(rule.notRegistered(on: Self.a, isEarlier: false, now: .zero) == .deliver)
        #expect(rule.leader == nil)
    }

    @Test("A refusal is obeyed from the leader or a higher epoch, dropped from a coordinator that does not lead")
    func refusal() {
        let rule = Self.followingA()
        #expect(rule.refused(on: Self.b, epoch: 5, isEarlier: false) == .drop)
        #expect(rule.refused(on: Self.b, epoch: nil, isEarlier: false) == .drop)
        #expect(rule.refused(on: Self.b, epoch: 6, isEarlier: false) == .deliver)
        #expect(rule.refused(on: Self.a, epoch: 5, isEarlier: false) == .deliver)
        #expect(rule.refused(on: Self.a, epoch: 4, isEarlier: true) == .drop)
        #expect(LeaderFollowing(connections: 2).refused(on: Self.b, epoch: nil, isEarlier: false) == .deliver)
    }

    @Test("A handshake with a coordinator that does not lead sends the registration there at once")
    func handshake() {
        let rule = Self.followingA()
        #expect(rule.connected(on: Self.b) == .register(on: [Self.b]))
        #expect(rule.connected(on: Self.a) == .deliver)
    }

    @Test("A silent leader is lost; the next welcome, wherever, is followed")
    func silentLeader() {
        var rule = Self.followingA()
        rule.coordinatorLost()
        #expect(rule.leader == nil)
        #expect(rule.timerFired(now: .zero + .seconds(5)) == .none)
        #expect(rule.welcomed(on: Self.a, epoch: 6, isEarlier: false, now: .zero) == .follow(Self.a, epoch: 6))
    }

    @Test("With one endpoint everything is delivered and nothing is repeated")
    func oneEndpoint() {
        var rule = LeaderFollowing(connections: 1)
        #expect(rule.received(on: 0) == .deliver)
        #expect(rule.welcomed(on: 0, epoch: 5, isEarlier: false, now: .zero) == .follow(0, epoch: 5))
        #expect(rule.deadline == nil)
        #expect(rule.timerFired(now: .zero + .seconds(10)) == .none)
        #expect(rule.received(on: 0) == .deliver)
        #expect(rule.connected(on: 0) == .deliver)
        #expect(rule.notRegistered(on: 0, isEarlier: false, now: .zero) == .deliver)
    }
}
