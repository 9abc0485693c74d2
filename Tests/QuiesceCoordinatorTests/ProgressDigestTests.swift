import QuiesceCore
import Testing

@testable import QuiesceCoordinator

/// A service of many instances prints one line where each instance would print one; what goes wrong
/// is printed for every instance.
@Suite("Progress digest")
struct ProgressDigestTests {
    static let expected = ["api": 12, "db": 3]

    @Test("The instances of a service of many connect with one line, when the last expected one has")
    func connectionsFolded() {
        var digest = ProgressDigest(expected: Self.expected)
        for index in 0..<11 {
            let lines = digest.lines(for: .agentConnected(InstanceID(service: "api", instance: "i\(index)"), host: "h"))
            #expect(lines.printed.isEmpty, "instance \(index)")
            #expect(lines.folded == "agent connected: api (h), instance i\(index)", "logged at debug")
        }
        let last = digest.lines(for: .agentConnected(InstanceID(service: "api", instance: "i11"), host: "h"))
        #expect(last.printed == ["api: 12 of 12 instances connected"])
        // One coming back later, or a thirteenth: logged only.
        #expect(digest.lines(for: .agentConnected("api/i3", host: "h")).printed.isEmpty)
    }

    @Test("A service of a few instances keeps a line for each")
    func fewInstancesKeepTheirLines() {
        var digest = ProgressDigest(expected: Self.expected)
        for name in ["db/a", "db/b", "db/c"] {
            let id = InstanceID(stringLiteral: name)
            #expect(
                digest.lines(for: .agentConnected(id, host: "h"))
                    == .init(printed: ["agent connected: db (h), instance \(id.instance)"]))
            #expect(
                digest.lines(for: .instanceFinished(id, .acknowledged(.stopped(.exited(0))), after: nil)).printed.count
                    == 1)
        }
        // A service the configuration does not name (one instance expected) too.
        #expect(digest.lines(for: .agentConnected("web", host: "h")).printed.count == 1)
    }

    @Test("A clean stop of one of many instances is folded; an unclean one, a loss, a silence are printed")
    func troublePrinted() {
        var digest = ProgressDigest(expected: Self.expected)
        let clean = digest.lines(for: .instanceFinished("api/i1", .acknowledged(.stopped(.exited(0))), after: nil))
        #expect(clean.printed.isEmpty && clean.folded == "api/i1 stopped (exit code 0)")
        #expect(digest.lines(for: .instanceFinished("api/i2", .timedOut, after: nil)).printed.count == 1)
        #expect(digest.lines(for: .instanceFinished("api/i3", .lost, after: nil)).printed.count == 1)
        #expect(digest.lines(for: .agentLost("api/i4")).printed == ["agent lost: api, instance i4"])
        #expect(digest.lines(for: .agentSuspect("api/i5")).printed.count == 1)
        #expect(digest.lines(for: .serviceFailed("api/i6", reason: "exit code 1")).printed.count == 1)
    }

    @Test("Service-wide lines are printed whatever the service's size")
    func serviceLines() {
        var digest = ProgressDigest(expected: Self.expected)
        #expect(
            digest.lines(for: .startup(.waveStarted(number: 1, of: 2, services: ["api"])))
                == .init(printed: ["startup wave 1/2: starting api"]))
        #expect(
            digest.lines(for: .shutdown(.serviceFinished("api", .acknowledged(.stopped(.exited(0))), after: nil)))
                .printed.count == 1)
    }
}
