import Foundation
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// Simulates many agents in one process: one DEALER each, configured as an agent configures its own
/// (`Sockets.dealer`), all driven by one thread that waits on their `ZMQ_FD`s with ``EventPoll``.
///
/// It registers every agent as soon as its connection is up, as an agent does once its handshake
/// succeeds, retries a registration every second until welcomed (as agents do), answers orders at once, heartbeats at the interval of the welcome, and records when each
/// wave's first order arrived and when its last agent answered. It ends when every agent has
/// answered its stop order (then reads acknowledgements for a moment), or at its deadline.
final class SimulatedSwarm {
    /// The agents, the fleet's members this process simulates.
    private let members: [SwarmFleet.Member]
    private let fleet: SwarmFleet
    private var agents: [SimulatedAgent]
    private var sockets: [Socket] = []
    private var record = SwarmRecord()
    /// Agents that still have to answer a stop order.
    private var awaitingStop: Int
    /// Registrations to send again, and heartbeats to send, each due in the order queued.
    private var registrationRetries = DueQueue()
    /// Agents whose last registration their socket refused: no connection was up yet (`ZMQ_IMMEDIATE`).
    /// Each registers again the moment its socket can send, which it signals on its `ZMQ_FD` when the
    /// connection's handshake has succeeded.
    private var awaitingConnection: [Bool]
    private var heartbeats = DueQueue()
    private static let registrationRetry: UInt64 = 1_000_000_000

    /// The members of `fleet` with `index % shards.count == shards.index`.
    init(fleet: SwarmFleet, shard: Shard) {
        self.fleet = fleet
        // The last layer connects first and the first layer last, so that the startup, which begins
        // once the first wave's agents are there, finds the whole fleet registered: no startup
        // wave's time then holds registrations still arriving.
        members = fleet.members.enumerated().filter { shard.includes($0.offset) }.map(\.element).reversed()
        agents = members.map { SimulatedAgent(service: $0.service, instance: $0.instance, agentPID: getpid()) }
        awaitingStop = members.count
        awaitingConnection = Array(repeating: false, count: members.count)
        record.agents = members.count
        let sizes = Array(repeating: 0, count: fleet.layers)
        record.startupWaves = sizes.map { _ in SwarmRecord.Wave() }
        record.shutdownWaves = record.startupWaves
        for member in members {
            record.startupWaves[fleet.startupWave(of: member)].size += 1
            record.shutdownWaves[fleet.shutdownWave(of: member)].size += 1
        }
    }

    /// How many agents this process simulates.
    var agentCount: Int { members.count }

    /// Connects every agent to `endpoint` and runs until every stop is answered or `deadline`
    /// (seconds) passes.
    /// - Parameter curve: a service's agent's keys and the coordinator's public key; plain when `nil`.
    func run(
        endpoint: String, curve: ((String) throws -> (keys: CurveKeyPair, serverKey: String))?, ioThreads: Int32,
        deadline: Double
    ) throws -> SwarmRecord {
        let context = try Context(maxSockets: Int32(members.count + 64), ioThreads: ioThreads)
        let poll = try EventPoll()
        defer {
            for socket in sockets {
                try? socket.set(.linger, Int32(0))
                socket.close()
            }
            context.terminate()
        }
        record.began = MonotonicNanoseconds.now
        for index in agents.indices {
            let socket = try Sockets.dealer(
                context: context, connect: endpoint, curve: try curve?(members[index].service))
            sockets.append(socket)
            try poll.add(socket.fileDescriptor(), token: index)
            register(index, now: record.began)
        }
        let end = record.began + UInt64(deadline * 1e9)
        var finishedAt: UInt64?
        while true {
            let now = MonotonicNanoseconds.now
            if now >= end || finishedAt.map({ now >= $0 + 200_000_000 }) == true { break }
            let next = min(registrationRetries.nextDue ?? end, heartbeats.nextDue ?? end, end)
            let timeout = Int32(clamping: next > now ? (next - now) / 1_000_000 + 1 : 0)
            for index in poll.wait(timeoutMilliseconds: min(timeout, 100)) { try drain(index) }
            try fireTimers(now: MonotonicNanoseconds.now)
            if awaitingStop == 0, finishedAt == nil { finishedAt = MonotonicNanoseconds.now }
        }
        record.complete = awaitingStop == 0
        return record
    }

