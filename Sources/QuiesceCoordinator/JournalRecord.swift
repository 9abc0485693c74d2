import Foundation
import QuiesceCore

/// One entry of a journal as it is stored: a JSON object, a line of `journal.jsonl` or the value of
/// one key in etcd. Both journals write entries with ``encode(_:)`` and read them back with
/// ``pendingShutdown(from:)``, so that they hold and resume the same shutdown.
struct JournalRecord: Codable, Equatable {
    var event: String
    var service: String?
    /// Set for an instance's outcome; journals written before instances hold none.
    var instance: String?
    var outcome: String?
    var clean: Bool?
    var detail: String?
    /// On the shutdown's line: `waves` or `eager`; journals written before eager scheduling hold none.
    var scheduling: String?

    /// The record of `entry`, or `nil` for ``CoordinatorStateMachine/JournalEntry/shutdownFinished``,
    /// which is not stored as a record: it empties the journal.
    init?(_ entry: CoordinatorStateMachine.JournalEntry) {
        switch entry {
        case .shutdownBegan(let scheduling):
            self.init(event: "shutdown", scheduling: scheduling.rawValue)
        case .outcome(let service, let outcome):
            self.init(
                event: "outcome", service: service, outcome: outcome.code, clean: outcome.clean, detail: outcome.detail)
        case .instanceOutcome(let id, let outcome):
            self.init(
                event: "outcome", service: id.service, instance: id.instance, outcome: outcome.code,
                clean: outcome.clean, detail: outcome.detail)
        case .shutdownFinished:
            return nil
        }
    }

    init(
        event: String, service: String? = nil, instance: String? = nil, outcome: String? = nil, clean: Bool? = nil,
        detail: String? = nil, scheduling: String? = nil
    ) {
        self.event = event
        self.service = service
        self.instance = instance
        self.outcome = outcome
        self.clean = clean
        self.detail = detail
        self.scheduling = scheduling
    }

    /// The record as one line of JSON with sorted keys, without its newline.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// The outcomes of a shutdown that began and did not finish, from stored records in the order
    /// they were written, or `nil` when none is pending. Records that cannot be read (a write cut short
    /// by a crash) are skipped. An outcome without `instance` is a service's (every journal before
    /// instances had only those).
    static func pendingShutdown(from records: some Sequence<some DataProtocol>) -> RecordedShutdown? {
        var pending: RecordedShutdown?
        let decoder = JSONDecoder()
        for bytes in records {
            guard let record = try? decoder.decode(JournalRecord.self, from: Data(bytes)) else { continue }
            switch record.event {
            case "shutdown":
                let scheduling = record.scheduling.flatMap(Scheduling.init(rawValue:)) ?? .waves
                pending = pending ?? RecordedShutdown(scheduling: scheduling)
            case "finished": pending = nil
            case "outcome":
                guard let service = record.service, let code = record.outcome else { continue }
                let outcome = RecordedOutcome(code: code, clean: record.clean ?? false, detail: record.detail ?? code)
                if let instance = record.instance {
                    pending?.instances[service, default: [:]][instance] = outcome
                } else {
                    pending?.services[service] = outcome
                }
            default: continue
            }
        }
        return pending
    }
}
