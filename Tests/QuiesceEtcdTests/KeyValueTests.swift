import QuiesceEtcd
import Testing

/// Keys, values and transactions against a real etcd.
@Suite(
    "etcd keys and values",
    .enabled(if: EtcdServer.isInstalled, "etcd is not installed: apt-get install -y etcd-server"))
struct KeyValueTests {
    @Test("A value put is read back with its revisions; a second put keeps its creation revision")
    func putAndRange() async throws {
        try await withEtcd { _, etcd in
            #expect(try await etcd.range(.key("/fleet/a")).isEmpty, "nothing before the first put")
            let first = try await etcd.put("/fleet/a", value: "one")
            let second = try await etcd.put("/fleet/a", value: "two")
            #expect(second > first)
            let read = try await etcd.range(.key("/fleet/a"))
            #expect(read.map(\.valueText) == ["two"])
            #expect(read.first?.keyText == "/fleet/a")
            #expect(read.first?.createRevision == first)
            #expect(read.first?.modRevision == second)
            #expect(read.first?.version == 2)
            #expect(read.first?.lease == 0)
        }
    }

    @Test("A prefix reads every key under it, in key order, and no key beside it")
    func prefixRange() async throws {
        try await withEtcd { _, etcd in
            for key in ["/fleet/b", "/fleet/a", "/fleet/c/deep", "/fleet0", "/flee", "/other"] {
                try await etcd.put(key, value: Array(key.utf8))
            }
            let read = try await etcd.range(.prefix("/fleet/"))
            #expect(read.map(\.keyText) == ["/fleet/a", "/fleet/b", "/fleet/c/deep"])
            #expect(read.allSatisfy { $0.value == Array($0.key) })
            #expect(try await etcd.range(.prefix("/nothing/")).isEmpty)
        }
    }

    @Test("Binary values, and values with every byte, come back whole")
    func binaryValues() async throws {
        try await withEtcd { _, etcd in
            let bytes = (0...255).map { UInt8($0) }
            try await etcd.put("/bytes", value: bytes)
            #expect(try await etcd.range(.key("/bytes")).first?.value == bytes)
        }
    }

    @Test("deleteRange deletes one key or a prefix, and says how many")
    func deletes() async throws {
        try await withEtcd { _, etcd in
            for key in ["/j/1", "/j/2", "/j/3", "/k"] { try await etcd.put(key, value: "x") }
            #expect(try await etcd.deleteRange(.key("/j/2")) == 1)
            #expect(try await etcd.deleteRange(.key("/j/2")) == 0, "already gone")
            #expect(try await etcd.deleteRange(.prefix("/j/")) == 2)
            #expect(try await etcd.range(.prefix("/")).map(\.keyText) == ["/k"])
        }
    }

    @Test("A transaction runs its success operations when its conditions hold, else its failure ones")
    func transactionBranches() async throws {
        try await withEtcd { _, etcd in
            let created = try await etcd.put("/t", value: "a")
            let held = try await etcd.txn(
                compare: [
                    EtcdCompare(key: "/t", .createRevision(created)), EtcdCompare(key: "/t", .value(Array("a".utf8))),
                ],
                success: [.put(key: "/t", value: Array("b".utf8), lease: nil), .range(.key("/t"))],
                failure: [.deleteRange(.key("/t"))])
            #expect(held.succeeded)
            #expect(held.results.count == 2)
            guard case .put(let revision) = held.results.first, case .range(let read) = held.results.last else {
                Issue.record("unexpected results \(held.results)")
                return
            }
            #expect(revision > created)
            #expect(read.map(\.valueText) == ["b"])

            let failed = try await etcd.txn(
                compare: [EtcdCompare(key: "/t", .value(Array("a".utf8)))],
                success: [.deleteRange(.key("/t"))],
                failure: [.range(.key("/t")), .put(key: "/u", value: Array("c".utf8), lease: nil)])
            #expect(!failed.succeeded)
            #expect(failed.results.first == .range(read))
            #expect(try await etcd.range(.key("/t")).map(\.valueText) == ["b"], "the success branch did not run")
            #expect(try await etcd.range(.key("/u")).map(\.valueText) == ["c"])
        }
    }

    @Test("Comparisons on the modification revision, the version and a missing key")
    func transactionComparisons() async throws {
        try await withEtcd { _, etcd in
            let revision = try await etcd.put("/m", value: "x")
            let newer = try await etcd.txn(
                compare: [EtcdCompare(key: "/m", .modRevision(revision), .greater)], success: [.deleteRange(.key("/m"))]
            )
            #expect(!newer.succeeded, "not modified since")
            let once = try await etcd.txn(
                compare: [EtcdCompare(key: "/m", .version(1)), EtcdCompare(key: "/m", .modRevision(revision))],
                success: [])
            #expect(once.succeeded)
            // Create-if-absent: a key that does not exist has creation revision 0.
            let absent = EtcdCompare(key: "/new", .createRevision(0))
            let create = { (value: String) in
                try await etcd.txn(
                    compare: [absent], success: [.put(key: "/new", value: Array(value.utf8), lease: nil)])
            }
            #expect(try await create("first").succeeded)
            #expect(try await !create("second").succeeded)
            #expect(try await etcd.range(.key("/new")).map(\.valueText) == ["first"])
        }
    }
}
