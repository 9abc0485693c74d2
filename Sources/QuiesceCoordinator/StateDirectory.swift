import Foundation

/// The coordinator's durable state: the epoch of its last start, and its ``Journal``.
public struct StateDirectory: Sendable {
    /// The directory, created at the first ``nextEpoch()``.
    let path: String

    /// A state directory at `path`; nothing is read or created yet.
    public init(path: String) {
        self.path = path
    }

    /// Raises the stored epoch by one, durably, and returns it.
    public func nextEpoch() throws -> UInt64 {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = URL(fileURLWithPath: path).appendingPathComponent("epoch")
        let previous =
            (try? String(contentsOf: file, encoding: .utf8)).flatMap {
                UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines))
            } ?? 0
        let epoch = previous + 1
        try Data("\(epoch)\n".utf8).write(to: file, options: .atomic)
        return epoch
    }

    /// An epoch for a coordinator without a state directory: milliseconds since 1970, which grow
    /// from one start to the next as long as the clock does not go back.
    public static func clockEpoch() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }
}
