import CQuiesceSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process's limits on open descriptors (`RLIMIT_NOFILE`).
public struct OpenFileLimit: Equatable, Sendable {
    /// The limit the kernel enforces: opening a descriptor past it fails with EMFILE.
    public var soft: UInt64
    /// The ceiling the soft limit may be raised to without privilege.
    public var hard: UInt64

    public init(soft: UInt64, hard: UInt64) {
        self.soft = soft
        self.hard = hard
    }

    /// This process's limits now.
    public static var current: OpenFileLimit {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return OpenFileLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }
}

/// Raises this process's soft limit on open descriptors to its hard limit, so that connections a
/// stranger opens cannot use up the descriptors the process needs for its own work (a launcher's
/// soft limit is often 1,024 under a hard one of half a million). The processes it starts afterwards
/// (a service, a readiness check, a stop command) get the soft limit it was started with back, since
/// a program may be written for that limit. Returns the limits the process had before. When the
/// kernel refuses, the limits stay as they were; compare ``OpenFileLimit/current`` with the result to
/// tell.
@discardableResult
public func raiseOpenFileLimit() -> OpenFileLimit {
    let inherited = OpenFileLimit.current
    guard inherited.soft < inherited.hard else { return inherited }
    quiesce_set_child_open_file_limit(inherited.soft)
    var raised = rlimit(rlim_cur: rlim_t(inherited.hard), rlim_max: rlim_t(inherited.hard))
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
    return inherited
}

extension OpenFileLimit {
    /// How many descriptors this process has open now (the entries of `/proc/self/fd`).
    public static func descriptorsInUse() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// How many connections a server open to strangers may hold beside the process's own work: a
    /// sixteenth of the soft limit, at most `ceiling` and at least 1, so that however many
    /// connections arrive, most of the descriptors stay for the process's own sockets, files and
    /// children.
    public func connectionAllowance(ceiling: Int) -> Int {
        Int(clamping: min(UInt64(max(ceiling, 1)), max(soft / 16, 1)))
    }
}
