import QuiesceCore
import QuiesceWire
import Testing

/// Every duration a message carries is from 0 to 24 hours (`Duration.longestSetting`), so that no
/// receiver meets a timeout it cannot wait for.
@Suite("QSC/1 duration bounds")
struct DurationBoundTests {
    static let probe = #""failure_threshold":3,"initial_delay_ms":0,"tcp":"127.0.0.1:1""#

    @Test(
        "A duration beyond 24 hours is out of range, in every message that carries one",
        arguments: [
            (#"{"id":1,"timeout_ms":86400001,"type":"stop"}"#, "stop", "timeout_ms"),
            (#"{"id":1,"timeout_ms":9223372036854775807,"type":"stop"}"#, "stop", "timeout_ms"),
            (#"{"drain_ms":86400001,"id":1,"timeout_ms":1000,"type":"stop"}"#, "stop", "drain_ms"),
            (#"{"drain_ms":-1,"id":1,"timeout_ms":1000,"type":"stop"}"#, "stop", "drain_ms"),
            (#"{"heartbeat_interval_ms":86400001,"id":1,"type":"welcome"}"#, "welcome", "heartbeat_interval_ms"),
            (
                #"{"heartbeat_interval_ms":9223372036854775807,"id":1,"type":"welcome"}"#, "welcome",
                "heartbeat_interval_ms"
            ),
            (
                #"{"heartbeat_interval_ms":1000,"id":1,"lost_after_ms":86400001,"type":"welcome"}"#, "welcome",
                "lost_after_ms"
            ),
            (
                #"{"attempt":1,"delay_ms":86400001,"exit_code":1,"id":1,"type":"restarting"}"#, "restarting",
                "delay_ms"
            ),
            (
                #"{"id":1,"readiness":{"# + probe + #","interval_ms":1000,"timeout_ms":2147483648},"type":"start"}"#,
                "start", "readiness"
            ),
            (
                #"{"id":1,"readiness":{"# + probe + #","interval_ms":86400001,"timeout_ms":1000},"type":"start"}"#,
                "start", "readiness"
            ),
            (
                #"{"id":1,"restart":{"backoff_ms":86400001,"limit":0,"policy":"always"},"type":"start"}"#, "start",
                "restart"
            ),
        ])
    func beyondTheLongest(body: String, type: String, field: String) {
        #expect(throws: WireError.outOfRange(type: type, field: field)) {
            try WireCodec.decode(frames(body))
        }
    }

    @Test("24 hours itself is accepted")
    func theLongest() throws {
        let stop = try WireCodec.decode(frames(#"{"drain_ms":86400000,"id":1,"timeout_ms":86400000,"type":"stop"}"#))
        #expect(stop.message == .stop(timeout: .longestSetting, drain: .longestSetting, exit: true))
        let start = try WireCodec.decode(
            frames(
                #"{"id":1,"readiness":{"# + Self.probe + #","interval_ms":1000,"timeout_ms":86400000},"type":"start"}"#)
        )
        guard case .start(let readiness?, nil) = start.message else {
            Issue.record("expected a start with a probe, got \(start.message)")
            return
        }
        #expect(readiness.timeout == .longestSetting)
    }

    @Test("A welcome without lost_after_ms still means five heartbeat intervals, at the longest interval too")
    func defaultLostAfter() throws {
        let welcome = try WireCodec.decode(frames(#"{"heartbeat_interval_ms":86400000,"id":1,"type":"welcome"}"#))
        #expect(welcome.message == .welcome(heartbeatInterval: .longestSetting, lostAfter: .longestSetting * 5))
    }
}
