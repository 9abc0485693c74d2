import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The CLI's side of the operator dialogs: `status` and `shutdown`.
final class AdminClient {
    /// The coordinator did not answer in time, or answered with an error.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let context: Context
    private let dealer: Socket
    private let clock = MonotonicClock()
    private var nextID: UInt64 = 1

    /// - Parameter curve: the operator's keys and the coordinator's public key; plain when `nil`.
    init(coordinator endpoint: String, curve: (keys: CurveKeyPair, serverKey: String)? = nil) throws {
        context = try Context()
        dealer = try Sockets.dealer(context: context, connect: endpoint, immediate: false, curve: curve)
    }

    /// Closes the socket; call once done.
    func close() {
        try? dealer.set(.linger, Int32(0))
        dealer.close()
        context.terminate()
    }

    /// Asks for the status table.
    func status(timeout: Duration) throws -> StatusDocument {
        let id = try request(.statusRequest)
        let deadline = clock.now + timeout
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            switch envelope.message {
            case .statusReply(let document): return document
            case .error(let text): throw Failure(description: "the coordinator answered: \(text)")
            default: continue
            }
        }
        throw Failure(description: "no answer from the coordinator within \(timeout.configurationText)")
    }

    /// Requests the shutdown, hands each progress line to `progress`, and returns the final report.
    /// - Parameter timeout: how long to wait for the first answer and, after it, between two messages.
    func shutdown(timeout: Duration, progress: (String) -> Void) throws -> ReportDocument {
        try follow(.shutdownRequest, timeout: timeout, progress: progress)
    }

    /// Requests a targeted stop, start or restart of `service` (a rolling restart with
    /// `maxUnavailable`), hands each progress line to `progress`, and returns the operation's report.
    func operation(
        _ kind: Operation.Kind, service: String, maxUnavailable: Int? = nil, timeout: Duration,
        progress: (String) -> Void
    ) throws -> ReportDocument {
        try follow(
            .operationRequest(kind, service: service, maxUnavailable: maxUnavailable), timeout: timeout,
            progress: progress)
    }

    /// Subscribes to the coordinator's events and hands each to `event` until it returns `false`.
    /// - Parameter timeout: how long the coordinator may stay silent (it sends a heartbeat each second).
    func events(timeout: Duration, event: (EventDocument) -> Bool) throws {
        let id = try request(.eventsRequest)
        var deadline = clock.now + timeout
        var answered = false
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            deadline = clock.now + timeout
            answered = true
            switch envelope.message {
            case .event(let document): if !event(document) { return }
            case .error(let text): throw Failure(description: "the coordinator answered: \(text)")
            default: continue
            }
        }
        throw Failure(
            description: answered
                ? "the coordinator went silent for \(timeout.configurationText)"
                : "no answer from the coordinator within \(timeout.configurationText)")
    }

    /// Sends a request answered by progress lines and a report.
    private func follow(_ message: Message, timeout: Duration, progress: (String) -> Void) throws -> ReportDocument {
        let id = try request(message)
        var deadline = clock.now + timeout
        while let envelope = try receive(until: deadline) {
            guard envelope.replyTo == id else { continue }
            deadline = clock.now + timeout
            switch envelope.message {
            case .progress(let line): progress(line)
            case .report(let report): return report
            case .error(let text): throw Failure(description: "the coordinator answered: \(text)")
            default: continue
            }
        }
        throw Failure(description: "the coordinator went silent for \(timeout.configurationText)")
    }

    /// Sends a request; the socket queues it until the connection is up.
    private func request(_ message: Message) throws -> UInt64 {
        let id = nextID
        nextID += 1
        guard try dealer.send(WireCodec.encode(Envelope(id: id, message: message))) else {
            throw Failure(description: "cannot queue the request for the coordinator")
        }
        return id
    }

    private func receive(until deadline: Timestamp) throws -> Envelope? {
        var poller = Poller([.socket(dealer)])
        while clock.now < deadline {
            guard try poller.poll(timeoutMilliseconds: clock.pollTimeout(until: deadline, limit: .seconds(1)))[0],
                let received = try dealer.receive(maxFrames: WireCodec.maximumFrames)
            else { continue }
            if let envelope = try? WireCodec.decode(received.frames) { return envelope }
        }
        return nil
    }
}
