import QuiesceCore
import QuiesceWire
import Testing

/// QSC/1.1: `register` may carry `instance`; an agent of QSC/1.0 sends none and is decoded as before.
@Suite("QSC/1.1 register's instance")
struct InstanceFieldTests {
    @Test("An instance is sent as the instance field and read back")
    func roundTrip() throws {
        let envelope = Envelope(
            id: 1, message: .register(service: "db", host: "node-a", agentPID: 7, snapshot: .idle, instance: "db-2"))
        #expect(bodyText(of: envelope).contains(#""instance":"db-2""#))
        #expect(try WireCodec.decode(WireCodec.encode(envelope)) == envelope)
    }

    @Test("A register of QSC/1.0, without instance, decodes with none: the coordinator takes the host")
    func earlierRevision() throws {
        let body = #"{"agent_pid":4242,"host":"web-1","id":1,"service":"api","type":"register"}"#
        #expect(
            try WireCodec.decode(frames(body))
                == Envelope(id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .idle)))
        let sent = Envelope(id: 1, message: .register(service: "api", host: "web-1", agentPID: 4242, snapshot: .idle))
        #expect(!bodyText(of: sent).contains("instance"))
    }

    @Test(
        "An instance id that breaks the rule is refused as out of range",
        arguments: ["", "a/b", "new\\nline", String(repeating: "x", count: 65)])
    func invalidInstance(id: String) {
        let body = #"{"agent_pid":1,"host":"h","id":1,"instance":"\#(id)","service":"api","type":"register"}"#
        #expect(throws: WireError.outOfRange(type: "register", field: "instance")) {
            try WireCodec.decode(frames(body))
        }
    }
}
