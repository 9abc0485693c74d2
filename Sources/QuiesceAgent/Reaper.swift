import CQuiesceSystem
import Foundation
import QuiesceCore

/// The agent's PID-1 duty: it is a child subreaper (or PID 1 in a container), so every orphaned
/// descendant of its service ends up its child, and must be reaped when it ends, or it stays a zombie.
///
/// The processes the agent waits for itself (the service's process, exec probes) are spawned through
/// ``spawn(_:quiet:)``, which registers them; ``reapOrphans()`` reaps every other ended child and
/// leaves those to their owner.
final class Reaper: @unchecked Sendable {
    private let lock = NSLock()
    private var owned: Set<Int32> = []

    /// Makes this process a subreaper.
    init() {
        _ = quiesce_become_subreaper()
    }

    /// Spawns a process whose end its caller will reap.
    func spawn(_ command: [String], quiet: Bool = false) throws(SpawnError) -> ChildProcess {
        lock.lock()
        defer { lock.unlock() }
        let process = try ChildProcess.spawn(command, quiet: quiet)
        owned.insert(process.pid)
        return process
    }

    /// Reaps `process` if it has ended.
    func reap(_ process: ChildProcess) -> ExitStatus? {
        lock.withLock {
            guard let status = process.reap() else { return nil }
            owned.remove(process.pid)
            return status
        }
    }

    /// Reaps ended children that nobody else waits for; returns how many.
    @discardableResult
    func reapOrphans() -> Int {
        lock.withLock {
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
