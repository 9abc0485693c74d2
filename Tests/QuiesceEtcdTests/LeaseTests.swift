import QuiesceEtcd
import Testing

/// Leases against a real etcd: a lease that expires deletes its keys, one kept alive keeps them.
@Suite("etcd leases", .enabled(if: EtcdServer.isInstalled, "etcd is not installed: apt-get install -y etcd-server"))
struct LeaseTests {
    @Test("A lease granted has the TTL asked, never less than etcd's minimum of 2 s, and the store's revision")
    func grant() async throws {
        try await withEtcd { _, etcd in
            let asked = try await etcd.grant(ttl: .seconds(7))
            #expect(asked.ttl == .seconds(7))
            let short = try await etcd.grant(ttl: .milliseconds(300))
            #expect(short.ttl == .seconds(2))
            #expect(asked.lease != short.lease)
            try await etcd.put("/after-the-grants", value: "x")
            let revision = try await etcd.revision()
            #expect(asked.revision > 0 && asked.revision < revision, "granted at \(asked.revision), now \(revision)")
        }
    }

    @Test("A lease that is not renewed expires, and deletes the keys attached to it")
    func expiryDeletesKeys() async throws {
        try await withEtcd { _, etcd in
            // Long enough for the put and the read below on a loaded machine (8 s was not, at a load
            // of 34); the wait for its end is longer still.
            let granted = try await etcd.grant(ttl: .seconds(30))
            try await etcd.put("/leased", value: "x", lease: granted.lease)
            try await etcd.put("/kept", value: "y")
            #expect(try await etcd.range(.key("/leased")).first?.lease == granted.lease.id)
            let gone = try await waitUntil(within: .seconds(180)) { try await etcd.range(.key("/leased")).isEmpty }
            #expect(gone, "the key outlived its lease")
            #expect(try await etcd.range(.key("/kept")).count == 1, "a key without a lease stays")
            await #expect(throws: EtcdError.leaseNotFound(granted.lease, endpoint: etcd.endpoints[0])) {
                _ = try await etcd.keepAlive(granted.lease)
            }
        }
    }

    @Test("Renewing a lease keeps its keys well past its TTL; each renewal gives the TTL again")
    func keepAliveKeepsKeys() async throws {
        try await withEtcd { _, etcd in
            // Renewed every second for more than twice its TTL: a loaded machine may hold a renewal back
            // for several seconds, never for 30.
            let granted = try await etcd.grant(ttl: .seconds(30))
            try await etcd.put("/alive", value: "x", lease: granted.lease)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(62) {
                let ttl = try await etcd.keepAlive(granted.lease)
                #expect(ttl == .seconds(30))
                try await Task.sleep(for: .seconds(1))
            }
            #expect(try await etcd.range(.key("/alive")).count == 1, "renewed for more than twice its TTL")
        }
    }

    @Test("Revoking a lease deletes its keys at once; the lease is then not found")
    func revoke() async throws {
        try await withEtcd { _, etcd in
            let granted = try await etcd.grant(ttl: .seconds(600))
            try await etcd.put("/revoked/a", value: "x", lease: granted.lease)
            try await etcd.put("/revoked/b", value: "y", lease: granted.lease)
            try await etcd.revoke(granted.lease)
            #expect(try await etcd.range(.prefix("/revoked/")).isEmpty)
            let endpoint = etcd.endpoints[0]
            await #expect(throws: EtcdError.leaseNotFound(granted.lease, endpoint: endpoint)) {
                try await etcd.revoke(granted.lease)
            }
            await #expect(throws: EtcdError.leaseNotFound(granted.lease, endpoint: endpoint)) {
                _ = try await etcd.keepAlive(granted.lease)
            }
            await #expect(throws: EtcdError.leaseNotFound(granted.lease, endpoint: endpoint)) {
                try await etcd.put("/revoked/c", value: "z", lease: granted.lease)
            }
        }
    }
}

/// Polls `condition` every 100 ms until it holds or `bound` passes (a hang guard on a loaded machine).
func waitUntil(within bound: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + bound
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
