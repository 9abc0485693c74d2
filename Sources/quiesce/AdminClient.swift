import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The CLI's side of the operator dialogs: `status`, `shutdown`, `stop`, `start` and `restart`.
final class AdminClient {
    /// The coordinator did not answer in time, or answered with an error.
    struct Failure: Error, CustomStringConvertible {
        enum Kind {
            /// Nothing answered within the timeout: the coordinator is unavailable (exit code 69).
            case noAnswer
            /// The coordinator refused the request (exit code 77).
            case refused
            /// The coordinator stands by (revision 1.4): it named the leader's endpoint when it knew it
            /// (exit code 69, unless the request is sent to the leader).
            case standby(leader: String?)
        }

        var kind: Kind
        var description: String

        /// The exit code a command ends with after this failure (sysexits.h's `EX_UNAVAILABLE` and
        /// `EX_NOPERM`).
        var exitCode: Int32 {
            switch kind {
            case .noAnswer, .standby: 69
            case .refused: 77
            }
        }
    }

    private let context: Context
    private let dealer: Socket
    private let monitor: SocketMonitor
    /// The coordinator's endpoint.
    let endpoint: String
    private let secured: Bool
    private let clock = MonotonicClock()
    private var nextID: UInt64 = 1
    private var diagnosis = NoAnswerDiagnosis()

    /// - Parameters:
    ///   - curve: the operator's keys and the coordinator's public key; plain when `nil`.
    ///   - streaming: the connection carries a stream that this side may read more slowly than it
    ///     comes (`quiesce events`): no ZMTP heartbeats, which would close it when the reader falls
    ///     3 s behind; the coordinator's own heartbeat, each second, tells that it is still there.
    init(
        coordinator endpoint: String, curve: (keys: CurveKeyPair, serverKey: String)? = nil, streaming: Bool = false
    ) throws {
        self.endpoint = endpoint
        secured = curve != nil
        context = try Context()
        dealer = try Sockets.unconnectedDealer(
            context: context, immediate: false, curve: curve, zmtpHeartbeats: !streaming)
        monitor = try SocketMonitor(
            dealer, context: context, events: [.connected, .connectRetried, .handshakeFailures, .handshakeSucceeded],
            address: "inproc://quiesce.admin.monitor")
        try dealer.connect(endpoint)
    }

    /// Closes the socket; call once done.
    func close() {
        monitor.close()
        try? dealer.set(.linger, Int32(0))
        dealer.close()
        context.terminate()
    }

