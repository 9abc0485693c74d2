import Foundation
import QuiesceCore
import QuiesceEtcd

/// The shutdown's journal in etcd, which every coordinator of a fleet reads: a standby that takes
/// over resumes the shutdown from it as a restarted coordinator does from its state directory.
/// Its keys are ``EtcdFleetKeys``'; each entry is stored as the file journal stores it
/// (``JournalRecord``), so that both read back the same pending shutdown.
///
/// Every read and write is one transaction guarded by the leader's election key (its creation
/// revision compared with the one it led with): once another coordinator leads, or the key's lease
/// is gone, the transaction writes nothing and the call throws ``LeadershipLost``.
///
/// Its calls block their caller until etcd answers (at most `timeout`, and a little more to catch a
/// call that hangs): make them from the coordinator's own thread, never from Swift's cooperative pool.
public final class EtcdJournal: ShutdownJournal {
    /// Where the journal's keys are.
    public let keys: EtcdFleetKeys
    private let client: EtcdClient
    private let leader: EtcdLeaderKey
    private let timeout: Duration
    /// The entries in etcd, in the order written: those read when the journal was opened, then each
    /// one this leader wrote (no other coordinator writes while it leads).
    private var records: [Data]
    /// The number of the next entry.
    private var next: Int
    /// The revision at which a leader last finished the fleet's shutdown (``EtcdFleetKeys/ended``),
    /// when the journal was opened; `nil` if none ever did or the marker was cleared since.
    public let endedRevision: Int64?

    /// Opens the fleet's journal for the coordinator that leads with `leader`, reading the entries
    /// earlier leaders wrote and the marker of the last finished shutdown, in one transaction.
    /// - Parameters:
    ///   - fleet: the fleet's key (`coordinator.ha.key`), under which the journal's keys are.
    ///   - timeout: how long each call to etcd may take.
    /// - Throws: ``LeadershipLost`` when `leader` no longer leads; an ``EtcdError`` when etcd does not
    ///   answer as it should.
    public init(client: EtcdClient, fleet: String, leader: EtcdLeaderKey, timeout: Duration = .seconds(5)) throws {
        self.client = client
        self.keys = EtcdFleetKeys(fleet: fleet)
        self.leader = leader
        self.timeout = timeout
        let keys = self.keys
        let result = try Self.guarded(
            client, leader, timeout, [.range(.prefix(keys.entries)), .range(.key(keys.ended))],
            entry: "reading of the journal")
        guard result.results.count == 2, case .range(let stored) = result.results[0],
            case .range(let marker) = result.results[1]
        else {
            throw EtcdError.badResponse(
                operation: "txn", endpoint: client.endpoints.joined(separator: ","), detail: "no ranges in the answer")
        }
        endedRevision = marker.map(\.modRevision).max()
        let entries = stored.compactMap { stored in keys.number(ofEntry: stored.keyText).map { ($0, stored.value) } }
        records = entries.map { Data($0.1) }
        next = (entries.map(\.0).max() ?? 0) + 1
    }

    /// The shutdown that began and did not finish, as the entries in etcd record it, or `nil`.
    public func pendingShutdown() -> RecordedShutdown? {
        JournalRecord.pendingShutdown(from: records)
    }

    /// Writes `entry` as the next key, in one transaction guarded by the leadership. The end of the
    /// shutdown deletes every entry and writes ``EtcdFleetKeys/ended``, in one transaction too.
    /// - Throws: ``LeadershipLost`` when this coordinator no longer leads (nothing was written); an
    ///   ``EtcdError`` when etcd did not answer (the entry may or may not have been written).
    public func append(_ entry: CoordinatorStateMachine.JournalEntry) throws {
        guard let record = JournalRecord(entry) else {
            let ended = Array(leader.keyText.utf8)
            _ = try Self.guarded(
                client, leader, timeout,
                [.deleteRange(.prefix(keys.entries)), .put(key: keys.ended, value: ended, lease: nil)],
                entry: "end of the shutdown")
            records = []
            next = 1
            return
        }
        let value = try record.encoded()
        let number = next
        // A number is never used twice, even when a write's fate is unknown.
        next += 1
        _ = try Self.guarded(
            client, leader, timeout, [.put(key: keys.entry(number), value: Array(value), lease: nil)],
            entry: Self.name(of: entry))
        records.append(value)
    }

    /// Deletes the end marker an earlier deployment of the fleet left: call it when this leader
    /// starts the fleet.
    /// - Throws: ``LeadershipLost`` when this coordinator no longer leads; an ``EtcdError`` when etcd
    ///   did not answer.
    public func clearEnd() throws {
        _ = try Self.guarded(client, leader, timeout, [.deleteRange(.key(keys.ended))], entry: "clearing of the end")
    }

    /// Whether a leader of the fleet finished its shutdown after `revision`, as the marker read when
    /// the journal was opened says: give the revision of the store when the coordinator first spoke
    /// to etcd (its first lease's grant). A standby running when its leader finished ends too; a
    /// coordinator of a later deployment of the fleet finds only an older marker, and starts the fleet.
    public func ended(since revision: Int64) -> Bool {
        endedRevision.map { $0 > revision } ?? false
    }

    /// Runs `operations` in one transaction guarded by `leader`, waiting for its answer.
    private static func guarded(
        _ client: EtcdClient, _ leader: EtcdLeaderKey, _ timeout: Duration, _ operations: [EtcdOperation],
        entry: String
    ) throws -> EtcdTransactionResult {
        let result = try BlockingCall.run("txn", endpoints: client.endpoints, within: timeout + .seconds(2)) {
            try await client.txn(compare: [.stillLeader(leader)], success: operations, timeout: timeout)
        }
        guard result.succeeded else { throw LeadershipLost(key: leader.keyText, entry: entry) }
        return result
    }

    /// What an entry is, for ``LeadershipLost``.
    private static func name(of entry: CoordinatorStateMachine.JournalEntry) -> String {
        switch entry {
        case .shutdownBegan: "beginning of the shutdown"
        case .outcome(let service, _): "outcome of \(service)"
        case .instanceOutcome(let id, _): "outcome of \(id)"
        case .shutdownFinished: "end of the shutdown"
        }
    }
}
