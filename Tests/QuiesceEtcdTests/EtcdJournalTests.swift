import Foundation
import QuiesceCore
import QuiesceEtcd
import Testing

@testable import QuiesceCoordinator

/// The shutdown's journal in a real etcd: what a successor reads back, the guard of the leadership,
/// the end of the fleet, and the size of a large fleet's journal. The journal is called from a plain
/// thread, as the coordinator's poll thread calls it; what it saw is checked back in the test's task.
@Suite(
    "The shutdown's journal in etcd",
    .enabled(if: EtcdServer.isInstalled, "etcd is not installed: apt-get install -y etcd-server"))
struct EtcdJournalTests {
    static let fleet = "/quiesce/shop"
    static let keys = EtcdFleetKeys(fleet: fleet)
    static let stopped = RecordedOutcome(code: "acknowledged", clean: true, detail: "stopped (exit 0)")
    static let lost = RecordedOutcome(code: "lost", clean: false, detail: "lost: no heartbeat for 5s, \"quoted\" ✓")

    @Test("Every kind of entry reads back from etcd as the file journal reads it, and the end empties both")
    func roundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-journal-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries: [CoordinatorStateMachine.JournalEntry] = [
            .shutdownBegan(.eager),
            .outcome("api", Self.stopped),
            .instanceOutcome(InstanceID(service: "worker", instance: "b"), Self.lost),
            .instanceOutcome(InstanceID(service: "worker", instance: "a"), Self.stopped),
            .outcome("worker", Self.lost),
            // A second outcome of the same service: the later one holds in both.
            .outcome("api", Self.lost),
        ]
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let leader = try await lead(etcd, "a")
            let seen = try await onPlainThread {
                let file = Journal(directory: StateDirectory(path: directory.path))
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader)
                var readings = [Pair(etcd: journal.pendingShutdown(), file: file.pendingShutdown())]
                for entry in entries {
                    try file.append(entry)
                    try journal.append(entry)
                    readings.append(Pair(etcd: journal.pendingShutdown(), file: file.pendingShutdown()))
                }
                // What a successor reads when it takes over.
                let successor = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader)
                let resumed = successor.pendingShutdown()
                try file.append(.shutdownFinished)
                try successor.append(.shutdownFinished)
                let ended = Pair(etcd: successor.pendingShutdown(), file: file.pendingShutdown())
                let reopened = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader).pendingShutdown()
                try successor.append(.shutdownBegan(.waves))
                try file.append(.shutdownBegan(.waves))
                let next = Pair(etcd: successor.pendingShutdown(), file: file.pendingShutdown())
                return (readings, resumed, ended, reopened, next)
            }
            let expected = RecordedShutdown(
                services: ["api": Self.lost, "worker": Self.lost],
                instances: ["worker": ["a": Self.stopped, "b": Self.lost]], scheduling: .eager)
            #expect(seen.0.first?.etcd == nil, "nothing pending in a fresh etcd")
            for (index, pair) in seen.0.enumerated() {
                #expect(pair.etcd == pair.file, "after \(index) entries")
            }
            #expect(seen.0.last?.file == expected)
            #expect(seen.1 == expected, "a successor reads what was written")
            #expect(seen.2.etcd == nil && seen.2.file == nil, "the end empties both")
            #expect(seen.3 == nil)
            #expect(seen.4.etcd == RecordedShutdown(scheduling: .waves) && seen.4.file == seen.4.etcd)
            // The next shutdown's entries are numbered from 1 again.
            let stored = try await etcd.range(.prefix(Self.keys.entries))
            #expect(stored.map(\.keyText) == [Self.keys.entry(1)])
            #expect(stored.first?.valueText == #"{"event":"shutdown","scheduling":"waves"}"#)
        }
    }

    @Test("Each entry is a key of its own, numbered in the order written, holding the file journal's line")
    func oneKeyPerEntry() async throws {
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let leader = try await lead(etcd, "a")
            try await onPlainThread {
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader)
                try journal.append(.shutdownBegan(.eager))
                try journal.append(.outcome("api", Self.stopped))
                try journal.append(.instanceOutcome(InstanceID(service: "worker", instance: "b"), Self.lost))
            }
            let stored = try await etcd.range(.prefix(Self.keys.entries))
            #expect(stored.map(\.keyText) == (1...3).map(Self.keys.entry))
            #expect(
                stored.map(\.valueText) == [
                    #"{"event":"shutdown","scheduling":"eager"}"#,
                    #"{"clean":true,"detail":"stopped (exit 0)","event":"outcome","outcome":"acknowledged","service":"api"}"#,
                    #"{"clean":false,"detail":"lost: no heartbeat for 5s, \"quoted\" ✓","event":"outcome","instance":"b","outcome":"lost","service":"worker"}"#,
                ])
        }
    }

    @Test("A deposed leader's write fails with LeadershipLost and writes nothing, its lease gone or another leading")
    func deposedLeaderWritesNothing() async throws {
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let firstLease = try await etcd.grant(ttl: .seconds(30)).lease
            let first = try await etcd.campaign(
                Self.keys.election, value: "a", lease: firstLease, timeout: .seconds(10))
            let refused = try await onPlainThread {
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: first)
                try journal.append(.shutdownBegan(.waves))
                try journal.append(.outcome("api", Self.stopped))
                // The lease revoked: the leader's key is gone.
                try block { try await etcd.revoke(firstLease) }
                return [
                    Attempt { try journal.append(.outcome("database", Self.stopped)) },
                    Attempt { try journal.append(.shutdownFinished) },
                    Attempt { _ = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: first) },
                ]
            }
            for attempt in refused {
                #expect(attempt.refusal?.key == first.keyText, "\(attempt)")
            }
            #expect(try await etcd.range(.prefix(Self.keys.entries)).count == 2, "nothing written once deposed")
            #expect(try await etcd.range(.key(Self.keys.ended)).isEmpty, "no end marked by a deposed leader")

            // A second campaigner leads now, and reads what the first wrote while it led.
            let secondLease = try await etcd.grant(ttl: .seconds(30)).lease
            let second = try await etcd.campaign(
                Self.keys.election, value: "b", lease: secondLease, timeout: .seconds(10))
            #expect(second.revision > first.revision)
            let seen = try await onPlainThread {
                let successor = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: second)
                let resumed = successor.pendingShutdown()
                try successor.append(.outcome("database", Self.lost))
                let late = Attempt { _ = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: first) }
                let reread = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: second).pendingShutdown()
                return (resumed, late, reread)
            }
            #expect(seen.0 == RecordedShutdown(services: ["api": Self.stopped]))
            #expect(seen.1.refusal != nil, "\(seen.1)")
            #expect(seen.2 == RecordedShutdown(services: ["api": Self.stopped, "database": Self.lost]))
            let values = try await etcd.range(.prefix(Self.keys.entries)).map(\.valueText)
            #expect(values.count == 3)
            #expect(!values.contains { $0.contains("acknowledged") && $0.contains("database") })
        }
    }

    @Test("A leader's journal opened before another took over refuses its writes")
    func overtakenLeaderWritesNothing() async throws {
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let first = try await lead(etcd, "a")
            // The first leader's journal is open; its key is resigned (as etcd does when its lease
            // expires), and a second campaigner leads.
            let outcome = try await onPlainThread {
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: first)
                try journal.append(.shutdownBegan(.waves))
                try block { try await etcd.resign(first) }
                let second = try block {
                    let lease = try await etcd.grant(ttl: .seconds(30)).lease
                    return try await etcd.campaign(Self.keys.election, value: "b", lease: lease, timeout: .seconds(10))
                }
                let late = Attempt { try journal.append(.outcome("api", Self.stopped)) }
                let successor = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: second)
                return (late, successor.pendingShutdown())
            }
            #expect(outcome.0.refusal?.key == first.keyText, "\(outcome.0)")
            #expect(outcome.1 == RecordedShutdown(scheduling: .waves), "the late outcome is not in etcd")
            #expect(try await etcd.range(.prefix(Self.keys.entries)).count == 1)
        }
    }

    @Test("The end is marked with the entries' deletion; only a marker newer than a coordinator's start ends it")
    func endOfTheFleet() async throws {
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let standbyStart = try await etcd.revision()
            let leader = try await lead(etcd, "a")
            let fresh = try await onPlainThread {
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader)
                let fresh = journal.endedRevision
                try journal.append(.shutdownBegan(.waves))
                try journal.append(.outcome("api", Self.stopped))
                try journal.append(.shutdownFinished)
                return fresh
            }
            #expect(fresh == nil, "no shutdown ever finished")
            #expect(try await etcd.range(.prefix(Self.keys.entries)).isEmpty)
            let marker = try await etcd.range(.key(Self.keys.ended))
            #expect(marker.count == 1)
            let laterStart = try await etcd.revision()
            #expect(laterStart >= marker[0].modRevision)
            // The leader resigns at its end; the standby's campaign wins. It started before the
            // marker: the fleet ended while it stood by. A coordinator of a later deployment started
            // after it: not its end. It leads (the marker beside the election does not hold its
            // campaign back), starts the fleet and clears the old marker; the deposed leader cannot.
            try await etcd.resign(leader)
            let next = try await lead(etcd, "b")
            let seen = try await onPlainThread {
                let journal = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: next)
                let seen = (
                    standby: journal.ended(since: standbyStart), later: journal.ended(since: laterStart),
                    pending: journal.pendingShutdown()
                )
                let deposed = Attempt { try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader).clearEnd() }
                try journal.clearEnd()
                let reopened = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: next)
                return (seen, deposed, reopened.endedRevision)
            }
            #expect(seen.0.standby, "the standby's fleet ended")
            #expect(!seen.0.later, "a later deployment's did not")
            #expect(seen.0.pending == nil)
            #expect(seen.1.refusal != nil, "\(seen.1)")
            #expect(seen.2 == nil, "the marker is cleared")
            #expect(try await etcd.range(.key(Self.keys.ended)).isEmpty)
        }
    }

    @Test("The election is KEY/election: one in KEY itself would take the journal's first key for its leader")
    func electionBesideTheJournal() async throws {
        try await withEtcd(timeout: .seconds(20)) { _, etcd in
            let leader = try await lead(etcd, "a")
            try await onPlainThread {
                try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader).append(.shutdownBegan(.waves))
            }
            try await etcd.resign(leader)
            // In the fleet's key itself, the journal's entry would stand as the leader, and a campaign
            // would wait behind it for ever.
            #expect(try await etcd.leader(Self.fleet)?.keyValue.keyText == Self.keys.entry(1))
            let lease = try await etcd.grant(ttl: .seconds(60)).lease
            let error = await caught {
                _ = try await etcd.campaign(Self.fleet, value: "b", lease: lease, timeout: .seconds(2))
            }
            guard case .timedOut = error else {
                Issue.record("a campaign in the fleet's key did not wait: \(String(describing: error))")
                return
            }
            // Beside it, in KEY/election, the next campaigner leads.
            let next = try await etcd.campaign(Self.keys.election, value: "b", lease: lease, timeout: .seconds(20))
            #expect(try await etcd.leader(Self.keys.election)?.revision == next.revision)
        }
    }

    @Test("A journal of 10,000 instances' outcomes is read back whole by a successor and ended in one transaction")
    func tenThousandInstances() async throws {
        try await withEtcd(timeout: .seconds(60)) { _, etcd in
            let leader = try await lead(etcd, "a")
            var expected = RecordedShutdown(scheduling: .waves)
            var entries: [CoordinatorStateMachine.JournalEntry] = [.shutdownBegan(.waves)]
            for number in 0..<10_000 {
                let id = InstanceID(service: "service-\(number / 100)", instance: "instance-\(number % 100)")
                let outcome = number % 7 == 0 ? Self.lost : Self.stopped
                entries.append(.instanceOutcome(id, outcome))
                expected.instances[id.service, default: [:]][id.instance] = outcome
            }
            // Stored as the journal stores them, a hundred keys per transaction to keep the test short
            // (a coordinator writes one per transaction, timed below).
            var bytes = 0
            for start in stride(from: 0, to: entries.count, by: 100) {
                let operations = try entries[start..<min(start + 100, entries.count)].enumerated().map {
                    offset, entry in
                    let value = try JournalRecord(entry)!.encoded()
                    bytes += value.count
                    return EtcdOperation.put(key: Self.keys.entry(start + offset + 1), value: Array(value), lease: nil)
                }
                #expect(try await etcd.txn(compare: [.stillLeader(leader)], success: operations).succeeded)
            }
            let seen = try await onPlainThread {
                let opened = ContinuousClock.now
                let successor = try EtcdJournal(client: etcd, fleet: Self.fleet, leader: leader, timeout: .seconds(30))
                let reading = ContinuousClock.now - opened
                let pending = successor.pendingShutdown()
                let started = ContinuousClock.now
                for number in 0..<20 {
                    try successor.append(.outcome("service-\(number)", Self.stopped))
                }
                let perAppend = (ContinuousClock.now - started) / 20
                let ending = ContinuousClock.now
                try successor.append(.shutdownFinished)
                return (pending, reading, perAppend, ContinuousClock.now - ending)
            }
            #expect(seen.0 == expected)
            print(
                "EtcdJournal: 10,000 entries (\(bytes) bytes) read back in \(seen.1); an append took \(seen.2); "
                    + "the end, deleting them, \(seen.3)")
            #expect(try await etcd.range(.prefix(Self.keys.entries)).isEmpty)
            #expect(try await etcd.range(.key(Self.keys.ended)).count == 1)
        }
    }

    /// How a call made on the plain thread ended, for the test's task to check.
    enum Attempt: Sendable, CustomStringConvertible {
        case succeeded
        case refused(LeadershipLost)
        case failed(String)

        init(_ body: () throws -> Void) {
            do {
                try body()
                self = .succeeded
            } catch let lost as LeadershipLost {
                self = .refused(lost)
            } catch {
                self = .failed("\(error)")
            }
        }

        /// The refusal, when the call was refused for a lost leadership.
        var refusal: LeadershipLost? {
            if case .refused(let lost) = self { lost } else { nil }
        }

        var description: String {
            switch self {
            case .succeeded: "the call succeeded"
            case .refused(let lost): "\(lost)"
            case .failed(let error): "the call failed otherwise: \(error)"
            }
        }
    }

    /// What the journal in etcd and the file journal read at one moment.
    struct Pair: Sendable {
        var etcd: RecordedShutdown?
        var file: RecordedShutdown?
    }

    /// Campaigns with a fresh lease and returns the key that leads.
    private func lead(_ etcd: EtcdClient, _ value: String) async throws -> EtcdLeaderKey {
        let lease = try await etcd.grant(ttl: .seconds(60)).lease
        return try await etcd.campaign(Self.keys.election, value: value, lease: lease, timeout: .seconds(20))
    }
}

/// Runs `body` on a thread of its own, as the coordinator's poll thread calls the journal: its
/// blocking calls must never hold a thread of Swift's cooperative pool. Expectations belong in the
/// test's task, not in `body`.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Waits on a plain thread for an async call, as the journal does.
func block<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    try BlockingCall.run("test", endpoints: [], within: .seconds(60), body)
}
