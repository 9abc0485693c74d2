import QuiesceCore

/// Who listens to the coordinator's events (`quiesce events`), and the rule for one that cannot keep
/// up: the coordinator never waits for a subscriber.
///
/// Each subscriber's queue is its connection's send queue, bounded by the socket's high-water mark.
/// When that queue is full, the subscriber is dropped at once, counted, and owed a notice saying so,
/// which is tried again at every turn of the loop for ``noticeWindow``; one whose connection is gone
/// is only forgotten.
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
    /// How long a dropped subscriber is owed the notice. It can only be queued once the subscriber
    /// has read most of its full queue (a thousand events and the kernel's buffers, megabytes), and a
    /// subscriber is dropped for reading slowly: 30 s leaves it that time.
    static let noticeWindow: Duration = .seconds(30)
    /// What a dropped subscriber is told.
    static let droppedNotice =
        "events dropped: this subscriber read too slowly and its queue filled up; subscribe again (a gap in seq shows what was missed)"

    private(set) var subscribers: [Subscriber] = []
    /// Subscribers dropped for a full queue so far.
    private(set) var dropped = 0
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

    /// Whether the connection of `routingID` carries a subscriber, or one dropped that is still owed
    /// the notice: a connection the coordinator keeps, though its peer sends nothing.
    func holds(_ routingID: [UInt8]) -> Bool {
        subscribers.contains { $0.routingID == routingID } || owed.contains { $0.subscriber.routingID == routingID }
    }

    /// A send to `subscriber` found its queue full: it is dropped, counted, and owed the notice until
    /// `now + noticeWindow`.
    /// - Returns: whether it was a subscriber, now dropped.
    @discardableResult
    mutating func sendFailed(to subscriber: Subscriber, now: Timestamp) -> Bool {
        guard let index = subscribers.firstIndex(of: subscriber) else { return false }
        subscribers.remove(at: index)
        owed.append((subscriber, now + Self.noticeWindow))
        dropped += 1
        return true
    }

    /// `subscriber`'s connection is gone: it is forgotten, owed nothing, and not counted as dropped.
    mutating func left(_ subscriber: Subscriber) {
        subscribers.removeAll { $0 == subscriber }
        owed.removeAll { $0.subscriber == subscriber }
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
