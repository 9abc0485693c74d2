import Foundation
import QuiesceCore
import Testing

/// Random fleets of services with random instance counts, random stop durations, random faults on
/// instances (agents lost, stops ignored, reports lost, the coordinator dying and resuming from its
/// journal): the two promises hold every time, instance by instance.
/// CI runs the fixed seeds below; `QUIESCE_PROPERTY_RUNS=N` runs N more random ones.
@Suite("Shutdown properties")
struct ShutdownPropertyTests {
    static let fixedSeeds: [UInt64] = Array(1...300)

    static var extraSeeds: [UInt64] {
        let count = Int(ProcessInfo.processInfo.environment["QUIESCE_PROPERTY_RUNS"] ?? "") ?? 0
        return (0..<count).map { _ in UInt64.random(in: 1...UInt64.max) }
    }

    @Test("Nothing stops while a dependent runs, and every shutdown ends with every service reported")
    func promisesHold() {
        var failures: [String] = []
        for seed in Self.fixedSeeds + Self.extraSeeds {
            var simulation = ShutdownSimulation(FleetScenario(seed: seed))
            simulation.run()
            if !simulation.violations.isEmpty {
                failures.append(
                    "\(simulation.scenario): \(simulation.violations.map(\.description).joined(separator: "; "))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) counterexamples:\n\(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test("The scenarios really contain faults and deadlines")
    func scenariosAreVaried() {
        let scenarios = Self.fixedSeeds.map(FleetScenario.init(seed:))
        #expect(scenarios.contains { $0.faults.values.contains(.ignoresStop) })
        #expect(scenarios.contains { $0.faults.values.contains(.reportLost) })
        #expect(scenarios.contains { $0.faults.values.contains { if case .agentLost = $0 { true } else { false } } })
        #expect(scenarios.contains { $0.shutdownTimeout == .seconds(6) })
        #expect(scenarios.contains { $0.coordinatorRestart != nil })
        #expect(Set(scenarios.map(\.graph.names.count)).count > 20)
        #expect(scenarios.contains { $0.graph.services.contains { $0.instances == 4 && $0.minReady < 4 } })
    }
}
