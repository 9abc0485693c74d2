import QuiesceCore
import Testing

@testable import QuiesceConfiguration

@Suite("Compose durations (Go's time.ParseDuration)")
struct ComposeDurationTests {
    @Test(
        "Go durations are read to the nanosecond",
        arguments: [
            ("1m30s", Duration.seconds(90)), ("1.5s", .milliseconds(1500)), ("300ms", .milliseconds(300)),
            ("2h", .seconds(7200)), ("10s", .seconds(10)), ("0", .zero), ("0s", .zero), ("+5s", .seconds(5)),
            (".5s", .milliseconds(500)), ("1.s", .seconds(1)), ("1h2m3s4ms5us6ns", .nanoseconds(3_723_004_005_006)),
            ("1us", .microseconds(1)), ("1\u{00B5}s", .microseconds(1)), ("1\u{03BC}s", .microseconds(1)),
            ("1.0000000001s", .seconds(1)), ("0.000000001s", .nanoseconds(1)), ("1.5h", .seconds(5400)),
            ("2m0.25s", .milliseconds(120_250)), ("010s", .seconds(10)), ("2562047h", .seconds(2_562_047 * 3600)),
        ])
    func parses(text: String, expected: Duration) {
        #expect(Duration(composeText: text) == expected)
    }

    @Test(
        "Anything else is not a Go duration",
        arguments: [
            "", "10", "1.5", "s", ".s", ".", "-5s", "-0", "1m30", "1 s", " 1s", "1s ", "5sec", "1d", "1S", "1e3s",
            "1..5s",
            "1.2.3s", "+", "ten", "1m-30s", "9223372037s", "2562048h", "99999999999999999999ns",
        ])
    func refuses(text: String) {
        #expect(Duration(composeText: text) == nil)
    }
}
