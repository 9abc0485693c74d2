import QuiesceWire
import Testing

/// Every way a received message is dropped, and the exact reason the receiver counts and logs.
@Suite("QSC/1 rejections")
struct RejectionTests {
    struct Rejection: Sendable, CustomTestStringConvertible {
        var name: String
        var frames: [[UInt8]]
        var error: WireError
        var testDescription: String { name }
    }

    static let signature = Array("QSC/1".utf8)
    static let heartbeat = Array(#"{"id":1,"type":"heartbeat"}"#.utf8)

    static let rejections: [Rejection] = [
        Rejection(name: "no frame", frames: [], error: .wrongFrameCount(0)),
        Rejection(name: "one frame", frames: [signature], error: .wrongFrameCount(1)),
        Rejection(name: "body alone", frames: [heartbeat], error: .wrongFrameCount(1)),
        Rejection(name: "three frames", frames: [signature, heartbeat, []], error: .wrongFrameCount(3)),
        Rejection(
            name: "four frames", frames: [signature, heartbeat, heartbeat, heartbeat], error: .wrongFrameCount(4)),
        Rejection(
            name: "routing id left in front", frames: [[0, 0x80, 0, 0x41, 0xA7], signature, heartbeat],
            error: .wrongFrameCount(3)),
        Rejection(
            name: "next major version QSC/2", frames: frames(#"{"id":1,"type":"heartbeat"}"#, signature: "QSC/2"),
            error: .wrongSignature("QSC/2")),
        Rejection(
            name: "lower-case signature", frames: frames(#"{"id":1,"type":"heartbeat"}"#, signature: "qsc/1"),
            error: .wrongSignature("qsc/1")),
        Rejection(name: "empty signature", frames: [[], heartbeat], error: .wrongSignature("")),
        Rejection(
            name: "signature with a trailing NUL", frames: [signature + [0], heartbeat],
            error: .wrongSignature("QSC/1\0")),
        Rejection(
            name: "long foreign signature is quoted to 32 bytes",
            frames: [Array(String(repeating: "X", count: 100).utf8), heartbeat],
            error: .wrongSignature(String(repeating: "X", count: 32))),
        Rejection(
            name: "body one byte over the limit",
            frames: [signature, [UInt8](repeating: UInt8(ascii: " "), count: WireCodec.maximumBodySize + 1)],
            error: .bodyTooLarge(WireCodec.maximumBodySize + 1)),
        Rejection(
            name: "oversized body is rejected before it is parsed",
            frames: [
                signature,
                Array(#"{"id":1,"type":"heartbeat"}"#.utf8)
                    + [UInt8](repeating: UInt8(ascii: " "), count: WireCodec.maximumBodySize),
            ],
            error: .bodyTooLarge(WireCodec.maximumBodySize + 27)),
        Rejection(
            name: "non-JSON garbage", frames: frames("hello, coordinator"), error: .malformed("not a JSON object")),
        Rejection(
            name: "binary garbage", frames: [signature, [0xFF, 0xFE, 0x00, 0x01]],
            error: .malformed("not a JSON object")),
        Rejection(name: "empty body", frames: [signature, []], error: .malformed("not a JSON object")),
        Rejection(
            name: "truncated JSON", frames: frames(#"{"id":1,"type":"heart"#), error: .malformed("not a JSON object")),
        Rejection(
            name: "trailing garbage after the object", frames: frames(#"{"id":1,"type":"heartbeat"} x"#),
            error: .malformed("not a JSON object")),
        Rejection(
            name: "JSON array", frames: frames(#"[{"id":1,"type":"heartbeat"}]"#), error: .malformed("wrong type at ")),
        Rejection(name: "JSON null", frames: frames("null"), error: .malformed("wrong type at ")),
        Rejection(name: "missing id", frames: frames(#"{"type":"heartbeat"}"#), error: .malformed(#"missing "id""#)),
        Rejection(name: "missing type", frames: frames(#"{"id":1}"#), error: .malformed(#"missing "type""#)),
        Rejection(
            name: "type not a string", frames: frames(#"{"id":1,"type":7}"#), error: .malformed("wrong type at type")),
        Rejection(
            name: "id a string", frames: frames(#"{"id":"1","type":"heartbeat"}"#),
            error: .malformed("wrong type at id")),
        Rejection(name: "unknown type", frames: frames(#"{"id":1,"type":"launch"}"#), error: .unknownType("launch")),
        Rejection(
            name: "type is case-sensitive", frames: frames(#"{"id":1,"type":"Heartbeat"}"#),
            error: .unknownType("Heartbeat")),
        Rejection(
            name: "camelCase type name", frames: frames(#"{"id":1,"type":"statusRequest"}"#),
            error: .unknownType("statusRequest")),
        Rejection(
            name: "long unknown type is quoted to 64 characters",
            frames: frames(#"{"id":1,"type":""# + String(repeating: "z", count: 200) + #""}"#),
            error: .unknownType(String(repeating: "z", count: 64))),
        Rejection(
            name: "stop without timeout_ms", frames: frames(#"{"id":7,"type":"stop"}"#),
            error: .missingField(type: "stop", field: "timeout_ms")),
        Rejection(
            name: "register without service", frames: frames(#"{"agent_pid":1,"host":"h","id":1,"type":"register"}"#),
            error: .missingField(type: "register", field: "service")),
        Rejection(
            name: "register without host", frames: frames(#"{"agent_pid":1,"id":1,"service":"api","type":"register"}"#),
            error: .missingField(type: "register", field: "host")),
        Rejection(
            name: "register without agent_pid",
            frames: frames(#"{"host":"h","id":1,"service":"api","type":"register"}"#),
            error: .missingField(type: "register", field: "agent_pid")),
        Rejection(
            name: "register with a snapshot of an unknown outcome",
            frames: frames(
                #"{"agent_pid":1,"host":"h","id":1,"service":"api","snapshot":{"exit_code":0,"outcome":"paused","state":"exited"},"type":"register"}"#
            ),
            error: .outOfRange(type: "register", field: "snapshot")),
        Rejection(
            name: "register with a snapshot's outcome on a running state",
            frames: frames(
                #"{"agent_pid":1,"host":"h","id":1,"service":"api","snapshot":{"outcome":"killed","pid":7,"state":"ready"},"type":"register"}"#
            ),
            error: .outOfRange(type: "register", field: "snapshot")),
        Rejection(
            name: "register with a snapshot's outcome on exited without a status",
            frames: frames(
                #"{"agent_pid":1,"host":"h","id":1,"service":"api","snapshot":{"outcome":"killed","state":"exited"},"type":"register"}"#
            ),
            error: .outOfRange(type: "register", field: "snapshot")),
        Rejection(
            name: "started without pid", frames: frames(#"{"id":1,"type":"started"}"#),
            error: .missingField(type: "started", field: "pid")),
        Rejection(
            name: "start_failed without reason", frames: frames(#"{"id":1,"type":"start_failed"}"#),
            error: .missingField(type: "start_failed", field: "reason")),
        Rejection(
            name: "exited without exit_code or signal", frames: frames(#"{"id":1,"type":"exited"}"#),
            error: .missingField(type: "exited", field: "exit_code")),
        Rejection(
            name: "stopped without outcome", frames: frames(#"{"exit_code":0,"id":1,"reply_to":7,"type":"stopped"}"#),
            error: .missingField(type: "stopped", field: "outcome")),
        Rejection(
            name: "stopped with unknown outcome",
            frames: frames(#"{"id":1,"outcome":"evaporated","reply_to":7,"type":"stopped"}"#),
            error: .missingField(type: "stopped", field: "outcome")),
        Rejection(
            name: "stopped with upper-case outcome",
            frames: frames(#"{"exit_code":0,"id":1,"outcome":"STOPPED","type":"stopped"}"#),
            error: .missingField(type: "stopped", field: "outcome")),
        Rejection(
            name: "welcome without heartbeat_interval_ms", frames: frames(#"{"id":1,"reply_to":1,"type":"welcome"}"#),
            error: .missingField(type: "welcome", field: "heartbeat_interval_ms")),
        Rejection(
            name: "refused without reason", frames: frames(#"{"id":1,"type":"refused"}"#),
            error: .missingField(type: "refused", field: "reason")),
        Rejection(
            name: "status_reply without status", frames: frames(#"{"id":1,"type":"status_reply"}"#),
            error: .missingField(type: "status_reply", field: "status")),
        Rejection(
            name: "progress without text", frames: frames(#"{"id":1,"type":"progress"}"#),
            error: .missingField(type: "progress", field: "text")),
        Rejection(
            name: "report without report", frames: frames(#"{"id":1,"type":"report"}"#),
            error: .missingField(type: "report", field: "report")),
        Rejection(
            name: "error without text", frames: frames(#"{"id":1,"type":"error"}"#),
            error: .missingField(type: "error", field: "text")),
        Rejection(
            name: "stop with a negative timeout", frames: frames(#"{"id":1,"timeout_ms":-5,"type":"stop"}"#),
            error: .outOfRange(type: "stop", field: "timeout_ms")),
        Rejection(
            name: "welcome with a zero heartbeat interval",
            frames: frames(#"{"heartbeat_interval_ms":0,"id":1,"type":"welcome"}"#),
            error: .outOfRange(type: "welcome", field: "heartbeat_interval_ms")),
    ]

    @Test("A malformed message throws the exact WireError", arguments: rejections)
    func rejected(_ rejection: Rejection) {
        #expect(throws: rejection.error) {
            try WireCodec.decode(rejection.frames)
        }
    }

    /// Values of the wrong form are malformed; the exact wording is not part of the protocol.
    @Test(
        "A field of the wrong JSON type or range is malformed",
        arguments: [
            #"{"id":1,"timeout_ms":"10s","type":"stop"}"#,
            #"{"id":-1,"type":"heartbeat"}"#,
            #"{"id":1.5,"type":"heartbeat"}"#,
            #"{"id":18446744073709551616,"type":"heartbeat"}"#,
            #"{"id":1,"pid":2147483648,"type":"started"}"#,
            #"{"id":1,"reply_to":"7","type":"ack"}"#,
            #"{"id":1,"status":{"phase":"running"},"type":"status_reply"}"#,
            #"{"exit_code":"0","id":1,"type":"exited"}"#,
        ])
    func wrongForm(_ body: String) {
        let error = #expect(throws: WireError.self) {
            try WireCodec.decode(frames(body))
        }
        guard case .malformed = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
    }

    @Test("stopped with outcome stopped or already_exited but no exit status is refused")
    func outcomeWithoutStatus() {
        for outcome in ["stopped", "already_exited"] {
            let error = #expect(throws: WireError.self) {
                try WireCodec.decode(frames(#"{"id":1,"outcome":""# + outcome + #"","reply_to":7,"type":"stopped"}"#))
            }
            guard case .missingField(type: "stopped", _) = error else {
                Issue.record("expected a missing field of stopped, got \(String(describing: error))")
                continue
            }
        }
    }

    /// The probe of a `start` follows the same rule as the configuration's and the agent's flags.
    @Test(
        "A start whose readiness breaks the probe's rule is out of range",
        arguments: [
            #"{"failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"tcp":"a:1","timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"http":"ftp://x","initial_delay_ms":0,"interval_ms":1000,"timeout_ms":1000}"#,
            #"{"failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"tcp":"localhost","timeout_ms":1000}"#,
            #"{"exec":" ","failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"initial_delay_ms":0,"interval_ms":0,"timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"timeout_ms":-1}"#,
            #"{"exec":"true","failure_threshold":0,"initial_delay_ms":0,"interval_ms":1000,"timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"initial_delay_ms":-1,"interval_ms":1000,"timeout_ms":1000}"#,
            #"{"exec":"true","failure_threshold":3,"initial_delay_ms":0,"initial_interval_ms":0,"interval_ms":1000,"timeout_ms":1000}"#,
        ])
    func badReadiness(_ readiness: String) {
        #expect(throws: WireError.outOfRange(type: "start", field: "readiness")) {
            try WireCodec.decode(frames(#"{"id":1,"readiness":"# + readiness + #","type":"start"}"#))
        }
    }

    @Test("Every rejection has a printable reason")
    func descriptions() {
        #expect(WireError.wrongFrameCount(3).description == "expected 2 frames, got 3")
        #expect(WireError.wrongSignature("QSC/2").description == #"unsupported protocol signature "QSC/2""#)
        #expect(WireError.bodyTooLarge(2_000_000).description == "body of 2000000 bytes exceeds the limit")
        #expect(WireError.malformed("not a JSON object").description == "malformed body: not a JSON object")
        #expect(WireError.unknownType("launch").description == #"unknown message type "launch""#)
        #expect(
            WireError.missingField(type: "stop", field: "timeout_ms").description
                == #"message "stop" lacks field "timeout_ms""#)
    }
}
