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

@Suite("QSC/1.1 status of services of several instances")
struct InstanceStatusDocumentTests {
    @Test("A service of two instances carries both, with its summary; one of one instance is its row")
    func instancesInStatus() throws {
        let document = StatusDocument(
            phase: "running",
            services: [
                ServiceStatus(
                    service: "db", expected: 3, minReady: 2, ready: 2,
                    instances: [
                        InstanceStatus(instance: "a", state: .ready, connected: true, sinceLastChange: .seconds(1)),
                        InstanceStatus(instance: "b", state: .ready, connected: true, sinceLastChange: .seconds(2)),
                    ]),
                ServiceStatus(
                    service: "api", ready: 1,
                    instances: [
                        InstanceStatus(instance: "x", state: .ready, connected: true, host: "h", sinceLastChange: .zero)
                    ]),
            ])
        let db = document.services[0]
        #expect(db.state == "ready" && db.readyCount == 2 && db.expected == 3 && db.minReady == 2)
        #expect(db.instances?.map(\.instance) == ["a", "b"])
        #expect(db.sinceLastChangeSeconds == 1, "the latest change of its instances")
        #expect(db.host == nil, "no single host for several instances")
        let api = document.services[1]
        #expect(api.instance == "x" && api.instances == nil && api.host == "h")
        let envelope = Envelope(id: 1, message: .statusReply(document))
        #expect(try WireCodec.decode(WireCodec.encode(envelope)) == envelope)
    }
}
