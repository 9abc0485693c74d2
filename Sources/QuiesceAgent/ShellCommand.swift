import QuiesceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `/bin/sh -c command`, for an exec readiness check or a `--stop-exec` stop command, and
/// answers `nil` when it exits with 0 within the timeout, otherwise why not. A command that outlives
/// the timeout is killed with its process group.
enum ShellCommand {
    /// - Parameter quiet: discard the command's output (a readiness check's, run every interval).
    static func run(command: String, timeout: Duration, quiet: Bool, reaper: Reaper) -> String? {
        let process: ChildProcess
        do {
            process = try reaper.spawn(["/bin/sh", "-c", command], quiet: quiet)
        } catch {
            return error.description
        }
        var item = pollfd(fd: process.exitDescriptor, events: Int16(POLLIN), revents: 0)
        if poll(&item, 1, timeout.pollTimeout) <= 0 {
            process.signalGroup(SIGKILL)
        }
        var status: ExitStatus?
        while status == nil {
            status = reaper.reap(process)
            if status == nil { _ = poll(&item, 1, 100) }
        }
        switch status! {
        case .exited(0): return nil
        case .signalled(SIGKILL): return "\(command): no result within \(timeout.configurationText)"
        case let other: return "\(command): \(other)"
        }
    }
}
