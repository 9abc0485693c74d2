import QuiesceCore
import Testing

@testable import QuiesceCoordinator

@Suite("Event subscriptions")
struct EventSubscriptionsTests {
    static func subscriber(_ byte: UInt8) -> EventSubscriptions.Subscriber {
        EventSubscriptions.Subscriber(routingID: [byte], requestID: UInt64(byte))
    }

    static func at(_ seconds: Int) -> Timestamp { Timestamp(sinceOrigin: .seconds(seconds)) }

    @Test("Subscribers are added once each, up to the maximum")
    func admission() {
        var subscriptions = EventSubscriptions()
        #expect(subscriptions.isEmpty)
        #expect(subscriptions.subscribe(Self.subscriber(1)) == .subscribed)
        #expect(subscriptions.subscribe(Self.subscriber(1)) == .alreadySubscribed)
        for byte in 2...UInt8(EventSubscriptions.maximum) {
            #expect(subscriptions.subscribe(Self.subscriber(byte)) == .subscribed)
        }
        #expect(subscriptions.subscribe(Self.subscriber(99)) == .full)
        #expect(subscriptions.subscribers.count == EventSubscriptions.maximum)
    }

    @Test("A failed send drops the subscriber at once; it is owed the notice until told or its window passes")
    func slowSubscriberIsDroppedAndTold() {
        var subscriptions = EventSubscriptions()
        _ = subscriptions.subscribe(Self.subscriber(1))
        _ = subscriptions.subscribe(Self.subscriber(2))
        let droppedFirst = subscriptions.sendFailed(to: Self.subscriber(1), now: Self.at(0))
        #expect(droppedFirst)
        #expect(subscriptions.subscribers == [Self.subscriber(2)], "no more events go to it")
        #expect(subscriptions.dropped == 1)
        let due1 = subscriptions.noticesDue(now: Self.at(1))
        #expect(due1 == [Self.subscriber(1)])
        let due2 = subscriptions.noticesDue(now: Self.at(2))
        #expect(due2 == [Self.subscriber(1)], "its queue is still full")
        subscriptions.noticeDelivered(to: Self.subscriber(1))
        let due3 = subscriptions.noticesDue(now: Self.at(3))
        #expect(due3.isEmpty)
        let droppedSecond = subscriptions.sendFailed(to: Self.subscriber(2), now: Self.at(3))
        #expect(droppedSecond)
        #expect(subscriptions.isEmpty)
        #expect(subscriptions.dropped == 2)
        let due4 = subscriptions.noticesDue(now: Self.at(3) + EventSubscriptions.noticeWindow)
        #expect(due4.isEmpty, "gone for good")
        let droppedStranger = subscriptions.sendFailed(to: Self.subscriber(7), now: Self.at(4))
        #expect(!droppedStranger)
        let due5 = subscriptions.noticesDue(now: Self.at(4))
        #expect(due5.isEmpty, "one never subscribed is owed nothing")
        #expect(subscriptions.dropped == 2, "nor counted")
    }

    @Test("A subscriber whose connection is gone is forgotten: owed no notice, not counted as dropped")
    func goneSubscriberIsForgotten() {
        var subscriptions = EventSubscriptions()
        _ = subscriptions.subscribe(Self.subscriber(1))
        _ = subscriptions.subscribe(Self.subscriber(2))
        subscriptions.left(Self.subscriber(1))
        #expect(subscriptions.subscribers == [Self.subscriber(2)])
        let due = subscriptions.noticesDue(now: Self.at(1))
        #expect(due.isEmpty)
        #expect(subscriptions.dropped == 0)
        let dropped = subscriptions.sendFailed(to: Self.subscriber(2), now: Self.at(1))
        #expect(dropped)
        subscriptions.left(Self.subscriber(2))
        let afterLeaving = subscriptions.noticesDue(now: Self.at(2))
        #expect(afterLeaving.isEmpty, "a dropped subscriber that then went away is owed nothing more")
        #expect(subscriptions.dropped == 1)
    }

    @Test("A subscriber's connection is held while it listens and while it is owed the notice, then let go")
    func heldConnections() {
        var subscriptions = EventSubscriptions()
        #expect(!subscriptions.holds([1]))
        _ = subscriptions.subscribe(Self.subscriber(1))
        _ = subscriptions.subscribe(Self.subscriber(2))
        #expect(subscriptions.holds([1]) && subscriptions.holds([2]) && !subscriptions.holds([3]))
        subscriptions.sendFailed(to: Self.subscriber(1), now: Self.at(0))
        #expect(subscriptions.holds([1]), "owed the notice, which needs its connection")
        subscriptions.noticeDelivered(to: Self.subscriber(1))
        #expect(!subscriptions.holds([1]))
        subscriptions.sendFailed(to: Self.subscriber(2), now: Self.at(0))
        _ = subscriptions.noticesDue(now: Self.at(0) + EventSubscriptions.noticeWindow)
        #expect(!subscriptions.holds([2]), "its notice window has passed")
    }

    @Test("Heartbeats are due once a second")
    func heartbeats() {
        var subscriptions = EventSubscriptions()
        let first = subscriptions.heartbeatDue(now: Self.at(0))
        let soon = subscriptions.heartbeatDue(now: Timestamp(sinceOrigin: .milliseconds(900)))
        let second = subscriptions.heartbeatDue(now: Self.at(1))
        #expect(first && !soon && second)
    }
}
