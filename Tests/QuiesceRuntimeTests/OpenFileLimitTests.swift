import Foundation
import QuiesceRuntime
import Testing

@Suite("Open file limit", .serialized)
struct OpenFileLimitTests {
    @Test("raising sets the soft limit to the hard one and returns the limits before")
    func raisesToHard() throws {
        let original = OpenFileLimit.current
        try #require(original.hard > 64, "the test lowers the soft limit by one below the hard one")
        defer { setSoftLimit(original.soft) }
        setSoftLimit(original.hard - 1)

        let inherited = raiseOpenFileLimit()

        #expect(inherited == OpenFileLimit(soft: original.hard - 1, hard: original.hard))
        #expect(OpenFileLimit.current == OpenFileLimit(soft: original.hard, hard: original.hard))
    }

    /// Tests beside this one, in the same process, open and close descriptors at any moment: a count
    /// that rose by exactly one across the open, and fell back across the close, is looked for in up
    /// to 100 tries, and one such try is enough.
    @Test("the descriptors in use count those the process opens")
    func descriptorsInUse() throws {
        #expect(OpenFileLimit.descriptorsInUse() > 2, "standard input, output and error at least")
        var counted = false
        for _ in 0..<100 where !counted {
            let before = OpenFileLimit.descriptorsInUse()
            let descriptor = open("/dev/null", O_RDONLY)
            try #require(descriptor >= 0)
            let during = OpenFileLimit.descriptorsInUse()
            close(descriptor)
            counted = during == before + 1 && OpenFileLimit.descriptorsInUse() == before
        }
        #expect(counted, "the count never followed one descriptor opened and closed")
    }

    @Test("a soft limit already at the hard one is left as it is")
    func alreadyAtHard() {
        let original = OpenFileLimit.current
        defer { setSoftLimit(original.soft) }
        setSoftLimit(original.hard)

        #expect(raiseOpenFileLimit() == OpenFileLimit(soft: original.hard, hard: original.hard))
        #expect(OpenFileLimit.current.soft == original.hard)
    }

    @Test(
        "a server open to strangers may hold a sixteenth of the soft limit, within its ceiling and at least one",
        arguments: [
            (soft: UInt64(1_024), ceiling: 64, allowance: 64),
            (soft: 524_288, ceiling: 64, allowance: 64),
            (soft: 512, ceiling: 64, allowance: 32),
            (soft: 100, ceiling: 64, allowance: 6),
            (soft: 8, ceiling: 64, allowance: 1),
            (soft: 1_024, ceiling: 0, allowance: 1),
        ])
    func connectionAllowance(soft: UInt64, ceiling: Int, allowance: Int) {
        #expect(OpenFileLimit(soft: soft, hard: soft).connectionAllowance(ceiling: ceiling) == allowance)
    }

    private func setSoftLimit(_ soft: UInt64) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = rlim_t(soft)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
