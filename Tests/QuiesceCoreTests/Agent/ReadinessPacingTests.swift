import Testing

@testable import QuiesceCore

/// When readiness checks run before and after the first pass, and which failures are reported,
/// check by check with a manual clock.
@Suite("Readiness pacing")
struct ReadinessPacingTests {
    let probe = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1))

    /// A check that began at `clock.now`, took `duration` and ended with `error`; the clock is moved
    /// to its end.
    func check(
        _ pacing: inout ReadinessPacing, _ clock: inout ManualClock, taking duration: Duration = .zero,
        error: String? = "connection refused"
    ) -> ReadinessPacing.Verdict {
        pacing.checkBegan(now: clock.now)
        clock.advance(by: duration)
        return pacing.checkEnded(error: error, now: clock.now)
    }

    @Test("Before the first pass, checks follow each other the initial interval apart")
    func quickChecksAtFirst() {
        var clock = ManualClock()
        var pacing = ReadinessPacing(probe: probe, spawnedAt: clock.now)
        #expect(pacing.firstCheck == .zero)
        #expect(check(&pacing, &clock).nextCheck == .after(.milliseconds(10)))
        clock.advance(by: .milliseconds(10))
        #expect(check(&pacing, &clock).nextCheck == .after(.milliseconds(20)))
        clock.advance(by: .milliseconds(970))
        #expect(check(&pacing, &clock).nextCheck == .after(.milliseconds(990)), "1/100 of 980 ms is below 10 ms")
    }

    @Test("The wait grows to 1/100 of the time waited so far, and never past the interval")
    func waitGrowsWithTheWait() {
        var clock = ManualClock()
        var pacing = ReadinessPacing(probe: probe, spawnedAt: clock.now)
        clock.advance(by: .seconds(5))
        #expect(check(&pacing, &clock).nextCheck == .after(.milliseconds(5050)))
        clock.advance(by: .seconds(45))
        #expect(check(&pacing, &clock).nextCheck == .after(.milliseconds(50_500)))
        clock.advance(by: .seconds(150))
        #expect(check(&pacing, &clock).nextCheck == .after(.seconds(201)), "1/100 of 200 s is past the 1 s interval")
    }

    @Test("A slow check waits as long as it took, so checks take at most half of the time")
    func slowChecksWaitTheirDuration() {
        var clock = ManualClock()
        var pacing = ReadinessPacing(probe: probe, spawnedAt: clock.now)
        #expect(check(&pacing, &clock, taking: .milliseconds(300)).nextCheck == .after(.milliseconds(600)))
        clock.advance(by: .milliseconds(300))
        #expect(
            check(&pacing, &clock, taking: .seconds(2)).nextCheck == .after(.milliseconds(3600)),
            "never past the interval")
        #expect(
            pacing.checkEnded(error: "timeout", now: clock.now).nextCheck == .after(.milliseconds(2626)),
            "a result without a check begun counts as instant")
    }

    @Test("After the first pass, checks run at the interval, passed or failed")
    func intervalAfterTheFirstPass() {
        var clock = ManualClock()
        var pacing = ReadinessPacing(probe: probe, spawnedAt: clock.now)
        clock.advance(by: .milliseconds(30))
        #expect(
            check(&pacing, &clock, error: nil) == .init(nextCheck: .after(.milliseconds(1030)), reportsFailure: false))
        clock.advance(by: .seconds(1))
        #expect(check(&pacing, &clock) == .init(nextCheck: .after(.milliseconds(2030)), reportsFailure: false))
        clock.advance(by: .seconds(1))
        #expect(check(&pacing, &clock, error: nil).nextCheck == .after(.milliseconds(3030)))
    }

    @Test("An initial interval at the interval or beyond turns quick checks off")
    func quickChecksOff() {
        var clock = ManualClock()
        for initial in [Duration.seconds(1), .seconds(5)] {
            var slow = probe
            slow.initialInterval = initial
            var pacing = ReadinessPacing(probe: slow, spawnedAt: clock.now)
            #expect(check(&pacing, &clock).nextCheck == clock.now + .seconds(1))
        }
    }

    @Test("The first check waits the initial delay")
    func initialDelay() {
        var delayed = probe
        delayed.initialDelay = .seconds(3)
        #expect(ReadinessPacing(probe: delayed, spawnedAt: .after(.seconds(2))).firstCheck == .after(.seconds(5)))
    }

    @Test("Before the first pass a failure is reported when its reason changes, or an interval after the last report")
    func failureReports() {
        var clock = ManualClock()
        var pacing = ReadinessPacing(probe: probe, spawnedAt: clock.now)
        #expect(check(&pacing, &clock).reportsFailure, "the first failure")
        clock.advance(by: .milliseconds(10))
        #expect(!check(&pacing, &clock).reportsFailure, "the same reason again")
        clock.advance(by: .milliseconds(20))
        #expect(check(&pacing, &clock, error: "timeout").reportsFailure, "a new reason")
        clock.advance(by: .milliseconds(20))
        #expect(!check(&pacing, &clock, error: "timeout").reportsFailure)
        clock.advance(by: .milliseconds(979))
        #expect(!check(&pacing, &clock, error: "timeout").reportsFailure, "999 ms after the last report")
        clock.advance(by: .milliseconds(1))
        #expect(check(&pacing, &clock, error: "timeout").reportsFailure, "an interval after the last report")
        clock.advance(by: .milliseconds(10))
        #expect(!check(&pacing, &clock, error: "timeout").reportsFailure, "counted from that report")
    }
}
