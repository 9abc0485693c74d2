import Foundation
import QuiesceRuntime

/// The coordinator's durable state: the epoch of its last start, and its ``Journal``. The directory
/// is created with mode 0700, and refused when another user could change what is in it
/// (``FilePermissions``); its files have mode 0600 (``PrivateFile``).
public struct StateDirectory: Sendable {
    /// The directory, created at the first ``nextEpoch()``.
    let path: String

    /// A state directory at `path`; nothing is read or created yet.
    public init(path: String) {
        self.path = path
    }

    /// Raises the stored epoch by one, durably, and returns it.
    /// - Throws: ``FilePermissions/Problem`` when the directory is refused, the epoch file holds
    ///   no epoch, or its epoch is the largest there is; each names the file and the fix.
    public func nextEpoch() throws -> UInt64 {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FilePermissions.check(path, as: .directory("the state directory (coordinator.state_dir)"))
        let file = (path as NSString).appendingPathComponent("epoch")
        let contents = FileManager.default.contents(atPath: file)
        if contents == nil, FileManager.default.fileExists(atPath: file) {
            throw FilePermissions.Problem(
                description: "\(file): cannot be read; make it a file this user may read, holding the last epoch")
        }
        let epoch = try Self.epoch(following: contents, in: file)
        try PrivateFile.write(Data("\(epoch)\n".utf8), to: file, replacing: true)
        return epoch
    }

    /// The epoch that follows the contents of the epoch file `file`: 1 when there is no file yet.
    /// A file that holds anything but a decimal epoch is refused, not read as 0, since a lower epoch
    /// than the last would have this coordinator's orders fenced off as stale.
    static func epoch(following contents: Data?, in file: String) throws(FilePermissions.Problem) -> UInt64 {
        guard let contents else { return 1 }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let previous = UInt64(text) else {
            return try refuse(
                "\(file): holds \(String(reflecting: String(text.prefix(40)))), not an epoch (a decimal number); "
                    + "write the last epoch the fleet saw into it, or remove it if no agent of the fleet is running")
        }
        guard previous < UInt64.max else {
            return try refuse(
                "\(file): holds \(previous), the largest epoch there is, so no start can follow it; "
                    + "write a smaller number into it and restart the fleet's agents, which have seen that epoch")
        }
        return previous + 1
    }

    private static func refuse(_ description: String) throws(FilePermissions.Problem) -> UInt64 {
        throw FilePermissions.Problem(description: description)
    }

    /// An epoch for a coordinator without a state directory: milliseconds since 1970, which grow
    /// from one start to the next as long as the clock does not go back.
    public static func clockEpoch() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }
}
