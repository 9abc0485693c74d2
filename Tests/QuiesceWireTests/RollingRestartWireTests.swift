import QuiesceCore
import QuiesceWire
import Testing

/// QSC/1.2: `operation_request` may ask for a `rolling_restart` with `max_unavailable`, and its
/// report carries `rolling`.
@Suite("QSC/1.2 rolling restarts")
struct RollingRestartWireTests {
    @Test("A rolling restart is its own operation, with max_unavailable, and reads back")
    func roundTrip() throws {
        let envelope = Envelope(id: 2, message: .operationRequest(.rollingRestart, service: "db", maxUnavailable: 2))
        #expect(
            bodyText(of: envelope)
                == #"{"id":2,"max_unavailable":2,"operation":"rolling_restart","service":"db","type":"operation_request"}"#
        )
        #expect(try WireCodec.decode(WireCodec.encode(envelope)) == envelope)
    }

    @Test("Without max_unavailable a rolling restart takes one at a time; other operations carry none")
    func defaults() throws {
        let rolling = #"{"id":2,"operation":"rolling_restart","service":"db","type":"operation_request"}"#
        #expect(
            try WireCodec.decode(frames(rolling)).message
                == .operationRequest(.rollingRestart, service: "db", maxUnavailable: 1))
        let restart = #"{"id":2,"max_unavailable":3,"operation":"restart","service":"db","type":"operation_request"}"#
        #expect(try WireCodec.decode(frames(restart)).message == .operationRequest(.restart, service: "db"))
        #expect(
            !bodyText(of: Envelope(id: 1, message: .operationRequest(.restart, service: "db", maxUnavailable: 3)))
                .contains("max_unavailable"))
    }

    @Test("A max_unavailable out of 1...10,000 is out of range", arguments: [0, -1, 10_001])
    func outOfRange(value: Int) {
        let body =
            #"{"id":2,"max_unavailable":\#(value),"operation":"rolling_restart","service":"db","type":"operation_request"}"#
        #expect(throws: WireError.outOfRange(type: "operation_request", field: "max_unavailable")) {
            try WireCodec.decode(frames(body))
        }
    }

    @Test("A rolling restart's report carries each instance's stop and ready times, and its failure")
    func report() throws {
        let rolling = RollingRestartReport(
            service: "db", maxUnavailable: 1, minReady: 2,
            instances: [
                .init(
                    instance: "a", outcome: .restarted, stopOrderedAfter: .zero, stoppedAfter: .milliseconds(250),
                    stopOutcome: .stopped(.exited(0)), readyAfter: .milliseconds(900)),
                .init(instance: "b", outcome: .failed("not ready within 30s"), stopOrderedAfter: .milliseconds(900)),
                .init(instance: "c", outcome: .notReached),
            ], fewestReady: 2, failure: "db/b did not come back: not ready within 30s", total: .seconds(31))
        let document = ReportDocument(
            OperationReport(operation: Operation(kind: .rollingRestart, service: "db"), rolling: rolling))
        #expect(document.operation == "restart db --rolling")
        #expect(document.exitCode == CoordinatorExitCode.startupFailed)
        #expect(!document.clean)
        #expect(document.totalSeconds == 31)
        #expect(document.rolling?.instances.map(\.outcome) == ["restarted", "failed", "not_restarted"])
        #expect(document.rolling?.instances[0].stopOutcome == "stopped")
        #expect(document.rolling?.instances[0].readySeconds == 0.9)
        let envelope = Envelope(id: 9, replyTo: 2, message: .report(document))
        #expect(bodyText(of: envelope).contains(#""ready_seconds":0.9"#))
        #expect(try WireCodec.decode(WireCodec.encode(envelope)) == envelope)
    }
}
