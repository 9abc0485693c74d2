import Foundation
import QuiesceCore
import Testing

@testable import QuiesceCoordinator

@Suite("Journal")
struct JournalTests {
    private let stopped = RecordedOutcome(code: "acknowledged", clean: true, detail: "stopped (exit 0)")
    private let timedOut = RecordedOutcome(code: "timed_out", clean: false, detail: "timed out after 10s")

    @Test("Without a journal file no shutdown is pending")
    func noFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(Journal(directory: StateDirectory(path: directory.path)).pendingShutdown() == nil)
    }

    @Test("A shutdown that began is pending with the outcomes recorded since, one JSON line each")
    func pendingOutcomes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = Journal(directory: StateDirectory(path: directory.path))

        try journal.append(.shutdownBegan(.waves))
        #expect(journal.pendingShutdown() == RecordedShutdown())
        try journal.append(.outcome("api", stopped))
        try journal.append(.outcome("worker", timedOut))
        try journal.append(.instanceOutcome(InstanceID(service: "db", instance: "b"), stopped))
        #expect(
            journal.pendingShutdown()
                == RecordedShutdown(services: ["api": stopped, "worker": timedOut], instances: ["db": ["b": stopped]]))

        let lines = try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(
            lines == [
                #"{"event":"shutdown","scheduling":"waves"}"#,
                #"{"clean":true,"detail":"stopped (exit 0)","event":"outcome","outcome":"acknowledged","service":"api"}"#,
                #"{"clean":false,"detail":"timed out after 10s","event":"outcome","outcome":"timed_out","service":"worker"}"#,
                #"{"clean":true,"detail":"stopped (exit 0)","event":"outcome","instance":"b","outcome":"acknowledged","service":"db"}"#,
            ])
    }

    @Test("A finished shutdown empties the journal, and the next one starts afresh")
    func finishedShutdown() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = Journal(directory: StateDirectory(path: directory.path))
        try journal.append(.shutdownBegan(.waves))
        try journal.append(.outcome("api", stopped))

        try journal.append(.shutdownFinished)
        #expect(journal.pendingShutdown() == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("journal.jsonl"))).isEmpty)

        try journal.append(.shutdownBegan(.waves))
        #expect(journal.pendingShutdown() == RecordedShutdown())
    }

    @Test(
        "A journal of an earlier coordinator, before instances, is read as whole services' outcomes, skipping a line cut short"
    )
    func readByAnotherCoordinator() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try journalText(
            """
            {"event":"shutdown"}
            {"clean":true,"detail":"stopped (exit 0)","event":"outcome","outcome":"acknowledged","service":"api"}
            {"event":"outcome","service":"wor
            """, in: directory)
        #expect(
            Journal(directory: StateDirectory(path: directory.path)).pendingShutdown()
                == RecordedShutdown(services: ["api": stopped]))
    }

    @Test("An outcome with no shutdown before it, or a line of an unknown event, is not a pending shutdown")
    func outcomeWithoutShutdown() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try journalText(
            """
            {"event":"outcome","service":"api","outcome":"acknowledged"}
            {"event":"something_new"}
            """, in: directory)
        #expect(Journal(directory: StateDirectory(path: directory.path)).pendingShutdown() == nil)
    }

    @Test("An outcome line without its optional fields is read as unclean, its code as its detail")
    func missingOptionalFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try journalText(
            """
            {"event":"shutdown"}
            {"event":"outcome","service":"api","outcome":"lost"}
            """, in: directory)
        #expect(
            Journal(directory: StateDirectory(path: directory.path)).pendingShutdown()
                == RecordedShutdown(services: ["api": RecordedOutcome(code: "lost", clean: false, detail: "lost")]))
    }

    @Test("An eager shutdown is recorded so, and read back so; one from before eager scheduling was waves")
    func scheduling() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = Journal(directory: StateDirectory(path: directory.path))
        try journal.append(.shutdownBegan(.eager))
        try journal.append(.outcome("api", stopped))
        #expect(
            try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8).hasPrefix(
                #"{"event":"shutdown","scheduling":"eager"}"# + "\n"))
        #expect(journal.pendingShutdown() == RecordedShutdown(services: ["api": stopped], scheduling: .eager))

        try journalText(#"{"event":"shutdown"}"#, in: directory)
        #expect(journal.pendingShutdown()?.scheduling == .waves)
    }

    private func journalText(_ text: String, in directory: TemporaryDirectory) throws {
        try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: directory.file("journal.jsonl")))
    }

    @Test("The journal has mode 0600 when written to and when emptied, whatever mode it had")
    func privateMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = Journal(directory: StateDirectory(path: directory.path))
        let mode = {
            try FileManager.default.attributesOfItem(atPath: directory.file("journal.jsonl"))[.posixPermissions] as? Int
        }

        try journal.append(.shutdownBegan(.waves))
        #expect(try mode() == 0o600)
        #expect(chmod(directory.file("journal.jsonl"), 0o644) == 0)
        try journal.append(.outcome("api", stopped))
        #expect(try mode() == 0o600)
        try journal.append(.shutdownFinished)
        #expect(try mode() == 0o600)
        #expect(try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8).isEmpty)
    }
}
