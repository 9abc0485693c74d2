import Foundation
import Testing

@testable import QuiesceWire

/// The heartbeat's shortcut past `JSONEncoder` and `JSONDecoder` writes the bytes the general path
/// writes, and reads what the general path reads; any other shape is left to the general path.
@Suite("The heartbeat's shortcut")
struct HeartbeatShapeTests {
    static let numbers: [UInt64] = [0, 1, 9, 10, 42, 1_000_000, 1 << 53, UInt64.max - 1, UInt64.max]

    @Test("Writes, byte for byte, the general path's body", arguments: numbers)
    func sameBytes(_ number: UInt64) {
        for epoch in [nil, 0, 7, number] as [UInt64?] {
            let envelope = Envelope(id: number, replyTo: nil, epoch: epoch, message: .heartbeat)
            #expect(
                WireCodec.encode(envelope) == WireCodec.encodeInGeneral(envelope), "id \(number), epoch \(epoch ?? 0)")
        }
    }

    @Test("Reads its own bodies as the general path does", arguments: numbers)
    func sameEnvelopes(_ number: UInt64) throws {
        for epoch in [nil, 3, number] as [UInt64?] {
            let frames = WireCodec.encodeInGeneral(Envelope(id: number, replyTo: 5, epoch: epoch, message: .heartbeat))
            // Without reply_to: the shape the shortcut reads.
            let plain = WireCodec.encodeInGeneral(Envelope(id: number, replyTo: nil, epoch: epoch, message: .heartbeat))
            #expect(
                HeartbeatShape.decode(plain[1]) != nil,
                "the shortcut reads \(String(decoding: plain[1], as: UTF8.self))")
            #expect(try WireCodec.decode(plain) == WireCodec.decodeInGeneral(plain))
            // A heartbeat with reply_to is another shape: the general path reads it.
            #expect(HeartbeatShape.decode(frames[1]) == nil)
            #expect(try WireCodec.decode(frames) == WireCodec.decodeInGeneral(frames))
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
        ])
    func otherShapes(_ body: String) {
        let frames = [Array("QSC/1".utf8), Array(body.utf8)]
        #expect(HeartbeatShape.decode(frames[1]) == nil, "\(body)")
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
