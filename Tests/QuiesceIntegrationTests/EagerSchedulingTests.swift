import Foundation
import Testing

/// Eager scheduling with the real binary and real children, on an uneven graph: two chains, `a1`
/// on `a2` and `b1` on `b2`, where a1 (stopped first) is slow to stop and a2 quick, b1 quick and b2
/// slow. Order is checked from the timestamps the children record.
@Suite("Eager scheduling across processes", .serialized)
struct EagerSchedulingTests {
    static func config(scheduling: String? = nil) -> String {
        """
        coordinator: { shutdown_timeout: 30s\(scheduling.map { ", scheduling: \($0)" } ?? "") }
        defaults: { stop_timeout: 10s }
        services:
          a2: {}
          a1: { depends_on: [a2] }
          b2: {}
          b1: { depends_on: [b2] }
        """
    }

    /// Stop delays: a1 3 s, a2 0.1 s, b1 0.1 s, b2 1.5 s.
    static let stopDelays: KeyValuePairs<String, Double> = ["a2": 0.1, "a1": 3, "b2": 1.5, "b1": 0.1]

    /// Every dependency began its stop only after its dependent's had ended.
    func expectDependentsFirst(_ fleet: Fleet, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectStopped("a1", before: ["a2"], in: fleet, sourceLocation: sourceLocation)
        try expectStopped("b1", before: ["b2"], in: fleet, sourceLocation: sourceLocation)
    }

    @Test("With scheduling: eager, b2 begins stopping once b1 has, before slow a1 has finished")
    func configuredEager() async throws {
        let fleet = try Fleet(config: Self.config(scheduling: "eager"))
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(Self.stopDelays)

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectDependentsFirst(fleet)
        let b2Begin = try #require(fleet.time("b2", "stop-begin"))
        let a1End = try #require(fleet.time("a1", "stop-end"))
        #expect(b2Begin < a1End, "b2 waited for a1, as only waves would")
        let report = try fleet.report()
        #expect(report["scheduling"] as? String == "eager")
        #expect(report["clean"] as? Bool == true)
        #expect(report["critical_path"] as? [String] == ["a1", "a2"])
        let progress = fleet.coordinatorProgress()
        #expect(progress.contains("stopping b2 (dependents stopped)"), "\(progress)")
        #expect(progress.contains("starting a1 (dependencies ready)"), "\(progress)")
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("`quiesce shutdown --eager` runs eager on a coordinator of waves; without it, waves")
    func perRun() async throws {
        for eager in [true, false] {
            let fleet = try Fleet(config: Self.config())
            defer { fleet.tearDown() }
            let coordinator = try await fleet.up(Self.stopDelays)

            let shutdown = try await fleet.run(
                ["shutdown", "--coordinator", fleet.endpoint] + (eager ? ["--eager"] : []), log: "shutdown")
            #expect(shutdown.terminationStatus == 0, "\(fleet.output("shutdown.out"))\(fleet.output("shutdown.err"))")
            #expect(await fleet.waitForExit(coordinator) == 0)
            try expectDependentsFirst(fleet)
            let b2Begin = try #require(fleet.time("b2", "stop-begin"))
            let a1End = try #require(fleet.time("a1", "stop-end"))
            let printed = fleet.output("shutdown.out")
            if eager {
                #expect(b2Begin < a1End, "b2 waited for a1 though --eager was given")
                #expect(printed.contains("scheduling: eager"), "\(printed)")
            } else {
                #expect(a1End < b2Begin, "a request without a scheduling did not run waves")
                #expect(printed.contains("wave 2/2: stopping a2, b2"), "\(printed)")
                #expect(printed.contains("scheduling: waves"), "\(printed)")
            }
        }
    }
}
