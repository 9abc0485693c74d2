import QuiesceCore
import QuiesceWire

/// One simulated agent's side of QSC/1, as a real agent speaks it but with no process behind it: it
/// registers as one instance of its service, answers a start order at once with `started` and `ready` and a stop or kill order with
/// `stopped`, sends heartbeats once welcomed, and registers again when the coordinator no longer
/// knows it (it restarted). A repeated order is answered again, as agents do.
struct SimulatedAgent {
    enum Phase: Equatable {
        case registering
        case registered
        /// Its stop was acknowledged: a real agent would have exited.
        case exited
        case refused
    }

    /// What a received message meant for the figures.
    enum Event: Equatable {
        case none
        case welcomed
        case refused
        /// A start order; `first` unless it was answered before.
        case startOrdered(first: Bool)
        /// A stop or kill order; `first` unless it was answered before.
        case stopOrdered(first: Bool)
        /// The coordinator acknowledged the answer to the stop order.
        case stopAcknowledged
    }

    let service: String
    let instance: String
    private(set) var phase = Phase.registering
    /// From the welcome; until then, the agents' default.
    private(set) var heartbeatInterval: Duration = .seconds(1)
    private var epoch: UInt64?
    private var nextID: UInt64 = 1
    private var answeredStart = false
    private var answeredStop = false
    private let agentPID: Int32

    init(service: String, instance: String, agentPID: Int32) {
        self.service = service
        self.instance = instance
        self.agentPID = agentPID
    }

    /// The registration to send (first, and again until welcomed).
    mutating func registration() -> [[UInt8]] {
        envelope(
            .register(service: service, host: "swarm", agentPID: agentPID, snapshot: .idle, instance: instance))
    }

    /// The heartbeat to send, once welcomed and until it has exited.
    mutating func heartbeat() -> [[UInt8]]? {
        phase == .registered ? envelope(.heartbeat) : nil
    }

    /// Handles a message from the coordinator: what to send back, and what it meant.
    mutating func received(_ message: Envelope) -> (replies: [[[UInt8]]], event: Event) {
        switch message.message {
        case .welcome(let interval, _) where phase == .registering:
            phase = .registered
            epoch = message.epoch
            heartbeatInterval = interval
            return ([], .welcomed)
        case .refused:
            phase = .refused
            return ([], .refused)
        case .start:
            let first = !answeredStart
            answeredStart = true
            return ([envelope(.started(pid: agentPID)), envelope(.ready)], .startOrdered(first: first))
        case .stop, .kill:
            let first = !answeredStop
            answeredStop = true
            let outcome: StopOutcome = if case .kill = message.message { .killed } else { .stopped(.exited(0)) }
            return ([envelope(.stopped(outcome), replyTo: message.id)], .stopOrdered(first: first))
        case .ack where answeredStop && phase != .exited:
            phase = .exited
            return ([], .stopAcknowledged)
        case .error where phase == .registered:
            // "not registered": a restarted coordinator does not know this agent yet.
            phase = .registering
            epoch = nil
            return ([registration()], .none)
        default:
            return ([], .none)
        }
    }

    private mutating func envelope(_ message: Message, replyTo: UInt64? = nil) -> [[UInt8]] {
        defer { nextID += 1 }
        return WireCodec.encode(Envelope(id: nextID, replyTo: replyTo, epoch: epoch, message: message))
    }
}
