import Foundation
import QuiesceCore
import Testing

@testable import QuiesceWire

@Suite("QSC/1 round trip")
struct RoundTripTests {
    @Test("Every message survives encode then decode unchanged", arguments: samples)
    func roundTrip(_ sample: Sample) throws {
        let encoded = WireCodec.encode(sample.envelope)
        let decoded = try WireCodec.decode(encoded)
        #expect(decoded == sample.envelope)
    }

    @Test("Every message is two frames: the signature, then a JSON object naming its type and id", arguments: samples)
    func framing(_ sample: Sample) throws {
        let encoded = WireCodec.encode(sample.envelope)
        try #require(encoded.count == 2)
        #expect(encoded[0] == Array("QSC/1".utf8))
        #expect(encoded[1].count <= WireCodec.maximumBodySize)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoded[1])) as? [String: Any])
        #expect(object["type"] as? String == sample.envelope.message.type)
        #expect((object["id"] as? NSNumber)?.uint64Value == sample.envelope.id)
        if let replyTo = sample.envelope.replyTo {
            #expect((object["reply_to"] as? NSNumber)?.uint64Value == replyTo)
        } else {
            #expect(object["reply_to"] == nil)
        }
        // snake_case only: no key holds an upper-case letter.
        #expect(object.keys.allSatisfy { $0 == $0.lowercased() })
    }

    @Test("The samples cover every message type of the protocol")
    func coverage() {
        #expect(Set(samples.map(\.envelope.message.type)) == allMessageTypes)
    }

    @Test("The codec's limits are those of the specification")
    func limits() {
        #expect(WireCodec.signature == "QSC/1")
        #expect(WireCodec.maximumBodySize == 1_048_576)
        #expect(WireCodec.maximumFrames == 4)
    }

    @Test("Durations travel as whole milliseconds")
    func durationsInMilliseconds() throws {
        let decoded = try WireCodec.decode(frames(#"{"id":1,"timeout_ms":1500,"type":"stop"}"#))
        #expect(decoded.message == .stop(timeout: .milliseconds(1500), drain: .zero, exit: true))
        let welcome = try WireCodec.decode(
            frames(#"{"heartbeat_interval_ms":250,"id":2,"reply_to":1,"type":"welcome"}"#))
        #expect(
            welcome
                == Envelope(
                    id: 2, replyTo: 1,
                    message: .welcome(heartbeatInterval: .milliseconds(250), lostAfter: .milliseconds(1250))))
    }

    @Test("A body written by another implementation decodes: any key order, whitespace, explicit null reply_to")
    func foreignBody() throws {
        let body = """
            {
              "type" : "stopped",
              "reply_to" : null,
              "signal" : 15,
              "outcome" : "stopped",
              "id" : 12
            }
            """
        #expect(try WireCodec.decode(frames(body)) == Envelope(id: 12, message: .stopped(.stopped(.signalled(15)))))
    }

    @Test("A body of exactly the maximum size is accepted")
    func bodyAtTheLimit() throws {
        let json = #"{"id":1,"type":"heartbeat"}"#
        let padding = [UInt8](repeating: UInt8(ascii: " "), count: WireCodec.maximumBodySize - json.utf8.count)
        let body = Array(json.utf8) + padding
        try #require(body.count == WireCodec.maximumBodySize)
        #expect(try WireCodec.decode([Array("QSC/1".utf8), body]) == Envelope(id: 1, message: .heartbeat))
    }
}
