import QuiesceCore
import QuiesceWire
import Testing

/// A named envelope, so that parameterized tests show which message they ran with.
struct Sample: Sendable, CustomTestStringConvertible {
    var name: String
    var envelope: Envelope

    init(_ name: String, _ envelope: Envelope) {
        self.name = name
        self.envelope = envelope
    }

    var testDescription: String { name }
}

/// Builds the frames of a message from a body written by hand, as another implementation would send it.
func frames(_ body: String, signature: String = "QSC/1") -> [[UInt8]] {
    [Array(signature.utf8), Array(body.utf8)]
}

/// The body frame of an encoded envelope, as text.
func bodyText(of envelope: Envelope) -> String {
    String(decoding: WireCodec.encode(envelope)[1], as: UTF8.self)
}

/// Every `type` the protocol defines (docs/protocol.md).
let allMessageTypes: Set<String> = [
    "register", "heartbeat", "started", "ready", "start_failed", "unready", "restarting", "exited", "stopped",
    "welcome", "refused", "standby", "start", "stop", "kill", "ack",
    "status_request", "status_reply", "shutdown_request", "operation_request", "stop_request", "progress", "report",
    "error", "events_request", "event",
]

let sampleStatus = StatusDocument(
    phase: "running",
    services: [
        ServiceStatus(
            service: "database", state: .ready, connected: true, host: "db-1", pid: 4100,
            uptime: .milliseconds(12_500), sinceLastChange: .milliseconds(12_500)),
        ServiceStatus(
            service: "api", state: .timedOut, connected: false, sinceLastChange: .seconds(3),
            detail: "not ready within its start timeout (30s)"),
        ServiceStatus(service: "worker", state: .waiting, connected: false, sinceLastChange: .zero),
    ])

let sampleEvent = EventDocument(
    CoordinatorEvent(
        at: Timestamp(sinceOrigin: .seconds(12)),
        .serviceStopped("api", .acknowledged(.stopped(.exited(0))), after: .milliseconds(1250))),
    seq: 42, time: 1_796_140_000.5, offset: .seconds(12))

let reportWithTimeline: ReportDocument = {
    var report = sampleReport
    report.timeline = TimelineDocument(
        Timeline(
            rows: [
                Timeline.Row(
                    service: "api", instance: "web-1",
                    segments: [
                        .init(.ready, from: .seconds(1), to: .seconds(2)),
                        .init(.stopping, from: .seconds(2), to: .seconds(3)),
                    ],
                    marks: [.init(.timedOut, at: .seconds(3))], outcome: "timed_out")
            ],
            waves: [.init(run: .shutdown, number: 1, began: .seconds(2), ended: .seconds(3))], criticalPath: ["api"],
            end: .seconds(3)))
    return report
}()

let sampleReport = ReportDocument(
    ShutdownReport(
        entries: [
            .init(service: "api", wave: 1, outcome: .acknowledged(.stopped(.exited(0))), duration: .milliseconds(1250)),
            .init(service: "worker", wave: 1, outcome: .timedOut, duration: .seconds(12)),
            .init(service: "cache", wave: 2, outcome: .notConnected, duration: nil),
            .init(service: "queue", wave: 2, outcome: .lost, duration: .milliseconds(300)),
            .init(
                service: "database", wave: 3, outcome: .killed(.killed, reason: .escalation),
                duration: .milliseconds(500)),
        ],
        total: .milliseconds(13_750), termination: .escalated, criticalPath: ["worker", "cache", "database"],
        startupFailure: StartupFailure(service: "api", reason: .timedOut(.seconds(30)), notStarted: ["worker"])))

let cleanReport = ReportDocument(
    ShutdownReport(
        entries: [.init(service: "api", wave: 1, outcome: .acknowledged(.notStarted), duration: .zero)],
        total: .milliseconds(20), termination: .completed, criticalPath: ["api"]))

