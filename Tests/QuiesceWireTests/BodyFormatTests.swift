import QuiesceCore
import QuiesceWire
import Testing

/// The exact bytes other implementations see: snake_case keys, sorted, no whitespace, absent optionals omitted.
@Suite("QSC/1 body format")
struct BodyFormatTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var envelope: Envelope
        var json: String
        var testDescription: String { json }
    }

    static let expectations: [Expected] = [
        Expected(
            envelope: Envelope(id: 7, message: .stop(timeout: .seconds(10), drain: .zero, exit: true)),
            json: #"{"id":7,"timeout_ms":10000,"type":"stop"}"#),
        Expected(
            envelope: Envelope(
                id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .idle)),
            json: #"{"agent_pid":4242,"host":"web-1","id":1,"service":"api","type":"register"}"#),
        Expected(
            envelope: Envelope(
                id: 3, replyTo: 1, message: .welcome(heartbeatInterval: .seconds(1), lostAfter: .seconds(5))),
            json: #"{"heartbeat_interval_ms":1000,"id":3,"lost_after_ms":5000,"reply_to":1,"type":"welcome"}"#),
        Expected(
            envelope: Envelope(id: 4, replyTo: 1, message: .refused(reason: "taken")),
            json: #"{"id":4,"reason":"taken","reply_to":1,"type":"refused"}"#),
        Expected(envelope: Envelope(id: 5, message: .heartbeat), json: #"{"id":5,"type":"heartbeat"}"#),
        Expected(
            envelope: Envelope(id: 6, message: .start(readiness: nil, restart: nil)), json: #"{"id":6,"type":"start"}"#),
        Expected(
            envelope: Envelope(
                id: 6,
                message: .start(readiness: ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432)), restart: nil)),
            json:
                #"{"id":6,"readiness":{"failure_threshold":3,"initial_delay_ms":0,"initial_interval_ms":10,"interval_ms":1000,"tcp":"127.0.0.1:5432","timeout_ms":1000},"type":"start"}"#
        ),
        Expected(
            envelope: Envelope(id: 9, message: .unready(reason: "connection refused")),
            json: #"{"id":9,"reason":"connection refused","type":"unready"}"#),
        Expected(
            envelope: Envelope(
                id: 6,
                message: .start(
                    readiness: nil, restart: RestartPolicy(mode: .onFailure, backoff: .milliseconds(500), limit: 3))),
            json: #"{"id":6,"restart":{"backoff_ms":500,"limit":3,"policy":"on-failure"},"type":"start"}"#),
        Expected(
            envelope: Envelope(id: 10, message: .restarting(.exited(1), attempt: 2, delay: .seconds(2))),
            json: #"{"attempt":2,"delay_ms":2000,"exit_code":1,"id":10,"type":"restarting"}"#),
        Expected(envelope: Envelope(id: 8, message: .kill(exit: true)), json: #"{"id":8,"type":"kill"}"#),
        Expected(
            envelope: Envelope(id: 2, message: .started(pid: 31337)), json: #"{"id":2,"pid":31337,"type":"started"}"#),
        Expected(envelope: Envelope(id: 3, message: .ready), json: #"{"id":3,"type":"ready"}"#),
        Expected(
            envelope: Envelope(id: 3, message: .startFailed(reason: "spawn failed")),
            json: #"{"id":3,"reason":"spawn failed","type":"start_failed"}"#),
        Expected(
            envelope: Envelope(id: 12, replyTo: 7, message: .stopped(.stopped(.exited(0)))),
            json: #"{"exit_code":0,"id":12,"outcome":"stopped","reply_to":7,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 12, replyTo: 7, message: .stopped(.stopped(.signalled(15)))),
            json: #"{"id":12,"outcome":"stopped","reply_to":7,"signal":15,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 13, replyTo: 7, message: .stopped(.killedAfterTimeout)),
            json: #"{"id":13,"outcome":"killed_after_timeout","reply_to":7,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 14, replyTo: 8, message: .stopped(.killed)),
            json: #"{"id":14,"outcome":"killed","reply_to":8,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 15, replyTo: 7, message: .stopped(.alreadyExited(.exited(2)))),
            json: #"{"exit_code":2,"id":15,"outcome":"already_exited","reply_to":7,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 16, replyTo: 7, message: .stopped(.notStarted)),
            json: #"{"id":16,"outcome":"not_started","reply_to":7,"type":"stopped"}"#),
        Expected(
            envelope: Envelope(id: 9, message: .exited(.signalled(9))), json: #"{"id":9,"signal":9,"type":"exited"}"#),
        Expected(
            envelope: Envelope(id: 9, message: .exited(.exited(1))), json: #"{"exit_code":1,"id":9,"type":"exited"}"#),
        Expected(
            envelope: Envelope(id: 17, replyTo: 12, message: .ack), json: #"{"id":17,"reply_to":12,"type":"ack"}"#),
        Expected(envelope: Envelope(id: 1, message: .statusRequest), json: #"{"id":1,"type":"status_request"}"#),
        Expected(envelope: Envelope(id: 1, message: .shutdownRequest()), json: #"{"id":1,"type":"shutdown_request"}"#),
        Expected(
            envelope: Envelope(id: 18, replyTo: 1, message: .progress("shutdown begins")),
            json: #"{"id":18,"reply_to":1,"text":"shutdown begins","type":"progress"}"#),
        Expected(
            envelope: Envelope(id: 19, replyTo: 4, message: .error("not registered")),
            json: #"{"id":19,"reply_to":4,"text":"not registered","type":"error"}"#),
    ]

    @Test("The body is exactly the documented JSON", arguments: expectations)
    func exactBody(_ expected: Expected) throws {
        #expect(bodyText(of: expected.envelope) == expected.json)
        #expect(try WireCodec.decode(frames(expected.json)) == expected.envelope)
    }

    @Test("The signature frame is the five bytes QSC/1")
    func signatureBytes() {
        #expect(WireCodec.encode(Envelope(id: 1, message: .heartbeat))[0] == [0x51, 0x53, 0x43, 0x2F, 0x31])
    }

    @Test("A status reply carries the status document with snake_case keys; absent values are omitted")
    func statusReplyBody() {
        let document = StatusDocument(
            phase: "running",
            services: [
                ServiceStatus(
                    service: "db", state: .ready, connected: true, host: "h", pid: 10, uptime: .milliseconds(1500),
                    sinceLastChange: .milliseconds(1500)),
                ServiceStatus(service: "api", state: .timedOut, connected: false, sinceLastChange: .seconds(2)),
            ],
            rejections: {
                var rejections = StatusDocument.Rejections()
                rejections.failedHandshakes = 3
                rejections.refusedMessages = 1
                return rejections
            }())
        let json = bodyText(of: Envelope(id: 5, replyTo: 1, message: .statusReply(document)))
        #expect(
            json == #"{"id":5,"reply_to":1,"status":{"phase":"running","#
                + #""rejections":{"dropped_idle_connections":0,"failed_handshakes":3,"malformed_messages":0,"rate_limited_registrations":0,"refused_messages":1},"services":["#
                + #"{"connected":true,"expected":1,"host":"h","instance":"a","min_ready":1,"pid":10,"ready_count":1,"#
                + #""service":"db","since_last_change_seconds":1.5,"state":"ready","uptime_seconds":1.5},"#
                + #"{"connected":false,"expected":1,"instance":"a","min_ready":1,"ready_count":0,"service":"api","#
                + #""since_last_change_seconds":2,"state":"timed out"}]},"type":"status_reply"}"#
        )
    }

    @Test("A report carries the report document with snake_case keys")
    func reportBody() {
        let report = ReportDocument(
            ShutdownReport(
                entries: [
                    .init(
                        service: "api", wave: 1, outcome: .acknowledged(.stopped(.exited(0))),
                        duration: .milliseconds(250),
                        instances: [
                            .init(
                                instance: "a", outcome: .acknowledged(.stopped(.exited(0))),
                                duration: .milliseconds(250))
                        ]),
                    .init(service: "db", wave: 2, outcome: .notConnected, duration: nil),
                ],
                total: .milliseconds(250), termination: .completed, criticalPath: ["api"]))
        let json = bodyText(of: Envelope(id: 9, replyTo: 2, message: .report(report)))
        #expect(
            json == #"{"id":9,"reply_to":2,"report":{"clean":false,"critical_path":["api"],"exit_code":1,"#
                + #""scheduling":"waves","services":["#
                + #"{"clean":true,"detail":"stopped (exit code 0)","duration_seconds":0.25,"instances":[{"clean":true,"#
                + #""detail":"stopped (exit code 0)","duration_seconds":0.25,"instance":"a","outcome":"stopped"}],"#
                + #""outcome":"stopped","service":"api","wave":1},"#
                + #"{"clean":false,"detail":"not connected (no agent)","instances":[],"outcome":"not_connected","service":"db","wave":2}],"#
                + #""still_running_when_killed":[],"termination":"completed","total_seconds":0.25},"type":"report"}"#)
    }
}
