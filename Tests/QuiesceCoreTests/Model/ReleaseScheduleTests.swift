import Testing

@testable import QuiesceCore

/// The one rule of which services may go now, in both schedulings and both directions.
@Suite("Release schedule")
struct ReleaseScheduleTests {
    typealias Release = ReleaseSchedule.Release

    /// `top` depends on `left` and `right`, which depend on `base`; `side` depends on `base` alone.
    let graph: ServiceGraph

    init() throws {
        graph = try ServiceGraph(validating: [
            ServiceSpec(name: "base"),
            ServiceSpec(name: "left", dependencies: ["base"]),
            ServiceSpec(name: "right", dependencies: ["base"]),
            ServiceSpec(name: "top", dependencies: ["left", "right"]),
            ServiceSpec(name: "side", dependencies: ["base"]),
        ])
    }

    func schedule(_ direction: ReleaseSchedule.Direction, _ scheduling: Scheduling) -> ReleaseSchedule {
        let plan = Plan(graph: graph)
        return ReleaseSchedule(
            graph: graph, waves: direction == .startup ? plan.startupWaves : plan.shutdownWaves, direction: direction,
            scheduling: scheduling)
    }

    @Test("Waves: the next wave goes once the whole wave before it is done")
    func wavesWaitForTheWave() {
        var shutdown = schedule(.shutdown, .waves)
        #expect(shutdown.begin() == [Release(wave: 0, services: ["side", "top"])])
        #expect(shutdown.markDone("top") == [])
        #expect(shutdown.markDone("top") == [])
        #expect(shutdown.markDone("side") == [Release(wave: 1, services: ["left", "right"])])
        #expect(shutdown.markDone("left") == [])
        #expect(shutdown.markDone("right") == [Release(wave: 2, services: ["base"])])
        #expect(shutdown.markDone("base") == [])
    }

    @Test("Eager shutdown: a service goes once all its dependents are done")
    func eagerShutdownFollowsDependents() {
        var shutdown = schedule(.shutdown, .eager)
        #expect(shutdown.begin() == [Release(wave: nil, services: ["side", "top"])])
        #expect(shutdown.markDone("top") == [Release(wave: nil, services: ["left", "right"])])
        #expect(shutdown.markDone("left") == [])
        #expect(shutdown.markDone("right") == [])
        #expect(shutdown.markDone("right") == [])
        #expect(shutdown.markDone("side") == [Release(wave: nil, services: ["base"])])
    }

    @Test("Eager startup: a service goes once all its dependencies are done")
    func eagerStartupFollowsDependencies() {
        var startup = schedule(.startup, .eager)
        #expect(startup.begin() == [Release(wave: nil, services: ["base"])])
        #expect(startup.markDone("base") == [Release(wave: nil, services: ["left", "right", "side"])])
        #expect(startup.markDone("left") == [])
        #expect(startup.markDone("right") == [Release(wave: nil, services: ["top"])])
    }

    @Test("Waves: a wave done before its turn lets the next go with it")
    func wavesDoneEarlyGoOn() {
        var startup = schedule(.startup, .waves)
        #expect(startup.begin() == [Release(wave: 0, services: ["base"])])
        for name in ["left", "right", "side"] { #expect(startup.markDone(name) == []) }
        #expect(
            startup.markDone("base") == [
                Release(wave: 1, services: ["left", "right", "side"]), Release(wave: 2, services: ["top"]),
            ])
    }
}
