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
        subscriptions.sendFailed(to: Self.subscriber(1), now: Self.at(0))
        #expect(subscriptions.subscribers == [Self.subscriber(2)], "no more events go to it")
        let due1 = subscriptions.noticesDue(now: Self.at(1))
        #expect(due1 == [Self.subscriber(1)])
        let due2 = subscriptions.noticesDue(now: Self.at(2))
        #expect(due2 == [Self.subscriber(1)], "its queue is still full")
        subscriptions.noticeDelivered(to: Self.subscriber(1))
        let due3 = subscriptions.noticesDue(now: Self.at(3))
        #expect(due3.isEmpty)
        subscriptions.sendFailed(to: Self.subscriber(2), now: Self.at(3))
        #expect(subscriptions.isEmpty)
        let due4 = subscriptions.noticesDue(now: Self.at(3) + EventSubscriptions.noticeWindow)
        #expect(due4.isEmpty, "gone for good")
        subscriptions.sendFailed(to: Self.subscriber(7), now: Self.at(4))
        let due5 = subscriptions.noticesDue(now: Self.at(4))
        #expect(due5.isEmpty, "one never subscribed is owed nothing")
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
