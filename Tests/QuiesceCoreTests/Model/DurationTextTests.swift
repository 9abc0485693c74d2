import QuiesceCore
import Testing

@Suite("How durations print")
struct DurationTextTests {
    @Test(
        "In seconds, to the millisecond, without trailing zeros, never in minutes",
        arguments: [
            (Duration.zero, "0s"), (.seconds(60), "60s"), (.seconds(270), "270s"), (.milliseconds(1500), "1.5s"),
            (.milliseconds(10), "0.01s"), (.milliseconds(20), "0.02s"), (.milliseconds(120), "0.12s"),
            (.milliseconds(4), "0.004s"), (.milliseconds(500), "0.5s"), (.milliseconds(1234), "1.234s"),
            (.milliseconds(60_010), "60.01s"), (.seconds(86_400), "86400s"),
        ])
    func text(duration: Duration, expected: String) {
        #expect(duration.configurationText == expected)
        #expect(Duration(configurationText: expected) == duration, "printed as a configuration writes it")
    }

    @Test("Steps of 10 ms show, and what is below half a millisecond rounds")
    func rounding() {
        #expect(Duration.nanoseconds(1_234_500_000).configurationText == "1.235s")
        #expect(Duration.nanoseconds(1_234_499_999).configurationText == "1.234s")
        #expect(Duration.nanoseconds(400_000).configurationText == "0s")
        #expect(Duration.nanoseconds(999_600_000).configurationText == "1s")
        let steps = (0...10).map { Duration.milliseconds(10 * $0).configurationText }
        #expect(Set(steps).count == 11)
    }

    @Test(
        "Seconds from a document print the same, whatever they hold",
        arguments: [
            (0.0, "0s"), (0.004, "0.004s"), (0.01, "0.01s"), (0.07000000000000001, "0.07s"), (0.12, "0.12s"),
            (3.4449, "3.445s"), (60, "60s"), (270.0, "270s"), (-1.5, "-1.5s"), (-0.0001, "0s"), (1e300, "1e+300s"),
        ])
    func fromSeconds(seconds: Double, expected: String) {
        #expect(Duration.configurationText(seconds: seconds) == expected)
    }

    @Test("A Duration and its seconds print alike")
    func sameRule() {
        for milliseconds in [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59_999, 3_600_000] {
            let duration = Duration.milliseconds(milliseconds)
            #expect(duration.configurationText == Duration.configurationText(seconds: duration.seconds))
        }
    }
}