    /// Asks for the status table.
    func status(timeout: Duration) throws -> StatusDocument {
        let id = try request(.statusRequest, timeout: timeout)
        let deadline = clock.now + timeout
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            switch envelope.message {
            case .statusReply(let document): return document
            case .error(let text): throw Failure(kind: .refused, description: "the coordinator answered: \(text)")
            case .standby(let leader, _): throw standby(leader: leader)
            default: continue
            }
        }
        throw noAnswer(within: timeout)
    }

    /// Requests the shutdown, hands each progress line to `progress`, and returns the final report.
    /// - Parameter timeout: how long to wait for the first answer and, after it, between two messages.
    /// - Parameter scheduling: how the shutdown orders the services; the coordinator's when `nil`.
    func shutdown(scheduling: Scheduling? = nil, timeout: Duration, progress: (String) -> Void) throws
        -> ReportDocument
    {
        try follow(.shutdownRequest(scheduling: scheduling), timeout: timeout, progress: progress)
    }

    /// Requests a targeted stop, start or restart of `service` (a rolling restart with
    /// `maxUnavailable`), hands each progress line to `progress`, and returns the operation's report.
    /// `scheduling` is how it orders the services, the coordinator's when `nil`.
    func operation(
        _ kind: Operation.Kind, service: String, maxUnavailable: Int? = nil, scheduling: Scheduling? = nil,
        timeout: Duration, progress: (String) -> Void
    ) throws -> ReportDocument {
        try follow(
            .operationRequest(kind, service: service, maxUnavailable: maxUnavailable, scheduling: scheduling),
            timeout: timeout, progress: progress)
    }

    /// Subscribes to the coordinator's events and hands each to `event` until it returns `false`.
    /// - Parameter timeout: how long the coordinator may stay silent (it sends a heartbeat each second).
    func events(timeout: Duration, event: (EventDocument) -> Bool) throws {
        let id = try request(.eventsRequest, timeout: timeout)
        var deadline = clock.now + timeout
        var answered = false
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            deadline = clock.now + timeout
            answered = true
            switch envelope.message {
            case .event(let document): if !event(document) { return }
            case .error(let text): throw Failure(kind: .refused, description: "the coordinator answered: \(text)")
            case .standby(let leader, _): throw standby(leader: leader)
            default: continue
            }
        }
        guard answered else { throw noAnswer(within: timeout) }
        throw Failure(kind: .noAnswer, description: "the coordinator went silent for \(timeout.configurationText)")
    }

    /// Sends a request answered by progress lines and a report.
    private func follow(_ message: Message, timeout: Duration, progress: (String) -> Void) throws -> ReportDocument {
        let id = try request(message, timeout: timeout)
        var deadline = clock.now + timeout
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            deadline = clock.now + timeout
            switch envelope.message {
            case .progress(let line): progress(line)
            case .report(let report): return report
            case .error(let text): throw Failure(kind: .refused, description: "the coordinator answered: \(text)")
            case .standby(let leader, _): throw standby(leader: leader)
            default: continue
            }
        }
        throw noAnswer(within: timeout)
    }

    /// The coordinator answered `standby`: it does not lead, and names the leader if it knows it.
    private func standby(leader: String?) -> Failure {
        Failure(
            kind: .standby(leader: leader),
            description: "the coordinator at \(endpoint) stands by"
                + (leader.map { "; the coordinator at \($0) leads" } ?? " and knows no leader yet"))
    }

    /// Why nothing came within `timeout`, as far as the connection tells, and what to try.
    private func noAnswer(within timeout: Duration) -> Failure {
        readEvents()
        return Failure(
            kind: .noAnswer, description: diagnosis.explanation(endpoint: endpoint, secured: secured, timeout: timeout))
    }

    /// Sends a request; the socket queues it until the connection is up. A connection whose
    /// handshake has just failed holds no queue until libzmq connects again, so the send is tried
    /// again for `timeout`, after which the connection's events say what went wrong.
    private func request(_ message: Message, timeout: Duration) throws -> UInt64 {
        let id = nextID
        nextID += 1
        let frames = WireCodec.encode(Envelope(id: id, message: message))
        let deadline = clock.now + timeout
        var events = Poller([.socket(monitor.socket)])
        while try !dealer.send(frames) {
            guard clock.now < deadline else { throw noAnswer(within: timeout) }
            _ = try events.poll(timeoutMilliseconds: 10)
            readEvents()
        }
        return id
    }

    /// The next envelope, or `nil` once `deadline` has passed. What has arrived is read even past
    /// the deadline (a process stopped a while, then continued), so that silence is never said of a
    /// coordinator whose message is waiting.
    private func receive(until deadline: Timestamp) throws -> Envelope? {
        var poller = Poller([.socket(dealer), .socket(monitor.socket)])
        repeat {
            let ready = try poller.poll(timeoutMilliseconds: clock.pollTimeout(until: deadline, limit: .seconds(1)))
            if ready[1] { readEvents() }
            guard ready[0], let received = try dealer.receive(maxFrames: WireCodec.maximumFrames) else { continue }
            if let envelope = try? WireCodec.decode(received.frames) {
                diagnosis.observe(.answered)
                return envelope
            }
        } while clock.now < deadline
        return nil
    }

    /// Feeds the connection's events to the diagnosis.
    private func readEvents() {
        while let event = try? monitor.next() {
            let observation: NoAnswerDiagnosis.Observation? =
                switch event.kind {
                case .connectRetried: .connectionRefused
                case .connected: .connected
                case .handshakeSucceeded: .handshakeSucceeded
                default:
                    event.isMechanismMismatch
                        ? .mechanismMismatch
                        : event.isAuthenticationFailure
                            ? .keyRefused : event.handshakeFailure.map { _ in .handshakeFailed }
                }
            if let observation { diagnosis.observe(observation) }
        }
    }
}
