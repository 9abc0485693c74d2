import Foundation
import Testing

@testable import QuiesceCoordinator

@Suite("State directory")
struct StateDirectoryTests {
    @Test("The epoch starts at 1 in a directory created for it, and rises by one at every start")
    func epochRises() throws {
        let parent = try TemporaryDirectory()
        defer { parent.remove() }
        let state = StateDirectory(path: parent.file("state"))

        #expect(try state.nextEpoch() == 1)
        #expect(try state.nextEpoch() == 2)
        #expect(try String(contentsOfFile: parent.file("state/epoch"), encoding: .utf8) == "2\n")
    }

    @Test("A stored epoch is read with its whitespace; an unreadable one counts as 0")
    func storedEpoch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = StateDirectory(path: directory.path)

        try Data(" 41\n".utf8).write(to: URL(fileURLWithPath: directory.file("epoch")))
        #expect(try state.nextEpoch() == 42)
        try Data("not a number".utf8).write(to: URL(fileURLWithPath: directory.file("epoch")))
        #expect(try state.nextEpoch() == 1)
    }

    @Test("Without a state directory the epoch is the wall clock in milliseconds, which grows")
    func clockEpoch() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let first = StateDirectory.clockEpoch()
        let second = StateDirectory.clockEpoch()
        #expect(first >= before)
        #expect(second >= first)
    }
}
