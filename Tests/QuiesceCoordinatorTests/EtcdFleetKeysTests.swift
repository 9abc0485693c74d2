import Testing

@testable import QuiesceCoordinator

@Suite("Where the fleet's coordinators keep what they share in etcd")
struct EtcdFleetKeysTests {
    @Test("Entries are numbered under KEY/journal/ so that key order is the order written")
    func entryKeys() {
        let keys = EtcdFleetKeys(fleet: "/quiesce/shop/")
        #expect(keys.fleet == "/quiesce/shop")
        #expect(keys.entries == "/quiesce/shop/journal/")
        #expect(keys.ended == "/quiesce/shop/ended")
        #expect(keys.election == "/quiesce/shop/election")
        #expect(!keys.entry(1).hasPrefix(keys.election + "/"), "no entry lies in the election")
        #expect(!keys.ended.hasPrefix(keys.election + "/"))
        #expect(keys.entry(1) == "/quiesce/shop/journal/000000000001")
        #expect(keys.entry(10_000) == "/quiesce/shop/journal/000000010000")
        let written = [1, 2, 9, 10, 99, 100, 10_000, 123_456_789].map(keys.entry)
        #expect(written.sorted() == written)
        #expect(written.map(keys.number(ofEntry:)) == [1, 2, 9, 10, 99, 100, 10_000, 123_456_789])
    }

    @Test("A key under the prefix that is not an entry's has no number")
    func foreignKeys() {
        let keys = EtcdFleetKeys(fleet: "/quiesce/shop")
        for key in [
            "/quiesce/shop/journal/", "/quiesce/shop/journal/12", "/quiesce/shop/journal/+00000000001",
            "/quiesce/shop/journal/00000000000x", "/quiesce/shop/journal/000000000000",
            "/quiesce/other/journal/000000000001", "/quiesce/shop/journal/0000000000001",
        ] {
            #expect(keys.number(ofEntry: key) == nil, "\(key)")
        }
    }
}
