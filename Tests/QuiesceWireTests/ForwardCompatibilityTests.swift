import QuiesceCore
import QuiesceWire
import Testing

/// A minor revision may add fields; a QSC/1 receiver ignores the ones it does not know.
@Suite("QSC/1 forward compatibility")
struct ForwardCompatibilityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var body: String
        var expected: Envelope
        var testDescription: String { body }
    }

    static let cases: [Case] = [
        Case(
            body: #"{"id":7,"priority":"high","timeout_ms":10000,"type":"stop"}"#,
            expected: Envelope(id: 7, message: .stop(timeout: .seconds(10), drain: .zero, exit: true))),
        Case(
            body: #"{"epoch":3,"id":5,"nested":{"a":[1,2,{"b":null}]},"type":"heartbeat","x_trace":"abc"}"#,
            expected: Envelope(id: 5, epoch: 3, message: .heartbeat)),
        Case(
            body:
                #"{"agent_pid":4242,"capabilities":["probes","cgroups"],"host":"web-1","id":1,"service":"api","type":"register","version":"1.4.0"}"#,
            expected: Envelope(
                id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .idle))),
        Case(
            body:
                #"{"exit_code":0,"id":12,"outcome":"stopped","reply_to":7,"rusage":{"maxrss_kb":51200},"type":"stopped"}"#,
            expected: Envelope(id: 12, replyTo: 7, message: .stopped(.stopped(.exited(0))))),
        Case(
            body:
                #"{"id":2,"reply_to":1,"status":{"phase":"running","services":[],"version":2,"zone":"eu"},"type":"status_reply"}"#,
            expected: Envelope(id: 2, replyTo: 1, message: .statusReply(StatusDocument(phase: "running", services: [])))
        ),
        // Fields that belong to other message types are ignored too, when they have their usual form.
        Case(
            body: #"{"id":3,"pid":77,"reason":"n/a","text":"hello","type":"ready"}"#,
            expected: Envelope(id: 3, message: .ready)),
        // A start from a coordinator that sends no initial_interval_ms: the probe checks quickly
        // from the default.
        Case(
            body:
                #"{"id":6,"readiness":{"failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"tcp":"127.0.0.1:5432","timeout_ms":1000},"type":"start"}"#,
            expected: Envelope(
                id: 6,
                message: .start(
                    readiness: ReadinessProbe(
                        check: .tcp(host: "127.0.0.1", port: 5432),
                        initialInterval: ReadinessProbe.defaultInitialInterval),
                    restart: nil))),
        // A kill carries no timeout; one sent anyway is ignored.
        Case(body: #"{"id":8,"timeout_ms":5000,"type":"kill"}"#, expected: Envelope(id: 8, message: .kill(exit: true))),
        // An outcome without an exit status ignores a status sent with it.
        Case(
            body: #"{"exit_code":137,"id":4,"outcome":"killed","reply_to":8,"type":"stopped"}"#,
            expected: Envelope(id: 4, replyTo: 8, message: .stopped(.killed))),
    ]

    @Test("Unknown extra fields are ignored", arguments: cases)
    func extraFieldsIgnored(_ example: Case) throws {
        #expect(try WireCodec.decode(frames(example.body)) == example.expected)
    }

    /// The snapshot of a stop that ended on an order keeps `state` `exited` with its status, and adds
    /// `outcome`: a coordinator that does not know the field reads what it read before.
    @Test("A snapshot's outcome is a field an older coordinator ignores")
    func snapshotOutcomeIsOptional() throws {
        let register = Envelope(
            id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .stopped(.killed)))
        let body = bodyText(of: register)
        #expect(
            body
                == #"{"agent_pid":4242,"host":"web-1","id":1,"service":"api","snapshot":{"outcome":"killed","signal":9,"state":"exited"},"type":"register"}"#
        )
        let withoutOutcome = body.replacingOccurrences(of: #""outcome":"killed","#, with: "")
        #expect(
            try WireCodec.decode(frames(withoutOutcome))
                == Envelope(
                    id: 1,
                    message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .exited(.signalled(9))))
        )
    }

    /// Only the fields a message type carries are decoded, so a minor revision may reuse a field name
    /// of another type in another form (here `status` as a string on a heartbeat).
    @Test("A field name known for another type, in a new form, is ignored as well")
    func reusedFieldNameIgnored() throws {
        #expect(
            try WireCodec.decode(frames(#"{"id":1,"status":"ok","type":"heartbeat"}"#))
                == Envelope(id: 1, message: .heartbeat))
        #expect(
            try WireCodec.decode(frames(#"{"id":2,"timeout_ms":"soon","type":"ready"}"#))
                == Envelope(id: 2, message: .ready))
    }
}
