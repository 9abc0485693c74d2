import CQuiesceSystem
import QuiesceCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's PID-1 duty: it is a child subreaper (or PID 1 in a container), so every orphaned
/// descendant of its service ends up its child, and must be reaped when it ends, or it stays a zombie.
///
/// The processes the agent waits for itself (the service's process, exec probes) are spawned through
/// ``spawn(_:quiet:)``, which registers them; ``reapOrphans()`` reaps every other ended child and
/// leaves those to their owner.
final class Reaper: Sendable {
    private let owned = Mutex<Set<Int32>>([])

    /// Makes this process a subreaper.
    init() {
        _ = quiesce_become_subreaper()
    }

    /// Spawns a process whose end its caller will reap.
    func spawn(_ command: [String], quiet: Bool = false) throws(SpawnError) -> ChildProcess {
        try owned.withLock { (owned) throws(SpawnError) -> ChildProcess in
            let process = try ChildProcess.spawn(command, quiet: quiet)
            owned.insert(process.pid)
            return process
        }
    }

    /// Reaps `process` if it has ended.
    func reap(_ process: ChildProcess) -> ExitStatus? {
        owned.withLock { owned in
            guard let status = process.reap() else { return nil }
            owned.remove(process.pid)
            return status
        }
    }

    /// Reaps ended children that nobody else waits for; returns how many.
    @discardableResult
    func reapOrphans() -> Int {
        owned.withLock { owned in
            var reaped = 0
            while true {
                let pid = quiesce_peek_ended_child()
                guard pid > 0, !owned.contains(pid) else { return reaped }
                var status: Int32 = 0
                _ = waitpid(pid, &status, WNOHANG)
                reaped += 1
            }
        }
    }
}
