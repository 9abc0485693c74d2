import Foundation
import QuiesceRuntime
import Testing

@Suite("Descriptor limit", .serialized)
struct DescriptorLimitTests {
    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }

    @Test("The soft limit is raised to the hard one")
    func raisesSoftToHard() throws {
        var original = rlimit()
        try #require(getrlimit(Self.resource, &original) == 0)
        defer { _ = setrlimit(Self.resource, &original) }
        try #require(original.rlim_max > 256, "the hard limit leaves room to lower the soft one")
        var lowered = original
        lowered.rlim_cur = 256
        try #require(setrlimit(Self.resource, &lowered) == 0)

        let raised = DescriptorLimit.raiseSoftToHard()

        var now = rlimit()
        try #require(getrlimit(Self.resource, &now) == 0)
        #expect(now.rlim_cur == original.rlim_max)
        #expect(raised == Int(now.rlim_cur))
        #expect(DescriptorLimit.inUse() > 2, "standard input, output and error at least")
    }
}
