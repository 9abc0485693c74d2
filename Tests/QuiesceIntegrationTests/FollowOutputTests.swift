import Foundation
import Testing

/// `--follow`, the other name of `--json-lines`, on each family of commands: those that read a file
/// (plan, validate), the coordinator, the operator's commands that follow a run to its report
/// (stop, start, shutdown), status, and events. Every line of stdout is one JSON object.
@Suite("--follow prints JSON lines", .serialized)
struct FollowOutputTests {
    /// Each line of `text` as a JSON object, recording an issue when stdout is empty or a line is not one.
    static func lines(
        _ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> [[String: Any]] {
        if text.isEmpty { Issue.record("\(what): stdout is empty", sourceLocation: sourceLocation) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .compactMap { line in
                let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                if object == nil {
                    Issue.record("\(what): not a JSON object: \(line)", sourceLocation: sourceLocation)
                }
                return object
            }
    }

    /// Progress objects, then one document of `kind` last.
    static func expectFollowed(
        _ text: String, _ what: String, kind: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let objects = lines(text, what, sourceLocation: sourceLocation)
        #expect(objects.last?["type"] as? String == kind, "\(what): \(text)", sourceLocation: sourceLocation)
        #expect(objects.last?[kind] is [String: Any], "\(what)", sourceLocation: sourceLocation)
        #expect(
            objects.dropLast().allSatisfy { $0["type"] as? String == "progress" && $0["message"] is String },
            "\(what): every line before the document is progress", sourceLocation: sourceLocation)
    }

    @Test("plan and validate --follow print their document as one JSON line")
    func fileCommands() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-follow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("fleet.yaml")
        try OperationTests.config.write(to: file, atomically: true, encoding: .utf8)
        let plan = try await CommandResult.run(Fleet.binary, ["plan", "-c", file.path, "--follow"])
        #expect(plan.status == 0, "\(plan.errors)")
        #expect(Self.lines(plan.output, "plan").count == 1)
        Self.expectFollowed(plan.output, "plan", kind: "plan")
        let validate = try await CommandResult.run(
            Fleet.binary, ["validate", "-c", file.path, "--insecure", "--follow"])
        #expect(validate.status == 0, "\(validate.errors)")
        #expect(Self.lines(validate.output, "validate").count == 1)
        Self.expectFollowed(validate.output, "validate", kind: "validation")
    }

    @Test("The coordinator, events, status, stop, start and shutdown --follow print nothing but JSON lines")
    func fleetCommands() async throws {
        let fleet = try Fleet(config: OperationTests.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator(extraArguments: ["--follow"])
        let events = try fleet.start(["events", "--coordinator", fleet.endpoint, "--follow"], log: "events")
        await fleet.waitUntil("the subscriber is added") {
            fleet.output("coordinator.err").contains("Events subscriber added")
        }
        for name in ["database", "cache", "api"] { try fleet.startAgent(name) }
        await fleet.waitUntilStarted(["database", "cache", "api"])
        await fleet.waitUntil("the startup is complete") {
            fleet.output("coordinator.out").contains("startup complete")
        }

        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--follow"], log: "status")
        #expect(status.terminationStatus == 0, "\(fleet.output("status.err"))")
        #expect(Self.lines(fleet.output("status.out"), "status").count == 1)
        Self.expectFollowed(fleet.output("status.out"), "status", kind: "status")

        for (command, log) in [(["stop", "api"], "stop"), (["start", "api"], "start"), (["shutdown"], "shutdown")] {
            let run = try await fleet.run(command + ["--coordinator", fleet.endpoint, "--follow"], log: log)
            #expect(run.terminationStatus == 0, "\(log): \(fleet.output("\(log).err"))")
            Self.expectFollowed(fleet.output("\(log).out"), log, kind: "report")
            #expect(Self.lines(fleet.output("\(log).out"), log).count > 1, "\(log): its progress as it happened")
        }
        #expect(await fleet.waitForExit(coordinator) == 0)
        Self.expectFollowed(fleet.output("coordinator.out"), "coordinator", kind: "report")

        #expect(await fleet.waitForExit(events) == 0)
        let stream = Self.lines(fleet.output("events.out"), "events")
        #expect(stream.allSatisfy { $0["seq"] is Int && $0["type"] is String }, "each line is an event")
        #expect(stream.last?["type"] as? String == "run_ended")
    }
}