/// At least one envelope per message type, and per stop outcome and exit status form.
let samples: [Sample] = [
    // Agent to coordinator.
    Sample(
        "register", Envelope(id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .idle))),
    Sample(
        "register: stopped on an order",
        Envelope(
            id: 1,
            message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .stopped(.stopped(.exited(0)))))
    ),
    Sample(
        "register: killed on an order",
        Envelope(id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .stopped(.killed)))),
    Sample(
        "register: not started on an order",
        Envelope(
            id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .stopped(.notStarted)))),
    Sample("heartbeat", Envelope(id: 2, message: .heartbeat)),
    Sample("started", Envelope(id: 3, message: .started(pid: 31337))),
    Sample("ready", Envelope(id: 4, message: .ready)),
    Sample(
        "start_failed",
        Envelope(id: 5, message: .startFailed(reason: "cannot execute /usr/bin/api: No such file or directory"))),
    Sample("exited with a code", Envelope(id: 6, message: .exited(.exited(3)))),
    Sample("exited on a signal", Envelope(id: 7, message: .exited(.signalled(11)))),
    Sample("stopped: stopped, code", Envelope(id: 8, replyTo: 40, message: .stopped(.stopped(.exited(0))))),
    Sample("stopped: stopped, signal", Envelope(id: 9, replyTo: 40, message: .stopped(.stopped(.signalled(15))))),
    Sample("stopped: killed_after_timeout", Envelope(id: 10, replyTo: 40, message: .stopped(.killedAfterTimeout))),
    Sample("stopped: killed", Envelope(id: 11, replyTo: 41, message: .stopped(.killed))),
    Sample(
        "stopped: already_exited, code", Envelope(id: 12, replyTo: 40, message: .stopped(.alreadyExited(.exited(1))))),
    Sample(
        "stopped: already_exited, signal",
        Envelope(id: 13, replyTo: 40, message: .stopped(.alreadyExited(.signalled(9))))),
    Sample("stopped: not_started", Envelope(id: 14, replyTo: 40, message: .stopped(.notStarted))),
    // Coordinator to agent.
    Sample(
        "welcome",
        Envelope(id: 20, replyTo: 1, message: .welcome(heartbeatInterval: .seconds(1), lostAfter: .seconds(5)))),
    Sample(
        "welcome, odd interval",
        Envelope(
            id: 21, replyTo: 1, message: .welcome(heartbeatInterval: .milliseconds(250), lostAfter: .milliseconds(1250))
        )),
    Sample(
        "refused",
        Envelope(
            id: 22, replyTo: 1,
            message: .refused(
                reason: "service \"apii\" is not in the coordinator's configuration (did you mean \"api\"?)"))),
    Sample(
        "standby", Envelope(id: 22, replyTo: 1, message: .standby(leader: "tcp://10.0.0.5:7700", leaderEpoch: 9))),
    Sample("standby, leader unknown", Envelope(id: 22, replyTo: 1, message: .standby(leader: nil, leaderEpoch: nil))),
    Sample("start", Envelope(id: 23, message: .start(readiness: nil, restart: nil))),
    Sample(
        "start with an http probe",
        Envelope(
            id: 23,
            message: .start(
                readiness: ReadinessProbe(
                    check: .http(url: "http://127.0.0.1:8080/healthz"), interval: .milliseconds(250),
                    timeout: .seconds(2),
                    failureThreshold: 5, initialDelay: .seconds(1)),
                restart: RestartPolicy(mode: .always, backoff: .seconds(2), limit: 10)))),
    Sample(
        "start with a tcp probe on IPv6",
        Envelope(id: 23, message: .start(readiness: ReadinessProbe(check: .tcp(host: "::1", port: 6379)), restart: nil))
    ),
    Sample(
        "start with an exec probe",
        Envelope(
            id: 23,
            message: .start(readiness: ReadinessProbe(check: .exec(command: "pg_isready -h 127.0.0.1")), restart: nil))),
    Sample(
        "restarting after a signal",
        Envelope(id: 25, message: .restarting(.signalled(9), attempt: 1, delay: .milliseconds(500)))),
    Sample("unready", Envelope(id: 24, message: .unready(reason: "connect to 127.0.0.1:5432: Connection refused"))),
    Sample("stop", Envelope(id: 24, message: .stop(timeout: .seconds(10), drain: .zero, exit: true))),
    Sample("stop, zero timeout", Envelope(id: 25, message: .stop(timeout: .zero, drain: .zero, exit: true))),
    Sample(
        "stop with a drain", Envelope(id: 25, message: .stop(timeout: .seconds(10), drain: .seconds(5), exit: true))),
    Sample("kill", Envelope(id: 26, message: .kill(exit: true))),
    Sample("ack", Envelope(id: 27, replyTo: 8, message: .ack)),
    // Operator and back.
    Sample("status_request", Envelope(id: 1, message: .statusRequest)),
    Sample("status_reply", Envelope(id: 30, replyTo: 1, message: .statusReply(sampleStatus))),
    Sample(
        "status_reply, empty",
        Envelope(id: 31, replyTo: 1, message: .statusReply(StatusDocument(phase: "shutting down", services: [])))),
    Sample("shutdown_request", Envelope(id: 2, message: .shutdownRequest())),
    Sample("progress", Envelope(id: 32, replyTo: 2, message: .progress("wave 1/3: stopping api, worker"))),
    Sample(
        // Control characters do not survive decoding unchanged: they arrive escaped (PeerTextDecodingTests).
        "progress, escapes and Unicode",
        Envelope(id: 33, replyTo: 2, message: .progress("JSON escapes: \"quoted\" a/b back\\slash é → ✓ 🚀"))),
    Sample("progress, empty", Envelope(id: 34, replyTo: 2, message: .progress(""))),
    Sample("report", Envelope(id: 35, replyTo: 2, message: .report(sampleReport))),
    Sample("operation_request", Envelope(id: 36, message: .operationRequest(.restart, service: "api"))),
    Sample("stop_request", Envelope(id: 37, message: .stopRequest)),
    Sample("stop without exit", Envelope(id: 38, message: .stop(timeout: .seconds(10), drain: .zero, exit: false))),
    Sample("report, clean", Envelope(id: 36, replyTo: 2, message: .report(cleanReport))),
    Sample("error", Envelope(id: 37, replyTo: 6, message: .error("not registered"))),
    Sample("events_request", Envelope(id: 3, message: .eventsRequest)),
    Sample("event", Envelope(id: 39, replyTo: 3, message: .event(sampleEvent))),
    Sample("report with a timeline", Envelope(id: 40, replyTo: 2, message: .report(reportWithTimeline))),
    // Correlation field extremes.
    Sample("id 0", Envelope(id: 0, message: .heartbeat)),
    Sample("id and reply_to at UInt64.max", Envelope(id: .max, replyTo: .max, message: .ack)),
    Sample(
        "register, dotted name and empty host",
        Envelope(id: 38, message: .register(service: "a.b-c_d", host: "", agentPID: 1, snapshot: .idle))),
]

extension ServiceStatus {
    /// A service of one instance, `a`, as status rows were before services had instances.
    init(
        service: String, state: ServiceState, connected: Bool, host: String? = nil, pid: Int32? = nil,
        uptime: Duration? = nil, sinceLastChange: Duration, detail: String? = nil
    ) {
        self.init(
            service: service, ready: state == .ready ? 1 : 0,
            instances: [
                InstanceStatus(
                    instance: "a", state: state, connected: connected, host: host, pid: pid, uptime: uptime,
                    sinceLastChange: sinceLastChange, detail: detail)
            ])
    }
}