    /// Sends a registration and schedules its retry.
    private func register(_ index: Int, now: UInt64) {
        awaitingConnection[index] = !send(agents[index].registration(), from: index)
        registrationRetries.append(index, due: now + Self.registrationRetry)
    }

    /// Registers agent `index` again if its last registration was refused and its socket now sends.
    private func registerIfConnected(_ index: Int) throws {
        guard awaitingConnection[index], agents[index].phase == .registering, try sockets[index].canSend() else {
            return
        }
        awaitingConnection[index] = !send(agents[index].registration(), from: index)
    }

    private func fireTimers(now: UInt64) throws {
        while let index = registrationRetries.popDue(now: now) {
            if agents[index].phase == .registering { register(index, now: now) }
            try drain(index)
        }
        while let index = heartbeats.popDue(now: now) {
            guard let heartbeat = agents[index].heartbeat() else { continue }
            send(heartbeat, from: index)
            heartbeats.append(index, due: now + UInt64(agents[index].heartbeatInterval.nanoseconds))
            try drain(index)
        }
    }

    /// Reads and answers every message waiting on agent `index`'s socket. `ZMQ_FD` is edge-triggered:
    /// the socket is read until it says it has nothing more, sends in between included.
    private func drain(_ index: Int) throws {
        let socket = sockets[index]
        try registerIfConnected(index)
        while try socket.hasMessage() {
            guard let received = try socket.receive(maxFrames: WireCodec.maximumFrames) else { break }
            guard let envelope = try? WireCodec.decode(received.frames) else { continue }
            let (replies, event) = agents[index].received(envelope)
            for reply in replies { send(reply, from: index) }
            note(event, of: index)
        }
    }

    private func note(_ event: SimulatedAgent.Event, of index: Int) {
        let now = MonotonicNanoseconds.now
        let member = members[index]
        switch event {
        case .none:
            break
        case .welcomed:
            record.registered += 1
            record.lastWelcome = now
            heartbeats.append(index, due: now + UInt64(agents[index].heartbeatInterval.nanoseconds))
        case .refused:
            record.refused += 1
            awaitingStop -= 1
        case .startOrdered(let first):
            let wave = fleet.startupWave(of: member)
            record.startupWaves[wave].ordered(at: now)
            if first { record.startupWaves[wave].answered(at: now) } else { record.repeatedOrders += 1 }
        case .stopAcknowledged:
            record.shutdownWaves[fleet.shutdownWave(of: member)].acknowledged(at: now)
        case .stopOrdered(let first):
            let wave = fleet.shutdownWave(of: member)
            record.shutdownWaves[wave].ordered(at: now)
            if first {
                record.shutdownWaves[wave].answered(at: now)
                awaitingStop -= 1
            } else {
                record.repeatedOrders += 1
            }
        }
    }

    /// Sends `frames` from agent `index`; `false` when its socket refused them (not connected yet,
    /// with `ZMQ_IMMEDIATE`), and they are lost, as an agent's are.
    @discardableResult
    private func send(_ frames: [[UInt8]], from index: Int) -> Bool {
        (try? sockets[index].send(frames)) == true
    }
}

/// Which of the fleet's agents one of several swarm processes simulates.
struct Shard: Sendable {
    var index = 0
    var count = 1

    func includes(_ member: Int) -> Bool { member % count == index }
}

/// Agents' timers that all have the same period: due times arrive in the order they are queued.
struct DueQueue {
    private var entries: [(due: UInt64, index: Int)] = []
    private var head = 0

    var nextDue: UInt64? { head < entries.count ? entries[head].due : nil }

    mutating func append(_ index: Int, due: UInt64) { entries.append((due, index)) }

    /// The next entry due by `now`, removed.
    mutating func popDue(now: UInt64) -> Int? {
        guard head < entries.count, entries[head].due <= now else { return nil }
        defer {
            head += 1
            if head > 4096, head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
        return entries[head].index
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
