/// A key and its value as etcd stores them, with the revisions that tell their history.
public struct EtcdKeyValue: Equatable, Sendable {
    /// The key's bytes.
    public var key: [UInt8]
    /// The value's bytes.
    public var value: [UInt8]
    /// The revision at which the key was created (since it last did not exist).
    public var createRevision: Int64
    /// The revision of its last change.
    public var modRevision: Int64
    /// How many times it was written since it was created.
    public var version: Int64
    /// The lease it is attached to, 0 when none.
    public var lease: Int64

    public init(key: [UInt8], value: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64, lease: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    /// The key as text.
    public var keyText: String { String(decoding: key, as: UTF8.self) }
    /// The value as text.
    public var valueText: String { String(decoding: value, as: UTF8.self) }
}

/// A lease: keys attached to it are deleted when it expires or is revoked.
public struct EtcdLease: Hashable, Sendable {
    /// Its id, as etcd chose it.
    public var id: Int64

    public init(id: Int64) {
        self.id = id
    }
}

/// A lease just granted, with the TTL etcd gave it (never below etcd's minimum, 2 s by default).
public struct EtcdGrantedLease: Equatable, Sendable {
    public var lease: EtcdLease
    public var ttl: Duration
    /// The store's revision when etcd granted it (0 when the answer did not say).
    public var revision: Int64
}

/// The key a campaign created in an election, which makes its holder the leader while it is the
/// oldest: what `proclaim` and `resign` are given.
public struct EtcdLeaderKey: Hashable, Sendable {
    /// The election's name (a key prefix, such as `/quiesce/FLEET`).
    public var election: String
    /// The key: the election's name, `/`, and the lease in hexadecimal.
    public var key: [UInt8]
    /// The revision at which the key was created.
    public var revision: Int64
    /// The lease the key is attached to.
    public var lease: EtcdLease

    public init(election: String, key: [UInt8], revision: Int64, lease: EtcdLease) {
        self.election = election
        self.key = key
        self.revision = revision
        self.lease = lease
    }

    /// The key as text.
    public var keyText: String { String(decoding: key, as: UTF8.self) }
}

/// The leader of an election: its key and the value it campaigned or proclaimed with.
public struct EtcdLeader: Equatable, Sendable {
    /// The leader's key, as etcd stores it (its creation revision is the leader's revision).
    public var keyValue: EtcdKeyValue

    /// What the leader campaigned with, or proclaimed since.
    public var value: [UInt8] { keyValue.value }
    /// What the leader campaigned with, as text.
    public var valueText: String { keyValue.valueText }
    /// The revision at which the leader's key was created.
    public var revision: Int64 { keyValue.createRevision }
    /// The leader's lease.
    public var lease: EtcdLease { EtcdLease(id: keyValue.lease) }
}

/// Which keys an operation reads or deletes: one key, or every key that starts with a prefix.
public enum EtcdKeys: Equatable, Sendable {
    case key(String)
    case prefix(String)

    /// The range etcd is given: the key, and the end of the range (excluded) for a prefix.
    var range: (key: [UInt8], end: [UInt8]?) {
        switch self {
        case .key(let key): (Array(key.utf8), nil)
        case .prefix(let prefix): (Array(prefix.utf8), Self.rangeEnd(ofPrefix: Array(prefix.utf8)))
        }
    }

    /// The first key after every key that starts with `prefix`: the prefix with its last byte below
    /// 0xff incremented (and what follows dropped); `[0]`, which means "to the end" in etcd, when
    /// there is none.
    static func rangeEnd(ofPrefix prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

/// A condition of a transaction, on one key.
public struct EtcdCompare: Equatable, Sendable {
    /// What is compared.
    public enum Target: Equatable, Sendable {
        /// The revision the key was created at (0 when it does not exist).
        case createRevision(Int64)
        /// The revision of its last change.
        case modRevision(Int64)
        /// How many times it was written since it was created (0 when it does not exist).
        case version(Int64)
        /// Its value.
        case value([UInt8])
    }

    /// How the key's side compares to the given one.
    public enum Result: String, Equatable, Sendable {
        case equal = "EQUAL"
        case notEqual = "NOT_EQUAL"
        case greater = "GREATER"
        case less = "LESS"
    }

    public var key: String
    public var target: Target
    public var result: Result

    public init(key: String, _ target: Target, _ result: Result = .equal) {
        self.key = key
        self.target = target
        self.result = result
    }

    /// True while `key` is the election key of `leader`: it still exists with the revision it was
    /// created at. A transaction guarded by it writes only while that leadership holds.
    public static func stillLeader(_ leader: EtcdLeaderKey) -> EtcdCompare {
        EtcdCompare(key: leader.keyText, .createRevision(leader.revision))
    }
}

/// An operation of a transaction.
public enum EtcdOperation: Equatable, Sendable {
    /// Read keys.
    case range(EtcdKeys)
    /// Write `value` at `key`, attached to `lease` if one is given.
    case put(key: String, value: [UInt8], lease: EtcdLease?)
    /// Delete keys.
    case deleteRange(EtcdKeys)
}

/// The answer to one operation of a transaction.
public enum EtcdOperationResult: Equatable, Sendable {
    /// The keys read, in key order.
    case range([EtcdKeyValue])
    /// The store's revision after the write.
    case put(revision: Int64)
    /// How many keys were deleted.
    case deleteRange(deleted: Int64)
}

/// What a transaction did: whether its conditions held, and the answers to the operations it ran.
public struct EtcdTransactionResult: Equatable, Sendable {
    /// Whether every condition held, so that the success operations ran (else the failure ones did).
    public var succeeded: Bool
    /// The answers to the operations that ran, in order.
    public var results: [EtcdOperationResult]
    /// The store's revision after the transaction.
    public var revision: Int64
}
