import QuiesceCore

/// A clock the test moves by hand; every event is fed `clock.now`.
struct ManualClock {
    var now: Timestamp = .zero

    mutating func advance(by duration: Duration) {
        now = now + duration
    }
}
