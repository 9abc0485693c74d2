/// When an agent runs its next readiness check, and which failures it reports, without I/O.
///
/// Until the first check passes the agent checks quickly, so that a dependent is started soon after
/// its dependency becomes ready: the wait after a check is the probe's `initialInterval` (10 ms by
/// default), or 1/100 of the time waited since the process started if that is longer, or the last
/// check's own duration if that is longer still (a slow `exec` or `http` check takes at most half of
/// the time), and never more than `interval`. A service ready within 10 s is thus seen at most about
/// 100 ms late, one that takes longer at most 1 % late, and one that never becomes ready is soon
/// checked at the interval. Once a check has passed, the wait is `interval`. Checks never overlap:
/// the wait begins when a check ends.
///
/// Before the first pass, a failure is reported when its reason differs from the last one reported,
/// or `interval` after that report: the coordinator hears why the service is not ready yet, at the
/// pace of normal checks, however fast the checks run.
struct ReadinessPacing: Sendable {
    private enum State: Sendable {
        /// No check has passed yet; `lastReport` is the last failure reported, and when.
        case seekingFirstPass(lastReport: (reason: String, at: Timestamp)?)
        /// A check has passed: checks run at the interval.
        case passed
    }

    /// The fraction of the wait so far that the wait between two checks grows to before the first pass.
    static let lateness = 100

    private let probe: ReadinessProbe
    private let spawnedAt: Timestamp
    private var state: State = .seekingFirstPass(lastReport: nil)
    /// When the check under way began, if one is.
    private var checkBegan: Timestamp?

    /// The pacing of `probe`'s checks for a process spawned at `spawnedAt`.
    init(probe: ReadinessProbe, spawnedAt: Timestamp) {
        self.probe = probe
        self.spawnedAt = spawnedAt
    }

    /// When the first check runs: `initialDelay` after the spawn.
    var firstCheck: Timestamp { spawnedAt + probe.initialDelay }

    /// A check begins at `now`.
    mutating func checkBegan(now: Timestamp) {
        checkBegan = now
    }

    /// What follows a check that ended at `now`.
    struct Verdict: Equatable, Sendable {
        /// When the next check runs.
        var nextCheck: Timestamp
        /// Whether a failure before the first pass is reported to the coordinator.
        var reportsFailure: Bool
    }

    /// A check ended at `now`: `error` is `nil` when it passed, otherwise why it failed.
    mutating func checkEnded(error: String?, now: Timestamp) -> Verdict {
        let duration = checkBegan.map { now - $0 } ?? .zero
        checkBegan = nil
        switch (state, error) {
        case (.passed, _):
            return Verdict(nextCheck: now + probe.interval, reportsFailure: false)
        case (.seekingFirstPass, nil):
            state = .passed
            return Verdict(nextCheck: now + probe.interval, reportsFailure: false)
        case (.seekingFirstPass(let lastReport), let error?):
            let reports = lastReport.map { $0.reason != error || now - $0.at >= probe.interval } ?? true
            if reports { state = .seekingFirstPass(lastReport: (error, now)) }
            let wait = max(probe.initialInterval, (now - spawnedAt) / Self.lateness, duration)
            return Verdict(nextCheck: now + min(wait, probe.interval), reportsFailure: reports)
        }
    }
}
