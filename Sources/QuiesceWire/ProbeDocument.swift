import QuiesceCore

/// A readiness probe on the wire, carried by the `start` order: exactly one of `tcp`, `http`, `exec`.
struct ProbeDocument: Codable, Equatable {
    var tcp: String?
    var http: String?
    var exec: String?
    var intervalMs: Int64
    var timeoutMs: Int64
    var failureThreshold: Int
    var initialDelayMs: Int64
    /// Absent from the probes of coordinators before it: the agent then uses the default.
    var initialIntervalMs: Int64?

    init(_ probe: ReadinessProbe) {
        switch probe.check {
        case .tcp(let host, let port): tcp = host.contains(Character(":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .http(let url): http = url
        case .exec(let command): exec = command
        }
        intervalMs = probe.interval.milliseconds
        timeoutMs = probe.timeout.milliseconds
        failureThreshold = probe.failureThreshold
        initialDelayMs = probe.initialDelay.milliseconds
        initialIntervalMs = probe.initialInterval.milliseconds
    }

    /// The probe, or `nil` when the document is not a valid one (``ReadinessProbe/Check/init(tcp:http:exec:)``
    /// and ``ReadinessProbe/init(validating:interval:timeout:failureThreshold:initialDelay:initialInterval:)``
    /// say which are).
    var probe: ReadinessProbe? {
        try? ReadinessProbe(
            validating: ReadinessProbe.Check(tcp: tcp, http: http, exec: exec), interval: .milliseconds(intervalMs),
            timeout: .milliseconds(timeoutMs), failureThreshold: failureThreshold,
            initialDelay: .milliseconds(initialDelayMs),
            initialInterval: initialIntervalMs.map { .milliseconds($0) } ?? ReadinessProbe.defaultInitialInterval)
    }
}

/// A restart policy on the wire, carried by the `start` order.
struct RestartDocument: Codable, Equatable {
    var policy: String
    var backoffMs: Int64
    var limit: Int

    init(_ policy: RestartPolicy) {
        self.policy = policy.mode.rawValue
        backoffMs = policy.backoff.milliseconds
        limit = policy.limit
    }

    /// The policy, or `nil` when the document is not a valid one: a backoff above 0 and at most
    /// ``Swift/Duration/longestSetting``, a limit of 0 or more.
    var restart: RestartPolicy? {
        guard let mode = RestartPolicy.Mode(rawValue: policy),
            (1...Duration.longestSetting.milliseconds).contains(backoffMs), limit >= 0
        else { return nil }
        return RestartPolicy(mode: mode, backoff: .milliseconds(backoffMs), limit: limit)
    }
}

/// An agent's snapshot on the wire, carried by `register`: `state` and, by state, `pid` or the exit
/// status. Absent means `idle`. A stop that ended on an order adds its `outcome` (a `stopped`
/// message's code) to `exited`, or to `idle` for `not_started`, which a receiver that does not know
/// the field reads as before.
struct SnapshotDocument: Codable, Equatable {
    var state: String
    var pid: Int32?
    var exitCode: Int32?
    var signal: Int32?
    var outcome: String?

    /// What `exited` says of a process killed on an order, whose outcome carries no exit status.
    private static let killedStatus = ExitStatus.signalled(9)

    init(_ snapshot: AgentSnapshot) {
        switch snapshot {
        case .idle: state = "idle"
        case .starting(let pid): (state, self.pid) = ("starting", pid)
        case .ready(let pid): (state, self.pid) = ("ready", pid)
        case .stopping(let pid): (state, self.pid) = ("stopping", pid)
        case .exited(let status): (state, exitCode, signal) = ("exited", status.exitCode, status.signal)
        case .stopped(.notStarted): (state, outcome) = ("idle", StopOutcome.notStarted.code)
        case .stopped(let stop):
            let status = stop.status ?? Self.killedStatus
            (state, exitCode, signal, outcome) = ("exited", status.exitCode, status.signal, stop.code)
        }
    }

    /// The snapshot, or `nil` when the document is not a valid one.
    var snapshot: AgentSnapshot? {
        let status = ExitStatus(exitCode: exitCode, signal: signal)
        if let outcome {
            guard let stop = StopOutcome(code: outcome, status: status) else { return nil }
            switch (state, stop) {
            case ("idle", .notStarted): return .stopped(stop)
            case ("exited", _) where stop != .notStarted && status != nil: return .stopped(stop)
            default: return nil
            }
        }
        switch (state, pid, status) {
        case ("idle", _, _): return .idle
        case ("starting", let pid?, _): return .starting(pid: pid)
        case ("ready", let pid?, _): return .ready(pid: pid)
        case ("stopping", let pid?, _): return .stopping(pid: pid)
        case ("exited", _, let status?): return .exited(status)
        default: return nil
        }
    }
}
