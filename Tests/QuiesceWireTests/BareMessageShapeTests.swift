import Foundation
import Testing

@testable import QuiesceWire

/// The shortcut of heartbeats and acknowledgements past `JSONEncoder` and `JSONDecoder` writes the
/// bytes the general path writes, and reads what the general path reads; any other shape is left to
/// the general path.
@Suite("The shortcut of heartbeats and acknowledgements")
struct BareMessageShapeTests {
    static let numbers: [UInt64] = [0, 1, 9, 10, 42, 1_000_000, 1 << 53, UInt64.max - 1, UInt64.max]
    static let messages: [Message] = [.heartbeat, .ack]

    @Test("Writes, byte for byte, the general path's body", arguments: numbers)
    func sameBytes(_ number: UInt64) {
        for message in Self.messages {
            for epoch in [nil, 0, 7, number] as [UInt64?] {
                for replyTo in [nil, 0, 5, number] as [UInt64?] {
                    let envelope = Envelope(id: number, replyTo: replyTo, epoch: epoch, message: message)
                    #expect(
                        WireCodec.encode(envelope) == WireCodec.encodeInGeneral(envelope),
                        "\(message.type) id \(number), reply_to \(replyTo.map(String.init) ?? "none"), epoch \(epoch ?? 0)"
                    )
                }
            }
        }
    }

    @Test("Reads its own bodies as the general path does", arguments: numbers)
    func sameEnvelopes(_ number: UInt64) throws {
        for message in Self.messages {
            for epoch in [nil, 3, number] as [UInt64?] {
                for replyTo in [nil, 5, number] as [UInt64?] {
                    let envelope = Envelope(id: number, replyTo: replyTo, epoch: epoch, message: message)
                    let frames = WireCodec.encodeInGeneral(envelope)
                    #expect(
                        BareMessageShape.decode(frames[1]) == envelope,
                        "the shortcut reads \(String(decoding: frames[1], as: UTF8.self))")
                    #expect(try WireCodec.decode(frames) == WireCodec.decodeInGeneral(frames))
                }
            }
        }
    }

    @Test(
        "Leaves every other shape to the general path, which decides",
        arguments: [
            #"{"epoch":1,"id":2,"type":"heartbeat" }"#, #"{ "epoch":1,"id":2,"type":"heartbeat"}"#,
            #"{"id":2,"epoch":1,"type":"heartbeat"}"#, #"{"epoch":01,"id":2,"type":"heartbeat"}"#,
            #"{"epoch":1,"id":18446744073709551616,"type":"heartbeat"}"#, #"{"epoch":1,"id":-2,"type":"heartbeat"}"#,
            #"{"epoch":1,"id":2,"type":"heartbeat","status":"ok"}"#, #"{"epoch":1,"id":2,"type":"heartbeats"}"#,
            #"{"epoch":1,"id":2.0,"type":"heartbeat"}"#, #"{"epoch":,"id":2,"type":"heartbeat"}"#,
            #"{"id":2,"type":"heartbeat"}x"#, #"{"epoch":1,"id":2,"type":"ready"}"#, #"{"id":,"type":"heartbeat"}"#,
            #"{"epoch":1,"id":2,"reply_to":,"type":"heartbeat"}"#,
            #"{"epoch":1,"reply_to":3,"id":2,"type":"heartbeat"}"#,
            #"{"epoch":1,"id":2,"reply_to":03,"type":"heartbeat"}"#, #"{"id":2,"reply_to":3}"#,
            #"{"epoch":1,"id":2,"reply_to":3,"type":"ack" }"#, #"{"epoch":1,"id":2,"reply_to":3,"type":"acks"}"#,
            #"{"epoch":1,"id":2,"reply_to":3,"type":"ack","ok":true}"#, #"{"epoch":1,"id":2,"type":"ack"}x"#,
            #"{"epoch":1,"id":2,"reply_to":3,"type":"Ack"}"#, #"{"epoch":1,"id":2,"reply_to":3,"type":"error"}"#,
        ])
    func otherShapes(_ body: String) {
        let frames = [Array("QSC/1".utf8), Array(body.utf8)]
        #expect(BareMessageShape.decode(frames[1]) == nil, "\(body)")
        let shortcut = Result(catching: { () throws(WireError) -> Envelope in try WireCodec.decode(frames) })
        let general = Result(catching: { () throws(WireError) -> Envelope in try WireCodec.decodeInGeneral(frames) })
        #expect(shortcut == general, "\(body)")
    }

    @Test("Takes no other signature or frame count")
    func framing() {
        let body = Array(#"{"epoch":1,"id":2,"type":"heartbeat"}"#.utf8)
        #expect(throws: WireError.self) { try WireCodec.decode([Array("QSC/2".utf8), body]) }
        #expect(throws: WireError.self) { try WireCodec.decode([Array("QSC/1".utf8), body, []]) }
        #expect(throws: WireError.self) { try WireCodec.decode([body]) }
    }
}
