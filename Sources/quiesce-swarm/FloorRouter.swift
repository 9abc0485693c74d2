import Foundation
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The floor of a swarm's figures: a bare ROUTER, configured as the coordinator's (`Sockets.router`),
/// that welcomes each registration and, once every agent of the fleet is registered, orders the
/// startup waves and then the shutdown waves, each the moment the last agent of the wave before it
/// answered. No graph, no state machine, no timers, no log: the best wave time the transport and the
/// swarm allow.
final class FloorRouter {
    private let fleet: SwarmFleet
    /// Each agent's connection, by its name (`service/instance`).
    private var routingIDs: [String: [UInt8]] = [:]
    /// The agents (`service/instance`) of each wave: startup waves, then shutdown waves.
    private let waves: [[String]]
    /// Agents of the wave under way that have not answered.
    private var pending: Set<String> = []
    /// The wave under way: startup waves first, then shutdown waves (`layers + n`).
    private var wave = -1
    private var nextID: UInt64 = 1
    private let epoch: UInt64 = 1

    /// The heartbeat interval its welcome gives the agents, the coordinator's.
    private let heartbeatInterval: Duration

    init(fleet: SwarmFleet, heartbeatSeconds: Int = 1) {
        self.fleet = fleet
        self.heartbeatInterval = .seconds(heartbeatSeconds)
        var waves = Array(repeating: [String](), count: 2 * fleet.layers)
        for member in fleet.members {
            waves[fleet.startupWave(of: member)].append(member.name)
            waves[fleet.layers + fleet.shutdownWave(of: member)].append(member.name)
        }
        self.waves = waves
    }

    /// Serves on `endpoint` until the last shutdown wave is answered or `deadline` (seconds) passes.
    /// - Returns: whether every wave was answered.
    func run(endpoint: String, deadline: Double) throws -> Bool {
        let context = try Context()
        // Configured as the coordinator's, with the same listen queue.
        let limit = Int(clamping: OpenFileLimit.current.soft)
        let router = try Sockets.router(context: context, backlog: Sockets.backlog(descriptorLimit: limit))
        defer {
            try? router.set(.linger, Int32(0))
            router.close()
            context.terminate()
        }
        try router.bind(endpoint)
        var poller = Poller([(0, .socket(router))])
        let end = Date().addingTimeInterval(deadline)
        var finishedAt: Date?
        while Date() < end {
            if let finishedAt, Date().timeIntervalSince(finishedAt) > 0.2 { break }
            guard try poller.poll(timeoutMilliseconds: 100)[0] else { continue }
            while let received = try router.receive(maxFrames: WireCodec.maximumFrames + 1) {
                guard received.frames.count == 3,
                    let envelope = try? WireCodec.decode(Array(received.frames.dropFirst()))
                else { continue }
                try handle(envelope, from: received.frames[0], on: router)
                if wave == waves.count, finishedAt == nil { finishedAt = Date() }
            }
        }
        return wave == waves.count
    }

    private func handle(_ envelope: Envelope, from routingID: [UInt8], on router: Socket) throws {
        switch envelope.message {
        case .register(let service, _, _, _, let instance):
            routingIDs["\(service)/\(instance ?? "")"] = routingID
            send(
                .welcome(heartbeatInterval: heartbeatInterval, lostAfter: heartbeatInterval * 15), to: routingID,
                on: router,
                replyTo: envelope.id)
            if wave < 0, routingIDs.count == fleet.members.count { beginWave(0, on: router) }
        case .ready:
            answered(envelope, from: routingID, on: router)
        case .stopped:
            send(.ack, to: routingID, on: router, replyTo: envelope.id)
            answered(envelope, from: routingID, on: router)
        default:
            break
        }
    }

    /// An agent answered the order of its wave; the next wave begins when the last one has.
    private func answered(_ envelope: Envelope, from routingID: [UInt8], on router: Socket) {
        guard let name = nameByRoutingID[routingID], pending.remove(name) != nil, pending.isEmpty else {
            return
        }
        beginWave(wave + 1, on: router)
    }

    private lazy var nameByRoutingID: [[UInt8]: String] = Dictionary(
        uniqueKeysWithValues: routingIDs.map { ($0.value, $0.key) })

    private func beginWave(_ next: Int, on router: Socket) {
        wave = next
        guard next < waves.count else { return }
        pending = Set(waves[next])
        let order: Message =
            next < fleet.layers
            ? .start(readiness: nil, restart: nil) : .stop(timeout: .seconds(10), drain: .zero, exit: true)
        for name in waves[next] {
            send(order, to: routingIDs[name]!, on: router)
        }
    }

    private func send(_ message: Message, to routingID: [UInt8], on router: Socket, replyTo: UInt64? = nil) {
        defer { nextID += 1 }
        let envelope = Envelope(id: nextID, replyTo: replyTo, epoch: epoch, message: message)
        _ = try? router.send([routingID] + WireCodec.encode(envelope))
    }
}
