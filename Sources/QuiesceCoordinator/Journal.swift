import Foundation
import QuiesceCore
import QuiesceRuntime

/// The coordinator's durable journal, `journal.jsonl` in its state directory: one JSON object per
/// line, written and synced before the coordinator acts on it. It keeps the intent to shut down and
/// each service's and instance's outcome, so that a coordinator killed in the middle of a shutdown and started again
/// resumes it. It is emptied once a shutdown's report is written. Its mode is 0600 (``PrivateFile``).
public final class Journal {
    private struct Line: Codable {
        var event: String
        var service: String?
        /// Set for an instance's outcome; journals written before instances hold none.
        var instance: String?
        var outcome: String?
        var clean: Bool?
        var detail: String?
        /// On the shutdown's line: `waves` or `eager`; journals written before eager scheduling hold none.
        var scheduling: String?
    }

    private let url: URL

    public init(directory: StateDirectory) {
        url = URL(fileURLWithPath: directory.path).appendingPathComponent("journal.jsonl")
    }

    /// The outcomes of a shutdown that began and did not finish, or `nil` when none is pending.
    /// Lines that cannot be read (a write cut short by a crash) are skipped. An outcome line without
    /// `instance` is a service's (every journal before instances had only those).
    func pendingShutdown() -> RecordedShutdown? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var pending: RecordedShutdown?
        let decoder = JSONDecoder()
        for line in text.split(separator: "\n") {
            guard let entry = try? decoder.decode(Line.self, from: Data(line.utf8)) else { continue }
            switch entry.event {
            case "shutdown":
                let scheduling = entry.scheduling.flatMap(Scheduling.init(rawValue:)) ?? .waves
                pending = pending ?? RecordedShutdown(scheduling: scheduling)
            case "finished": pending = nil
            case "outcome":
                guard let service = entry.service, let code = entry.outcome else { continue }
                let outcome = RecordedOutcome(code: code, clean: entry.clean ?? false, detail: entry.detail ?? code)
                if let instance = entry.instance {
                    pending?.instances[service, default: [:]][instance] = outcome
                } else {
                    pending?.services[service] = outcome
                }
            default: continue
            }
        }
        return pending
    }

    /// Appends an entry and syncs it to disk; a finished shutdown empties the journal.
    func append(_ entry: CoordinatorStateMachine.JournalEntry) throws {
        let line: Line
        switch entry {
        case .shutdownBegan(let scheduling):
            line = Line(event: "shutdown", scheduling: scheduling.rawValue)
        case .outcome(let service, let outcome):
            line = Line(
                event: "outcome", service: service, outcome: outcome.code, clean: outcome.clean, detail: outcome.detail)
        case .instanceOutcome(let id, let outcome):
            line = Line(
                event: "outcome", service: id.service, instance: id.instance, outcome: outcome.code,
                clean: outcome.clean, detail: outcome.detail)
        case .shutdownFinished:
            try PrivateFile.write(Data(), to: url.path, replacing: true)
            return
        }
        let handle = FileHandle(fileDescriptor: try PrivateFile.openForAppending(url.path), closeOnDealloc: true)
        defer { try? handle.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try handle.write(contentsOf: encoder.encode(line) + Data("\n".utf8))
        try handle.synchronize()
    }
}
