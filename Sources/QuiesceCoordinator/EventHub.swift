import Foundation
import Logging
import QuiesceCore
import QuiesceWire

/// The coordinator's one event stream and its three consumers: the subscribers of `quiesce events`,
/// the Prometheus metrics, and the timeline the report carries.
///
/// The runtime hands it every action the machine returns (``observe(_:retransmitting:now:)``) and the
/// few facts only the runtime sees (``emit(_:now:)``); ``CoordinatorEventSource`` turns them into
/// events. No consumer can slow the reactor: the recorder and the metrics are in memory, and a
/// subscriber is sent each event without waiting, dropped when its queue is full
/// (``EventSubscriptions``), which is logged (at most once every 10 s) and counted. A document is
/// encoded only when someone listens.
final class EventHub {
    /// What became of a message sent to a subscriber.
    enum Delivery {
        case queued
        /// Its connection's queue is full: it reads too slowly.
        case queueFull
        /// Its connection is gone.
        case gone
    }

    private var source = CoordinatorEventSource()
    private var recorder: TimelineRecorder
    private var subscriptions = EventSubscriptions()
    /// Set when the coordinator serves metrics.
    var metrics: CoordinatorMetrics?
    private let origin: Timestamp
    /// The wall clock's reading at `origin`, in seconds since 1970: events are stamped from it and
    /// their monotonic offset, without reading the wall clock for each.
    private let wallClockAtOrigin: Double
    private var sequence: UInt64 = 0
    private var countedRejections = StatusDocument.Rejections()
    private var lastRefresh: Timestamp?
    /// The last heartbeat sent to each instance's agent, while metrics are served: its message id and when.
    private var heartbeats: [InstanceID: (id: UInt64, at: Timestamp)] = [:]
    private let send: (Message, [UInt8], UInt64) -> Delivery
    private let logger: Logger
    /// Keeps a subscriber that subscribes and stalls over and over from flooding the log.
    private var dropLog = LogThrottle(interval: .seconds(10))

    /// - Parameter send: sends a message to a subscriber's routing id, in reply to its request.
    init(origin: Timestamp, logger: Logger, send: @escaping (Message, [UInt8], UInt64) -> Delivery) {
        self.origin = origin
        self.logger = logger
        self.wallClockAtOrigin = Date().timeIntervalSince1970
        self.recorder = TimelineRecorder(origin: origin)
        self.send = send
    }

    /// Tells the consumers what an action of the machine means, if anything.
    func observe(_ action: CoordinatorStateMachine.Action, retransmitting: Bool, now: Timestamp) {
        for event in source.events(of: action, retransmitting: retransmitting, now: now) { publish(event) }
    }

    /// Tells the consumers a fact the runtime learned itself.
    func emit(_ kind: CoordinatorEvent.Kind, now: Timestamp) {
        publish(CoordinatorEvent(at: now, kind))
    }

    /// The coordinator sent heartbeat `messageID` to the instance's agent; remembered only for the metrics.
    func heartbeatSent(to id: InstanceID, messageID: UInt64, now: Timestamp) {
        guard metrics != nil else { return }
        heartbeats[id] = (messageID, now)
    }

    /// The instance's agent sent a heartbeat answering `replyTo`: if that is the last one sent to
    /// it, the round trip is measured.
    func heartbeatAnswered(by id: InstanceID, replyTo: UInt64?, now: Timestamp) {
        guard let metrics, let replyTo, let sent = heartbeats[id], sent.id == replyTo else { return }
        heartbeats[id] = nil
        metrics.record(CoordinatorEvent(at: now, .heartbeatRoundTrip(id, after: now - sent.at)))
    }

    /// Adds a subscriber of `quiesce events`.
    func subscribe(routingID: [UInt8], requestID: UInt64) -> EventSubscriptions.Admission {
        subscriptions.subscribe(EventSubscriptions.Subscriber(routingID: routingID, requestID: requestID))
    }

    /// Whether the connection of `routingID` carries a subscriber (or one dropped and still owed its
    /// notice), which sends nothing once subscribed and must not be dropped as idle.
    func holdsSubscriber(_ routingID: [UInt8]) -> Bool {
        subscriptions.holds(routingID)
    }

    /// Once per turn of the loop: the rejection counters that grew become events, subscribers get
    /// their heartbeat and owed notices, and the metrics' gauges are refreshed once a second.
    func tick(rejections: StatusDocument.Rejections, now: Timestamp, status: (Timestamp) -> [ServiceStatus]) {
        let counters: [(CoordinatorEvent.Rejection, KeyPath<StatusDocument.Rejections, Int>)] = [
            (.malformedMessage, \.malformedMessages), (.refusedMessage, \.refusedMessages),
            (.rateLimitedRegistration, \.rateLimitedRegistrations), (.failedHandshake, \.failedHandshakes),
            (.droppedIdleConnection, \.droppedIdleConnections),
        ]
        if rejections != countedRejections {
            for (reason, counter) in counters where rejections[keyPath: counter] > countedRejections[keyPath: counter] {
                metrics?.rejected(reason, count: rejections[keyPath: counter] - countedRejections[keyPath: counter])
                emit(.rejected(reason, total: rejections[keyPath: counter]), now: now)
            }
            countedRejections = rejections
        }
        for subscriber in subscriptions.noticesDue(now: now) {
            switch send(.error(EventSubscriptions.droppedNotice), subscriber.routingID, subscriber.requestID) {
            case .queued: subscriptions.noticeDelivered(to: subscriber)
            case .queueFull: break
            case .gone: subscriptions.left(subscriber)
            }
        }
        if !subscriptions.isEmpty, subscriptions.heartbeatDue(now: now) {
            for subscriber in subscriptions.subscribers { deliver(.heartbeat, to: subscriber, now: now) }
        }
        if let metrics, lastRefresh.map({ now - $0 >= .seconds(1) }) ?? true {
            lastRefresh = now
            metrics.refresh(status(now))
        }
    }

    /// The timeline so far.
    func timeline(now: Timestamp, criticalPath: [String]) -> Timeline {
        recorder.timeline(now: now, criticalPath: criticalPath)
    }

    private func publish(_ event: CoordinatorEvent) {
        sequence += 1
        recorder.record(event)
        if let metrics {
            metrics.record(event)
            if case .registrationRefused = event.kind { metrics.rejected(.refusedRegistration, count: 1) }
        }
        guard !subscriptions.isEmpty else { return }
        let offset = event.at - origin
        let message = Message.event(
            EventDocument(event, seq: sequence, time: wallClockAtOrigin + offset.seconds, offset: offset))
        for subscriber in subscriptions.subscribers { deliver(message, to: subscriber, now: event.at) }
    }

    /// Sends `message` to `subscriber`, dropping it if its queue is full and forgetting it if it is gone.
    private func deliver(_ message: Message, to subscriber: EventSubscriptions.Subscriber, now: Timestamp) {
        switch send(message, subscriber.routingID, subscriber.requestID) {
        case .queued:
            break
        case .gone:
            subscriptions.left(subscriber)
        case .queueFull:
            guard subscriptions.sendFailed(to: subscriber, now: now) else { return }
            metrics?.subscriberDropped()
            if let unlogged = dropLog.record("dropped", now: now) {
                var metadata: Logger.Metadata = [
                    "reason": "its queue is full: it reads too slowly", "dropped_total": "\(subscriptions.dropped)",
                ]
                if unlogged > 0 { metadata["unlogged"] = "\(unlogged)" }
                logger.warning("Events subscriber dropped", metadata: metadata)
            }
        }
    }
}
