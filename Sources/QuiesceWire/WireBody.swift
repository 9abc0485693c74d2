/// The JSON object carried in a message's body frame: `type` and `id`, then the fields of that type.
/// Every field but `type` and `id` is optional here; ``WireCodec`` checks what each type requires.
struct WireBody: Codable {
    var type: String
    var id: UInt64
    var replyTo: UInt64?
    var service: String?
    var host: String?
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

    init(type: String, id: UInt64, replyTo: UInt64?) {
        self.type = type
        self.id = id
        self.replyTo = replyTo
    }
}
