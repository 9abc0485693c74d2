import Foundation
import QuiesceCore
import QuiesceRuntime

/// The coordinator's durable journal, `journal.jsonl` in its state directory: one JSON object per
/// line (``JournalRecord``), written and synced before the coordinator acts on it. It keeps the intent to shut down and
/// each service's and instance's outcome, so that a coordinator killed in the middle of a shutdown and started again
/// resumes it. It is emptied once a shutdown's report is written. Its mode is 0600 (``PrivateFile``).
public final class Journal: ShutdownJournal {
    private let url: URL

    public init(directory: StateDirectory) {
        url = URL(fileURLWithPath: directory.path).appendingPathComponent("journal.jsonl")
    }

    /// The outcomes of a shutdown that began and did not finish, or `nil` when none is pending (or
    /// the file cannot be read). Lines that cannot be read (a write cut short by a crash) are skipped.
    public func pendingShutdown() -> RecordedShutdown? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return JournalRecord.pendingShutdown(from: text.split(separator: "\n").map { Data($0.utf8) })
    }

    /// Appends an entry and syncs it to disk; a finished shutdown empties the journal.
    public func append(_ entry: CoordinatorStateMachine.JournalEntry) throws {
        guard let record = JournalRecord(entry) else {
            try PrivateFile.write(Data(), to: url.path, replacing: true)
            return
        }
        let handle = FileHandle(fileDescriptor: try PrivateFile.openForAppending(url.path), closeOnDealloc: true)
        defer { try? handle.close() }
        try handle.write(contentsOf: record.encoded() + Data("\n".utf8))
        try handle.synchronize()
    }
}
