import Foundation
import QuiesceRuntime
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

    @Test("A stored epoch is read with its whitespace")
    func storedEpoch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = StateDirectory(path: directory.path)

        try Data(" 41\n".utf8).write(to: URL(fileURLWithPath: directory.file("epoch")))
        #expect(try state.nextEpoch() == 42)
    }

    @Test("The epoch follows the file's number, and is 1 without a file")
    func epochFollows() throws {
        #expect(try StateDirectory.epoch(following: nil, in: "/s/epoch") == 1)
        #expect(try StateDirectory.epoch(following: Data("0\n".utf8), in: "/s/epoch") == 1)
        #expect(try StateDirectory.epoch(following: Data("18446744073709551614".utf8), in: "/s/epoch") == .max)
    }

    @Test("The largest epoch is refused, naming the file and the fix, instead of overflowing")
    func largestEpochRefused() {
        #expect(
            throws: FilePermissions.Problem(
                description:
                    "/s/epoch: holds 18446744073709551615, the largest epoch there is, so no start can follow it; "
                    + "write a smaller number into it and restart the fleet's agents, which have seen that epoch")
        ) {
            try StateDirectory.epoch(following: Data("18446744073709551615\n".utf8), in: "/s/epoch")
        }
    }

    @Test(
        "A file that holds no epoch is refused rather than read as 0, which would go back in time",
        arguments: ["not a number", "", "-1", "18446744073709551616", "1e3", "0x10"])
    func garbageRefused(text: String) {
        #expect {
            try StateDirectory.epoch(following: Data(text.utf8), in: "/s/epoch")
        } throws: { error in
            "\(error)".hasPrefix("/s/epoch: holds ") && "\(error)".contains("not an epoch (a decimal number)")
        }
    }

    @Test("The directory is created 0700 and the epoch file 0600; a directory others may write to is refused")
    func modes() throws {
        let parent = try TemporaryDirectory()
        defer { parent.remove() }
        let state = StateDirectory(path: parent.file("state"))
        _ = try state.nextEpoch()
        #expect(
            try FileManager.default.attributesOfItem(atPath: parent.file("state"))[.posixPermissions] as? Int == 0o700)
        #expect(
            try FileManager.default.attributesOfItem(atPath: parent.file("state/epoch"))[.posixPermissions] as? Int
                == 0o600)

        try FileManager.default.createDirectory(
            atPath: parent.file("unreadable/epoch"), withIntermediateDirectories: true)
        #expect(throws: FilePermissions.Problem.self, "an epoch that cannot be read is not taken for none") {
            try StateDirectory(path: parent.file("unreadable")).nextEpoch()
        }

        #expect(chmod(parent.file("state"), 0o777) == 0)
        #expect {
            try state.nextEpoch()
        } throws: { error in
            "\(error)".contains(
                "the state directory (coordinator.state_dir) is writable by group and others (mode 0777)")
        }
        #expect(try String(contentsOfFile: parent.file("state/epoch"), encoding: .utf8) == "1\n")
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
