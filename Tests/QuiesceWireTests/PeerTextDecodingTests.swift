import QuiesceCore
import QuiesceWire
import Testing

/// Decoding escapes and caps the text a peer wrote, once, for every reader of the message.
@Suite("QSC/1 peer text")
struct PeerTextDecodingTests {
    private static let hostile = "db\n2026-12-01T00:00:00Z critical forged line\u{1B}[2J\u{1B}[31m\u{202E}"
    private static let escaped = #"db\n2026-12-01T00:00:00Z critical forged line\x1B[2J\x1B[31m\u{202E}"#

    private func decoded(_ message: Message) throws -> Message {
        try WireCodec.decode(WireCodec.encode(Envelope(id: 1, message: message))).message
    }

    @Test("A registration's host and service are escaped")
    func registration() throws {
        let message = try decoded(.register(service: "api\u{7}", host: Self.hostile, agentPID: 7, snapshot: .idle))
        #expect(message == .register(service: #"api\x07"#, host: Self.escaped, agentPID: 7, snapshot: .idle))
    }

    @Test("Reasons, errors and progress lines are escaped")
    func sentences() throws {
        #expect(try decoded(.startFailed(reason: Self.hostile)) == .startFailed(reason: Self.escaped))
        #expect(try decoded(.unready(reason: Self.hostile)) == .unready(reason: Self.escaped))
        #expect(try decoded(.refused(reason: Self.hostile)) == .refused(reason: Self.escaped))
        #expect(try decoded(.error(Self.hostile)) == .error(Self.escaped))
        #expect(try decoded(.progress(Self.hostile)) == .progress(Self.escaped))
        #expect(
            try decoded(.operationRequest(.stop, service: Self.hostile))
                == .operationRequest(.stop, service: Self.escaped))
    }

    @Test("Each kind of text is capped at its limit")
    func capped() throws {
        let long = String(repeating: "x", count: 100_000)
        guard
            case .register(let service, let host, _, _, _) = try decoded(
                .register(service: long, host: long, agentPID: 7, snapshot: .idle))
        else {
            Issue.record("not a registration")
            return
        }
        #expect(service.unicodeScalars.count == PeerText.nameLimit + 1)
        #expect(host.hasSuffix(PeerText.truncationMark))
        guard case .unready(let reason) = try decoded(.unready(reason: long)) else {
            Issue.record("not unready")
            return
        }
        #expect(reason.unicodeScalars.count == PeerText.textLimit + 1)
        guard case .progress(let line) = try decoded(.progress(long)) else {
            Issue.record("not progress")
            return
        }
        #expect(line.unicodeScalars.count == PeerText.lineLimit + 1)
    }

    @Test("Every text of a status reply and a report is escaped")
    func documents() throws {
        var status = sampleStatus
        status.phase = Self.hostile
        status.services[0].service = Self.hostile
        status.services[0].state = Self.hostile
        status.services[0].host = Self.hostile
        status.services[0].detail = Self.hostile
        guard case .statusReply(let reply) = try decoded(.statusReply(status)) else {
            Issue.record("not a status reply")
            return
        }
        let row = try #require(reply.services.first)
        #expect(
            [reply.phase, row.service, row.state, row.host, row.detail] == Array(repeating: Self.escaped, count: 5))

        var report = ReportDocument(
            ShutdownReport(entries: [], total: .seconds(1), termination: .completed, criticalPath: [Self.hostile]))
        report.operation = Self.hostile
        report.termination = Self.hostile
        report.stillRunningWhenKilled = [Self.hostile]
        report.startupFailure = Self.hostile
        guard case .report(let decodedReport) = try decoded(.report(report)) else {
            Issue.record("not a report")
            return
        }
        #expect(
            [decodedReport.operation, decodedReport.termination, decodedReport.startupFailure]
                == Array(repeating: Self.escaped, count: 3))
        #expect(decodedReport.criticalPath == [Self.escaped])
        #expect(decodedReport.stillRunningWhenKilled == [Self.escaped])
    }

    @Test("A start order's exec check is a setting, not text: it arrives as it was sent")
    func probeUntouched() throws {
        let probe = ReadinessProbe(check: .exec(command: "test -f /ready\nexit 0"))
        #expect(try decoded(.start(readiness: probe, restart: nil)) == .start(readiness: probe, restart: nil))
    }

    @Test("The reasons of a rejection quote the peer's text escaped")
    func rejections() {
        #expect(
            "\(WireError.unknownType("x\n\u{1B}[2J"))" == #"unknown message type "x\n\x1B[2J""#)
        #expect(
            "\(WireError.wrongSignature("Q\r\n"))" == #"unsupported protocol signature "Q\r\n""#)
    }
}
