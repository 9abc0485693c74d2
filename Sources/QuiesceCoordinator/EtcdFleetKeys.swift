/// Where a fleet's coordinators keep what they share in etcd, under the fleet's key `KEY`
/// (`coordinator.ha.key`, such as `/quiesce/shop`):
/// - `KEY/election`: the election's name; each campaign's key is `KEY/election/LEASE`;
/// - `KEY/journal/000000000001`, `KEY/journal/000000000002`, …: one key per entry, numbered in the
///   order written, so that a write stays small whatever the size of the fleet (a shutdown of
///   10,000 instances writes 10,000 keys of about 150 bytes, where one document rewritten at every
///   outcome would pass etcd's 1.5 MiB request limit and be sent whole each time);
/// - `KEY/ended`: written when a leader's shutdown finished, in the transaction that deletes the
///   entries.
///
/// The journal's keys must lie beside the election, never under its name: etcd takes every key under
/// an election's name for a campaign's, so that a journal entry there would stand as the leader,
/// and every campaign would wait behind it for ever.
public struct EtcdFleetKeys: Equatable, Sendable {
    /// The fleet's key, without a trailing `/`.
    public let fleet: String

    /// How many digits an entry's number has: more than a shutdown ever writes.
    static let digits = 12

    public init(fleet: String) {
        var fleet = fleet
        while fleet.hasSuffix("/") { fleet.removeLast() }
        self.fleet = fleet
    }

    /// The election every coordinator of the fleet campaigns in: `KEY/election`.
    public var election: String { fleet + "/election" }

    /// The prefix of every entry's key: `KEY/journal/`.
    public var entries: String { fleet + "/journal/" }

    /// The marker of a finished shutdown: `KEY/ended`.
    public var ended: String { fleet + "/ended" }

    /// The key of entry number `number` (from 1), zero-padded so that key order is number order.
    public func entry(_ number: Int) -> String {
        let text = String(number)
        return entries + String(repeating: "0", count: max(0, Self.digits - text.count)) + text
    }

    /// The number of the entry stored at `key`, or `nil` for a key under the prefix that is not an
    /// entry's.
    public func number(ofEntry key: String) -> Int? {
        guard key.hasPrefix(entries) else { return nil }
        let suffix = key.dropFirst(entries.count)
        guard suffix.count == Self.digits, suffix.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(suffix),
            number > 0
        else { return nil }
        return number
    }
}
