import QuiesceCore

/// Who listens to the coordinator's events (`quiesce events`), and the rule for one that cannot keep
/// up: the coordinator never waits for a subscriber.
///
/// Each subscriber's queue is its connection's send queue, bounded by the socket's high-water mark.
/// When a send to it fails (that queue is full, or the subscriber is gone), it is dropped at once and
/// owed a notice saying so, which is tried again at every turn of the loop for ``noticeWindow``.
/// Between events each subscriber is sent a heartbeat every ``heartbeatInterval``, so that it can tell
/// a quiet coordinator from a gone one.
struct EventSubscriptions {
    struct Subscriber: Equatable {
        var routingID: [UInt8]
        var requestID: UInt64
    }

    /// The most subscribers at once; more are refused.
    static let maximum = 16
    static let heartbeatInterval: Duration = .seconds(1)
    static let noticeWindow: Duration = .seconds(10)
    /// What a dropped subscriber is told.
    static let droppedNotice =
        "events dropped: this subscriber read too slowly and its queue filled up; subscribe again (a gap in seq shows what was missed)"

    private(set) var subscribers: [Subscriber] = []
    private var owed: [(subscriber: Subscriber, until: Timestamp)] = []
    private var lastHeartbeat: Timestamp?

    var isEmpty: Bool { subscribers.isEmpty }

    enum Admission: Equatable {
        case subscribed
        /// The same request again: nothing changes.
        case alreadySubscribed
        /// ``maximum`` subscribers listen already.
        case full
    }

    mutating func subscribe(_ subscriber: Subscriber) -> Admission {
        if subscribers.contains(subscriber) { return .alreadySubscribed }
        guard subscribers.count < Self.maximum else { return .full }
        subscribers.append(subscriber)
        return .subscribed
    }

    /// A send to `subscriber` failed: it is dropped and owed the notice until `now + noticeWindow`.
    mutating func sendFailed(to subscriber: Subscriber, now: Timestamp) {
        guard let index = subscribers.firstIndex(of: subscriber) else { return }
        subscribers.remove(at: index)
        owed.append((subscriber, now + Self.noticeWindow))
    }

    /// The subscribers still owed the notice; those whose window has passed are forgotten.
    mutating func noticesDue(now: Timestamp) -> [Subscriber] {
        owed.removeAll { $0.until <= now }
        return owed.map(\.subscriber)
    }

    /// The notice reached `subscriber`.
    mutating func noticeDelivered(to subscriber: Subscriber) {
        owed.removeAll { $0.subscriber == subscriber }
    }

    /// Whether the subscribers are due a heartbeat; if so, it counts as sent now.
    mutating func heartbeatDue(now: Timestamp) -> Bool {
        if let lastHeartbeat, now - lastHeartbeat < Self.heartbeatInterval { return false }
        lastHeartbeat = now
        return true
    }
}
