import Foundation
import QuiesceWire
import ZeroMQ

/// A raw ROUTER on a fleet's endpoint that plays the coordinator by hand, for tests that send a real
/// agent exactly the messages they choose: garbage, repeated orders.
final class StandInCoordinator {
    private let context: Context
    private let router: Socket
    /// The agent's routing id and its registration, once ``awaitRegistration()`` has returned.
    private(set) var agent: (routingID: [UInt8], registration: Envelope)?

    /// - Parameter curve: the keys of a CURVE server, which accepts any client's key (no ZAP handler);
    ///   plain when `nil`.
    init(endpoint: String, curve: CurveKeyPair? = nil) throws {
        context = try Context()
        router = try Socket(context: context, type: .router)
        try router.set(.routerMandatory, Int32(1))
        if let curve { try router.makeCurveServer(curve) }
        try router.bind(endpoint)
    }

    func close() {
        try? router.set(.linger, Int32(0))
        router.close()
        context.terminate()
    }

    /// Waits for the agent's registration.
    func awaitRegistration() async throws -> Envelope {
        let (routingID, envelope) = try await receive()
        agent = (routingID, envelope)
        return envelope
    }

    /// Sends `message` to the agent as a reply to its registration.
    func order(_ message: Message, id: UInt64) throws {
        try send(Envelope(id: id, replyTo: agent!.registration.id, message: message))
    }

    /// Sends raw frames to the agent.
    func send(frames: [[UInt8]]) throws {
        _ = try router.send([agent!.routingID] + frames)
    }

    func send(_ envelope: Envelope) throws {
        try send(frames: WireCodec.encode(envelope))
    }

    /// The agent's next stop report.
    func nextReport() async throws -> Envelope {
        try await next { if case .stopped = $0.message { true } else { false } }
    }

    /// The next message that `matches`, from any agent, within 20 s; its sender becomes ``agent`` when
    /// it registers.
    func next(where matches: (Envelope) -> Bool) async throws -> Envelope {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let (routingID, envelope) = try await receive()
            guard matches(envelope) else { continue }
            if case .register = envelope.message { agent = (routingID, envelope) }
            return envelope
        }
        throw Fleet.FleetError(description: "no matching message within 20 s")
    }

    /// The next decodable message within `milliseconds`, with its sender's routing id, if one came.
    func poll(milliseconds: Int) throws -> (routingID: [UInt8], envelope: Envelope)? {
        var poller = Poller([.socket(router)])
        _ = try poller.poll(timeoutMilliseconds: milliseconds)
        while let received = try router.receive() {
            if let envelope = try? WireCodec.decode(Array(received.frames.dropFirst())) {
                return (received.frames[0], envelope)
            }
        }
        return nil
    }

    /// Sends `envelope` to the peer `routingID`.
    func send(_ envelope: Envelope, to routingID: [UInt8]) throws {
        _ = try router.send([routingID] + WireCodec.encode(envelope))
    }

    /// The next decodable message, with its sender's routing id.
    private func receive() async throws -> (routingID: [UInt8], envelope: Envelope) {
        var poller = Poller([.socket(router)])
        for _ in 0..<200 {
            _ = try poller.poll(timeoutMilliseconds: 50)
            while let received = try router.receive() {
                if let envelope = try? WireCodec.decode(Array(received.frames.dropFirst())) {
                    return (received.frames[0], envelope)
                }
            }
        }
        throw Fleet.FleetError(description: "no message within 10 s")
    }
}
