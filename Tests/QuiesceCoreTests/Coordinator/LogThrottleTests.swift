import QuiesceCore
import Testing

@Suite("LogThrottle")
struct LogThrottleTests {
    @Test("The first event of a key is logged, then one per interval with the count of those skipped")
    func throttlesPerKey() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = Timestamp.zero
        #expect(throttle.record("wrong key", now: start) == 0)
        #expect(throttle.record("wrong key", now: start + .seconds(1)) == nil)
        #expect(throttle.record("wrong key", now: start + .seconds(9)) == nil)
        #expect(throttle.record("plain peer", now: start + .seconds(9)) == 0, "another key is not held back")
        #expect(throttle.record("wrong key", now: start + .seconds(10)) == 2)
        #expect(throttle.record("wrong key", now: start + .seconds(25)) == 0)
    }
}
