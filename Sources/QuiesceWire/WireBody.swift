/// The JSON object carried in a message's body frame: `type` and `id`, then the fields of that type.
/// Every field but `type` and `id` is optional here; ``WireCodec`` checks what each type requires.
struct WireBody: Codable {
    var type: String
    var id: UInt64
    var replyTo: UInt64?
    var epoch: UInt64?
    var service: String?
    var host: String?
    var instance: String?
    var agentPid: Int32?
    var pid: Int32?
    var reason: String?
    var outcome: String?
    var exitCode: Int32?
    var signal: Int32?
    var heartbeatIntervalMs: Int64?
    var timeoutMs: Int64?
    var text: String?
    var status: StatusDocument?
    var report: ReportDocument?
    var readiness: ProbeDocument?
    var restart: RestartDocument?
    var attempt: Int?
    var delayMs: Int64?
    var drainMs: Int64?
    var exit: Bool?
    var operation: String?
    var maxUnavailable: Int?
    var lostAfterMs: Int64?
    var snapshot: SnapshotDocument?
    var event: EventDocument?
    var scheduling: String?
    var leader: String?
    var leaderEpoch: UInt64?

    enum CodingKeys: String, CodingKey {
        case type, id, replyTo, epoch, service, host, instance, agentPid, pid, reason, outcome, exitCode, signal
        case heartbeatIntervalMs, timeoutMs, text, status, report, readiness, restart, attempt, delayMs, drainMs, exit,
            operation, maxUnavailable, lostAfterMs, snapshot, event, scheduling, leader, leaderEpoch
    }

    init(type: String, id: UInt64, replyTo: UInt64?, epoch: UInt64?) {
        self.type = type
        self.id = id
        self.replyTo = replyTo
        self.epoch = epoch
    }

    /// Decodes `type`, `id` and `reply_to`, then only the fields that `type` uses: a field another
    /// type uses, whatever its form, is ignored like any unknown field.
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        id = try container.decode(UInt64.self, forKey: .id)
        replyTo = try container.decodeIfPresent(UInt64.self, forKey: .replyTo)
        epoch = try container.decodeIfPresent(UInt64.self, forKey: .epoch)
        let fields = Self.fields[type] ?? []
        func decode<T: Decodable>(_ key: CodingKeys) throws -> T? {
            fields.contains(key) ? try container.decodeIfPresent(T.self, forKey: key) : nil
        }
        service = try decode(.service)
        host = try decode(.host)
        instance = try decode(.instance)
        agentPid = try decode(.agentPid)
        pid = try decode(.pid)
        reason = try decode(.reason)
        outcome = try decode(.outcome)
        exitCode = try decode(.exitCode)
        signal = try decode(.signal)
        heartbeatIntervalMs = try decode(.heartbeatIntervalMs)
        timeoutMs = try decode(.timeoutMs)
        text = try decode(.text)
        status = try decode(.status)
        report = try decode(.report)
        readiness = try decode(.readiness)
        restart = try decode(.restart)
        attempt = try decode(.attempt)
        delayMs = try decode(.delayMs)
        drainMs = try decode(.drainMs)
        exit = try decode(.exit)
        operation = try decode(.operation)
        maxUnavailable = try decode(.maxUnavailable)
        lostAfterMs = try decode(.lostAfterMs)
        snapshot = try decode(.snapshot)
        event = try decode(.event)
        scheduling = try decode(.scheduling)
        leader = try decode(.leader)
        leaderEpoch = try decode(.leaderEpoch)
    }

    /// The fields each message type carries besides `type`, `id` and `reply_to`.
    private static let fields: [String: Set<CodingKeys>] = [
        "register": [.service, .host, .instance, .agentPid, .snapshot],
        "welcome": [.heartbeatIntervalMs, .lostAfterMs],
        "started": [.pid],
        "start_failed": [.reason],
        "unready": [.reason],
        "start": [.readiness, .restart],
        "restarting": [.exitCode, .signal, .attempt, .delayMs],
        "refused": [.reason],
        "standby": [.leader, .leaderEpoch],
        "exited": [.exitCode, .signal],
        "stopped": [.outcome, .exitCode, .signal],
        "stop": [.timeoutMs, .drainMs, .exit],
        "kill": [.exit],
        "operation_request": [.operation, .service, .maxUnavailable, .scheduling],
        "shutdown_request": [.scheduling],
        "progress": [.text],
        "error": [.text],
        "status_reply": [.status],
        "report": [.report],
        "event": [.event],
    ]
}
