import QuiesceCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns envelopes into the protocol's frames and back.
///
/// A message is two frames: the signature `QSC/1`, then a JSON object (snake_case keys) holding
/// `type`, `id`, an optional `reply_to`, and the fields of that type. Unknown fields are ignored, so a
/// minor revision may add fields; a new major version changes the signature.
public enum WireCodec {
    /// The first frame of every message.
    static let signature = "QSC/1"
    /// The largest body accepted, in bytes. Status and report bodies for large fleets fit well within.
    public static let maximumBodySize = 1 << 20
    /// Frames read from one message before the rest are discarded.
    public static let maximumFrames = 4

    private static let signatureBytes = Array(signature.utf8)

    public static func encode(_ envelope: Envelope) -> [[UInt8]] {
        if let body = BareMessageShape.encode(
            envelope.message, id: envelope.id, replyTo: envelope.replyTo, epoch: envelope.epoch)
        {
            return [signatureBytes, body]
        }
        return encodeInGeneral(envelope)
    }

    /// ``encode(_:)`` through `JSONEncoder`, whatever the message (the shortcut of heartbeats and
    /// acknowledgements left out).
    static func encodeInGeneral(_ envelope: Envelope) -> [[UInt8]] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings, integers and optionals cannot fail.
        let data = (try? encoder.encode(body(of: envelope))) ?? Data()
        return [signatureBytes, Array(data)]
    }

    /// Decodes the frames of a message, the routing id already removed.
    public static func decode(_ frames: [[UInt8]]) throws(WireError) -> Envelope {
        if frames.count == 2, frames[0] == signatureBytes, let bare = BareMessageShape.decode(frames[1]) {
            return bare
        }
        return try decodeInGeneral(frames)
    }

    /// ``decode(_:)`` through `JSONDecoder`, whatever the body (the shortcut of heartbeats and
    /// acknowledgements left out).
    static func decodeInGeneral(_ frames: [[UInt8]]) throws(WireError) -> Envelope {
        guard frames.count == 2 else { throw .wrongFrameCount(frames.count) }
        guard frames[0] == signatureBytes else {
            throw .wrongSignature(String(decoding: frames[0].prefix(32), as: UTF8.self))
        }
        guard frames[1].count <= maximumBodySize else { throw .bodyTooLarge(frames[1].count) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let body: WireBody
        do {
            body = try decoder.decode(WireBody.self, from: Data(frames[1]))
        } catch {
            throw .malformed(describe(error))
        }
        // Text a peer wrote is escaped and capped here, once, whatever later logs or prints it.
        return Envelope(
            id: body.id, replyTo: body.replyTo, epoch: body.epoch, message: try message(of: body).sanitizingPeerText())
    }

    private static func body(of envelope: Envelope) -> WireBody {
        var body = WireBody(
            type: envelope.message.type, id: envelope.id, replyTo: envelope.replyTo, epoch: envelope.epoch)
        switch envelope.message {
        case .register(let service, let host, let agentPID, let snapshot, let instance):
            body.service = service
            body.host = host
            body.instance = instance
            body.agentPid = agentPID
            body.snapshot = snapshot == .idle ? nil : SnapshotDocument(snapshot)
        case .started(let pid):
            body.pid = pid
        case .startFailed(let reason), .unready(let reason), .refused(let reason):
            body.reason = reason
        case .start(let readiness, let restart):
            body.readiness = readiness.map(ProbeDocument.init)
            body.restart = restart.map(RestartDocument.init)
        case .restarting(let status, let attempt, let delay):
            set(status, in: &body)
            body.attempt = attempt
            body.delayMs = delay.milliseconds
        case .exited(let status):
            set(status, in: &body)
        case .stopped(let outcome):
            body.outcome = outcome.code
            set(outcome.status, in: &body)
        case .welcome(let interval, let lostAfter):
            body.heartbeatIntervalMs = interval.milliseconds
            body.lostAfterMs = lostAfter.milliseconds
        case .stop(let timeout, let drain, let exit):
            body.timeoutMs = timeout.milliseconds
            body.drainMs = drain > .zero ? drain.milliseconds : nil
            body.exit = exit ? nil : false
        case .operationRequest(let kind, let service, let maxUnavailable, let scheduling):
            body.operation = kind.rawValue
            body.service = service
            body.maxUnavailable = kind == .rollingRestart ? maxUnavailable : nil
            body.scheduling = kind == .rollingRestart ? nil : scheduling?.rawValue
        case .shutdownRequest(let scheduling):
            body.scheduling = scheduling?.rawValue
        case .standby(let leader, let leaderEpoch):
            body.leader = leader
            body.leaderEpoch = leaderEpoch
        case .progress(let text), .error(let text):
            body.text = text
        case .statusReply(let status):
            body.status = status
        case .report(let report):
            body.report = report
        case .event(let event):
            body.event = event
        case .kill(let exit):
            body.exit = exit ? nil : false
        case .heartbeat, .ready, .ack, .statusRequest, .stopRequest, .eventsRequest:
            break
        }
        return body
    }

    private static func message(of body: WireBody) throws(WireError) -> Message {
        func require<T>(_ value: T?, _ field: String) throws(WireError) -> T {
            guard let value else { throw .missingField(type: body.type, field: field) }
            return value
        }
        /// `milliseconds` of `field` as a duration: from 0 to ``Swift/Duration/longestSetting``.
        func duration(_ milliseconds: Int64, _ field: String) throws(WireError) -> Duration {
            guard (0...Duration.longestSetting.milliseconds).contains(milliseconds) else {
                throw .outOfRange(type: body.type, field: field)
            }
            return .milliseconds(milliseconds)
        }
        switch body.type {
        case "register":
            let snapshot = try body.snapshot.map { document throws(WireError) in
                guard let snapshot = document.snapshot else { throw .outOfRange(type: body.type, field: "snapshot") }
                return snapshot
            }
            if let instance = body.instance, InstanceID.problem(in: instance) != nil {
                throw .outOfRange(type: body.type, field: "instance")
            }
            return .register(
                service: try require(body.service, "service"), host: try require(body.host, "host"),
                agentPID: try require(body.agentPid, "agent_pid"), snapshot: snapshot ?? .idle, instance: body.instance)
        case "heartbeat": return .heartbeat
        case "started": return .started(pid: try require(body.pid, "pid"))
        case "ready": return .ready
        case "start_failed": return .startFailed(reason: try require(body.reason, "reason"))
        case "unready": return .unready(reason: try require(body.reason, "reason"))
        case "exited": return .exited(try require(status(of: body), "exit_code"))
        case "stopped":
            let code = try require(body.outcome, "outcome")
            guard let outcome = StopOutcome(code: code, status: status(of: body)) else {
                throw .missingField(type: body.type, field: "outcome")
            }
            return .stopped(outcome)
        case "welcome":
            let interval = try duration(
                require(body.heartbeatIntervalMs, "heartbeat_interval_ms"), "heartbeat_interval_ms")
            guard interval > .zero else { throw .outOfRange(type: body.type, field: "heartbeat_interval_ms") }
            let lostAfter = try body.lostAfterMs.map { ms throws(WireError) in try duration(ms, "lost_after_ms") }
            guard (lostAfter ?? interval) > .zero else { throw .outOfRange(type: body.type, field: "lost_after_ms") }
            return .welcome(heartbeatInterval: interval, lostAfter: lostAfter ?? interval * 5)
        case "refused": return .refused(reason: try require(body.reason, "reason"))
        case "standby": return .standby(leader: body.leader, leaderEpoch: body.leaderEpoch)
        case "start":
            let probe = try body.readiness.map { document throws(WireError) in
                guard let probe = document.probe else { throw .outOfRange(type: body.type, field: "readiness") }
                return probe
            }
            let restart = try body.restart.map { document throws(WireError) in
                guard let restart = document.restart else { throw .outOfRange(type: body.type, field: "restart") }
                return restart
            }
            return .start(readiness: probe, restart: restart)
        case "restarting":
            let attempt = try require(body.attempt, "attempt")
            guard attempt > 0 else { throw .outOfRange(type: body.type, field: "attempt") }
            let delay = try duration(require(body.delayMs, "delay_ms"), "delay_ms")
            return .restarting(try require(status(of: body), "exit_code"), attempt: attempt, delay: delay)
        case "stop":
            let timeout = try duration(require(body.timeoutMs, "timeout_ms"), "timeout_ms")
            let drain = try duration(body.drainMs ?? 0, "drain_ms")
            return .stop(timeout: timeout, drain: drain, exit: body.exit ?? true)
        case "stop_request": return .stopRequest
        case "operation_request":
            let text = try require(body.operation, "operation")
            guard let kind = Operation.Kind(rawValue: text) else {
                throw .outOfRange(type: body.type, field: "operation")
            }
            let service = try require(body.service, "service")
            guard kind == .rollingRestart else {
                return .operationRequest(kind, service: service, scheduling: try scheduling(of: body))
            }
            let maxUnavailable = body.maxUnavailable ?? 1
            guard (1...InstanceCount.maximum).contains(maxUnavailable) else {
                throw .outOfRange(type: body.type, field: "max_unavailable")
            }
            return .operationRequest(kind, service: service, maxUnavailable: maxUnavailable)
        case "kill": return .kill(exit: body.exit ?? true)
        case "ack": return .ack
        case "status_request": return .statusRequest
        case "status_reply": return .statusReply(try require(body.status, "status"))
        case "shutdown_request": return .shutdownRequest(scheduling: try scheduling(of: body))
        case "progress": return .progress(try require(body.text, "text"))
        case "report": return .report(try require(body.report, "report"))
        case "error": return .error(try require(body.text, "text"))
        case "events_request": return .eventsRequest
        case "event": return .event(try require(body.event, "event"))
        default: throw .unknownType(String(body.type.prefix(64)))
        }
    }

    /// The body's `scheduling` (revision 1.3): absent is the coordinator's own; a value it does not
    /// know is out of range, so that the request is dropped rather than run another way.
    private static func scheduling(of body: WireBody) throws(WireError) -> Scheduling? {
        guard let text = body.scheduling else { return nil }
        guard let scheduling = Scheduling(rawValue: text) else {
            throw .outOfRange(type: body.type, field: "scheduling")
        }
        return scheduling
    }

    /// Writes `status` into the body's `exit_code` or `signal`.
    private static func set(_ status: ExitStatus?, in body: inout WireBody) {
        body.exitCode = status?.exitCode
        body.signal = status?.signal
    }

    /// The status the body's `exit_code` or `signal` gives.
    private static func status(of body: WireBody) -> ExitStatus? {
        ExitStatus(exitCode: body.exitCode, signal: body.signal)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not a JSON object"
        default: "undecodable"
        }
    }
}
