import Foundation
import QuiesceCore
import Testing

/// Random fleets of services with random instance counts, random stop durations, random faults on
/// instances (agents lost, stops ignored, reports lost, the coordinator dying and resuming from its
/// journal, the leader deposed and a standby taking over while the deposed one still gives orders),
/// each shut down wave by wave and eagerly: the promises hold every time, instance by instance, in
/// both schedulings, and no instance is ordered to stop again once its outcome is known.
/// CI runs the fixed seeds below; `QUIESCE_PROPERTY_RUNS=N` runs N more random ones.
@Suite("Shutdown properties")
struct ShutdownPropertyTests {
    static let fixedSeeds: [UInt64] = Array(1...300)

    static var extraSeeds: [UInt64] {
        let count = Int(ProcessInfo.processInfo.environment["QUIESCE_PROPERTY_RUNS"] ?? "") ?? 0
        return (0..<count).map { _ in UInt64.random(in: 1...UInt64.max) }
    }

    @Test(
        "Nothing stops while a dependent runs, and every shutdown ends with every service reported",
        arguments: Scheduling.allCases)
    func promisesHold(scheduling: Scheduling) {
        var failures: [String] = []
        for seed in Self.fixedSeeds + Self.extraSeeds {
            var simulation = ShutdownSimulation(FleetScenario(seed: seed), scheduling: scheduling)
            simulation.run()
            if !simulation.violations.isEmpty {
                failures.append(
                    "\(simulation.scenario): \(simulation.violations.map(\.description).joined(separator: "; "))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) counterexamples:\n\(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test(
        "A deposed leader's orders are refused by agents its successor welcomed, and its journal writes by etcd",
        arguments: Scheduling.allCases)
    func deposedLeaderIsFenced(scheduling: Scheduling) {
        var fencedOrders = 0
        var refusedWrites = 0
        for seed in Self.fixedSeeds {
            let scenario = FleetScenario(seed: seed)
            guard scenario.leaderChange != nil else { continue }
            var simulation = ShutdownSimulation(scenario, scheduling: scheduling)
            simulation.run()
            fencedOrders += simulation.fencedOrders
            refusedWrites += simulation.refusedWrites
        }
        #expect(fencedOrders > 0, "no scenario had a deposed leader order an agent its successor welcomed")
        #expect(refusedWrites > 0, "no scenario had a deposed leader write its journal")
    }

    @Test(
        "Without the epoch fence and the guarded journal, a deposed leader's orders break the promises",
        arguments: Scheduling.allCases)
    func unfencedDeposedLeaderIsCaught(scheduling: Scheduling) {
        var broken = 0
        for seed in Self.fixedSeeds {
            let scenario = FleetScenario(seed: seed)
            guard scenario.leaderChange != nil else { continue }
            var simulation = ShutdownSimulation(scenario, scheduling: scheduling, fenced: false)
            simulation.run()
            if !simulation.violations.isEmpty { broken += 1 }
        }
        #expect(broken > 0, "the checks never saw the harm a deposed leader does unfenced")
    }

    @Test("Eager ends no later than waves on fleets without faults, and sooner on some")
    func eagerIsNeverSlower() {
        var sooner = 0
        var failures: [String] = []
        for seed in Self.fixedSeeds {
            var scenario = FleetScenario(seed: seed)
            scenario.faults = [:]
            scenario.coordinatorRestart = nil
            scenario.leaderChange = nil
            scenario.shutdownTimeout = .seconds(600)
            var waves = ShutdownSimulation(scenario, scheduling: .waves)
            var eager = ShutdownSimulation(scenario, scheduling: .eager)
            waves.run()
            eager.run()
            guard let wavesTotal = waves.report?.total, let eagerTotal = eager.report?.total else {
                failures.append("\(scenario): no report")
                continue
            }
            if eagerTotal > wavesTotal { failures.append("\(scenario): eager \(eagerTotal), waves \(wavesTotal)") }
            if eagerTotal < wavesTotal { sooner += 1 }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5).joined(separator: "\n"))")
        #expect(sooner > Self.fixedSeeds.count / 4)
    }

    @Test("The scenarios really contain faults and deadlines")
    func scenariosAreVaried() {
        let scenarios = Self.fixedSeeds.map(FleetScenario.init(seed:))
        #expect(scenarios.contains { $0.faults.values.contains(.ignoresStop) })
        #expect(scenarios.contains { $0.faults.values.contains(.reportLost) })
        #expect(scenarios.contains { $0.faults.values.contains { if case .agentLost = $0 { true } else { false } } })
        #expect(scenarios.contains { $0.shutdownTimeout == .seconds(6) })
        #expect(scenarios.contains { $0.coordinatorRestart != nil })
        #expect(scenarios.filter { $0.leaderChange != nil }.count > Self.fixedSeeds.count / 8)
        #expect(!scenarios.contains { $0.leaderChange != nil && $0.coordinatorRestart != nil })
        #expect(Set(scenarios.map(\.graph.names.count)).count > 20)
        #expect(scenarios.contains { $0.graph.services.contains { $0.instances == 4 && $0.minReady < 4 } })
    }
}
