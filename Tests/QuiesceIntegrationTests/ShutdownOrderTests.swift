import Foundation
import Testing

/// The real binary as coordinator and agents on loopback, real children, a real SIGTERM: ordering is
/// checked from the timestamps the children record.
@Suite("Ordered startup and shutdown across processes", .serialized)
struct ShutdownOrderTests {
    @Test("The seed graph starts dependencies first and stops api before database and cache")
    func seedGraph() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { shutdown_timeout: 30s }
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  cache: {}
                  api: { depends_on: [database, cache] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["api": 0.6, "database": 0.4, "cache": 0.2])

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStartedAfter("api", dependencies: ["database", "cache"], in: fleet)
        try expectStopped("api", before: ["database", "cache"], in: fleet)
        let report = try fleet.report()
        #expect(report["clean"] as? Bool == true)
        #expect(try fleet.reportEntry("api")["wave"] as? Int == 1)
        #expect(try fleet.reportEntry("database")["wave"] as? Int == 2)
        #expect(try fleet.reportEntry("cache")["outcome"] as? String == "stopped")
        for (name, agent) in fleet.agents {
            #expect(await fleet.waitForExit(agent) == 0, "agent \(name) exits with its child's status")
        }
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("A diamond stops top to bottom: d, then b and c, then a")
    func diamond() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  a: {}
                  b: { depends_on: [a] }
                  c: { depends_on: [a] }
                  d: { depends_on: [b, c] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["a": 0.1, "b": 0.3, "c": 0.1, "d": 0.2])

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStartedAfter("b", dependencies: ["a"], in: fleet)
        try expectStartedAfter("c", dependencies: ["a"], in: fleet)
        try expectStartedAfter("d", dependencies: ["b", "c"], in: fleet)
        try expectStopped("d", before: ["b", "c"], in: fleet)
        try expectStopped("b", before: ["a"], in: fleet)
        try expectStopped("c", before: ["a"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("A shared dependency stops only after its slower dependent has finished stopping")
    func sharedDependencyWaitsForSlowestDependent() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  queue: {}
                  fast: { depends_on: [queue] }
                  slow: { depends_on: [queue] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["queue": 0.1, "fast": 0.05, "slow": 1.2])

        #expect(await fleet.shutDown(coordinator) == 0)
        let slowEnd = try #require(fleet.time("slow", "stop-end"))
        let fastEnd = try #require(fleet.time("fast", "stop-end"))
        let queueBegin = try #require(fleet.time("queue", "stop-begin"))
        #expect(fastEnd < slowEnd, "the fast dependent really is faster")
        #expect(slowEnd < queueBegin, "queue's stop began before slow had stopped")
    }

    @Test("Agents may start before the coordinator: they register once it is up")
    func agentsBeforeCoordinator() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        try fleet.startAgent("api", stopDelay: 0.1)
        try fleet.startAgent("database", stopDelay: 0.1)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(fleet.timeline().isEmpty, "a service started with no coordinator")
        let coordinator = try await fleet.startCoordinator()
        await fleet.waitUntilStarted(["api", "database"])

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStartedAfter("api", dependencies: ["database"], in: fleet)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test("A SIGTERM during startup stops what is running, in order, and reports what never connected")
    func sigtermDuringStartup() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  cache: {}
                  api: { depends_on: [database, cache] }
                  worker: { depends_on: [api] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.2, "cache": 0.1, "api": 0.3])

        #expect(await fleet.shutDown(coordinator) == 1)
        #expect(try fleet.reportEntry("worker")["outcome"] as? String == "not_connected")
        try expectStopped("api", before: ["database", "cache"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("`quiesce shutdown` runs the same ordered shutdown and prints progress and the report")
    func shutdownCommand() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.2)
        try fleet.startAgent("api", stopDelay: 0.3)
        await fleet.waitUntilStarted(["api", "database"])
        await fleet.waitUntil("status shows both ready") {
            let status = try? await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
            return status?.terminationStatus == 0
                && fleet.output("status.out").components(separatedBy: "\"ready\"").count == 3
        }

        let shutdown = try await fleet.run(["shutdown", "--coordinator", fleet.endpoint], log: "shutdown")

        #expect(shutdown.terminationStatus == 0)
        let printed = fleet.output("shutdown.out")
        #expect(printed.contains("wave 1/2: stopping api"))
        #expect(printed.contains("wave 2/2: stopping database"))
        #expect(printed.contains("result: clean, exit code 0"))
        #expect(await fleet.waitForExit(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }
}

/// `dependent` recorded stop-end before each dependency recorded stop-begin.
func expectStopped(
    _ dependent: String, before dependencies: [String], in fleet: Fleet,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let end = try #require(
        fleet.time(dependent, "stop-end"), "\(dependent) recorded no stop-end", sourceLocation: sourceLocation)
    for dependency in dependencies {
        let begin = try #require(
            fleet.time(dependency, "stop-begin"), "\(dependency) recorded no stop-begin", sourceLocation: sourceLocation
        )
        #expect(
            end < begin, "\(dependency) began stopping before \(dependent) had stopped", sourceLocation: sourceLocation)
    }
}

/// The coordinator ordered `dependent` to start only after each dependency was ready. (Readiness is
/// "spawned" until readiness probes exist, so the services' own `started` records may race by a
/// millisecond; the coordinator's progress is the evidence of its decision.)
func expectStartedAfter(
    _ dependent: String, dependencies: [String], in fleet: Fleet, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let lines = fleet.coordinatorProgress().split(separator: "\n").map(String.init)
    let ordered = try #require(
        lines.firstIndex { line in
            guard line.hasPrefix("startup wave"), let names = line.components(separatedBy: ": starting ").last else {
                return false
            }
            return names.components(separatedBy: ", ").contains(dependent)
        },
        "no start order for \(dependent)", sourceLocation: sourceLocation)
    for dependency in dependencies {
        let ready = try #require(
            lines.firstIndex { $0.hasPrefix("\(dependency) ready") }, "\(dependency) never ready",
            sourceLocation: sourceLocation)
        #expect(
            ready < ordered, "\(dependent) was started before \(dependency) was ready", sourceLocation: sourceLocation)
    }
    #expect(fleet.time(dependent, "started") != nil, "\(dependent) never ran", sourceLocation: sourceLocation)
}
