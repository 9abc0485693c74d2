import Foundation

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which a flood of connections
/// meets first.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one (the most an unprivileged process may have), so that the
    /// fleet's own connections, files and probes are not refused at a lower default.
    /// - Returns: the soft limit in force afterwards.
    @discardableResult
    public static func raiseSoftToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // Linux never grants an unlimited count; the kernel's own ceiling (nr_open) is 2^20 by default.
            raised.rlim_cur = limit.rlim_max == unlimited ? 1 << 20 : limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == unlimited ? Int(Int32.max) : Int(clamping: limit.rlim_cur)
    }

    /// How many descriptors the process has open now (the entries of `/proc/self/fd`).
    public static func inUse() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// `RLIM_INFINITY`, which Swift does not import.
    private static let unlimited = rlim_t.max

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
