/// Which services of a startup or a shutdown may be ordered now: the one rule both machines follow,
/// in either ``Scheduling``.
///
/// A service is *done* once the run no longer waits for it: in a shutdown when it has its outcome
/// (acknowledged, timed out, lost, or concluded without an order), in a startup when it is ready.
/// With ``Scheduling/waves`` a wave is released once every service of the wave before it is done.
/// With ``Scheduling/eager`` a service is released once every service it waits for is done: its
/// dependents in a shutdown, its dependencies in a startup. Either way nothing is released before
/// what it waits for is done; eager only stops waiting for the rest of the wave.
///
/// Each service is released once. Marking done a service not released yet (a startup adopts a
/// service already ready) counts for what waits for it.
struct ReleaseSchedule: Sendable {
    /// Which way the run goes through the graph.
    enum Direction: Sendable {
        /// Dependencies first: a service waits for its dependencies.
        case startup
        /// Dependents first: a service waits for its dependents.
        case shutdown
    }

    /// Services released together.
    struct Release: Equatable, Sendable {
        /// With waves, the 0-based wave released, whose services go together; eager, `nil`: each
        /// service goes on its own.
        var wave: Int?
        var services: [String]
    }

    let scheduling: Scheduling
    private let waves: [[String]]
    private let waveOf: [String: Int]
    /// Eager: what waits for each service.
    private let waitingFor: [String: [String]]
    /// Eager: how many services each one still waits for.
    private var waitingCount: [String: Int] = [:]
    /// Waves: the last wave released, and per wave how many of its services are not done.
    private var currentWave = -1
    private var notDone: [Int]
    private var done: Set<String> = []

    /// - Parameter waves: the plan's waves in `direction`: startup waves for a startup, shutdown
    ///   waves for a shutdown.
    init(graph: ServiceGraph, waves: [[String]], direction: Direction, scheduling: Scheduling) {
        self.scheduling = scheduling
        self.waves = waves
        var waveOf: [String: Int] = [:]
        for (wave, names) in waves.enumerated() {
            for name in names { waveOf[name] = wave }
        }
        self.waveOf = waveOf
        notDone = waves.map(\.count)
        var waitingFor: [String: [String]] = [:]
        if scheduling == .eager {
            for name in graph.names {
                let before = direction == .startup ? graph.dependencies(of: name) : graph.dependents(of: name)
                waitingCount[name] = before.count
                for earlier in before { waitingFor[earlier, default: []].append(name) }
            }
        }
        self.waitingFor = waitingFor
    }

    /// What may go at the start of the run: the first wave, or every service that waits for nothing.
    mutating func begin() -> [Release] {
        switch scheduling {
        case .waves:
            return advanceWaves()
        case .eager:
            let ready = waves.joined().filter { waitingCount[$0] == 0 }
            return ready.isEmpty ? [] : [Release(wave: nil, services: ready)]
        }
    }

    /// `service` is done: what that releases, in the order it may go.
    mutating func markDone(_ service: String) -> [Release] {
        guard let wave = waveOf[service], done.insert(service).inserted else { return [] }
        notDone[wave] -= 1
        switch scheduling {
        case .waves:
            return advanceWaves()
        case .eager:
            var released: [String] = []
            for later in waitingFor[service] ?? [] {
                waitingCount[later]! -= 1
                if waitingCount[later] == 0 { released.append(later) }
            }
            return released.isEmpty ? [] : [Release(wave: nil, services: released.sorted())]
        }
    }

    /// Releases the next wave for as long as the one before it is all done.
    private mutating func advanceWaves() -> [Release] {
        var released: [Release] = []
        while currentWave + 1 < waves.count, currentWave < 0 || notDone[currentWave] == 0 {
            currentWave += 1
            released.append(Release(wave: currentWave, services: waves[currentWave]))
        }
        return released
    }
}
