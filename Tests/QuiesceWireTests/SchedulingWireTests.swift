import QuiesceCore
import QuiesceWire
import Testing

/// QSC/1.3: `shutdown_request` and `operation_request` may say how the run orders the services, in
/// an optional `scheduling`; a request without it, as every earlier tool sends, leaves it to the
/// coordinator, whose default is waves; the report says which ran.
@Suite("QSC/1.3 scheduling")
struct SchedulingWireTests {
    @Test("A shutdown or an operation asking for eager carries it, and reads back")
    func roundTrip() throws {
        let shutdown = Envelope(id: 2, message: .shutdownRequest(scheduling: .eager))
        #expect(bodyText(of: shutdown) == #"{"id":2,"scheduling":"eager","type":"shutdown_request"}"#)
        #expect(try WireCodec.decode(WireCodec.encode(shutdown)) == shutdown)
        let stop = Envelope(id: 3, message: .operationRequest(.stop, service: "db", scheduling: .waves))
        #expect(
            bodyText(of: stop)
                == #"{"id":3,"operation":"stop","scheduling":"waves","service":"db","type":"operation_request"}"#
        )
        #expect(try WireCodec.decode(WireCodec.encode(stop)) == stop)
    }

    @Test("A request of an earlier revision, without scheduling, leaves it to the coordinator")
    func earlierRequest() throws {
        #expect(
            try WireCodec.decode(frames(#"{"id":2,"type":"shutdown_request"}"#)).message
                == .shutdownRequest(scheduling: nil))
        #expect(
            try WireCodec.decode(frames(#"{"id":2,"operation":"restart","service":"db","type":"operation_request"}"#))
                .message == .operationRequest(.restart, service: "db", scheduling: nil))
        #expect(bodyText(of: Envelope(id: 2, message: .shutdownRequest())) == #"{"id":2,"type":"shutdown_request"}"#)
    }

    @Test("A scheduling the coordinator does not know is out of range: dropped, not run another way")
    func unknownScheduling() {
        #expect(throws: WireError.outOfRange(type: "shutdown_request", field: "scheduling")) {
            try WireCodec.decode(frames(#"{"id":2,"scheduling":"critical","type":"shutdown_request"}"#))
        }
        #expect(throws: WireError.outOfRange(type: "operation_request", field: "scheduling")) {
            try WireCodec.decode(
                frames(#"{"id":2,"operation":"stop","scheduling":"Eager","service":"db","type":"operation_request"}"#))
        }
    }

    @Test("A rolling restart orders one service's instances: it carries no scheduling, and reports none")
    func rollingHasNone() throws {
        let body = bodyText(
            of: Envelope(id: 2, message: .operationRequest(.rollingRestart, service: "db", scheduling: .eager)))
        #expect(!body.contains("scheduling"))
        let report = ReportDocument(OperationReport(operation: Operation(kind: .rollingRestart, service: "db")))
        #expect(report.scheduling == nil)
    }

    @Test("The report says which scheduling ran: the shutdown's, or an operation's or else the coordinator's")
    func reportSaysWhichRan() {
        let eager = ShutdownReport(
            entries: [], total: .zero, termination: .completed, criticalPath: [], scheduling: .eager)
        #expect(ReportDocument(eager).scheduling == "eager")
        let start = OperationReport(operation: Operation(kind: .start, service: "api"))
        #expect(ReportDocument(start, scheduling: .eager).scheduling == "eager")
        let asked = OperationReport(operation: Operation(kind: .start, service: "api", scheduling: .waves))
        #expect(ReportDocument(asked, scheduling: .eager).scheduling == "waves")
    }
}
