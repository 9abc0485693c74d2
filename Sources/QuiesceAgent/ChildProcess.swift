import CQuiesceSystem
import QuiesceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The service's process: spawned as the leader of its own process group with SIGKILL as its
/// parent-death signal, watched through a pidfd, signalled as a group.
final class ChildProcess {
    let pid: Int32
    /// Readable when the process has ended.
    let exitDescriptor: Int32
    /// Whether the process has not been reaped yet.
    private(set) var isRunning = true

    private init(pid: Int32, exitDescriptor: Int32) {
        self.pid = pid
        self.exitDescriptor = exitDescriptor
    }

    /// Starts `command` (looked up in PATH).
    /// - Throws: a message naming the command and the system's reason.
    /// - Parameter quiet: give the process /dev/null for its standard input, output and error.
    static func spawn(_ command: [String], quiet: Bool = false) throws(SpawnError) -> ChildProcess {
        var arguments = command.map { strdup($0) }
        arguments.append(nil)
        defer { for argument in arguments { free(argument) } }
        let pid = arguments.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                quiesce_spawn($0, quiet ? 1 : 0)
            }
        }
        guard pid > 0 else { throw SpawnError(command: command[0], reason: String(cString: strerror(errno))) }
        let descriptor = quiesce_pidfd_open(pid)
        guard descriptor >= 0 else {
            kill(pid, SIGKILL)
            throw SpawnError(command: command[0], reason: "pidfd_open: \(String(cString: strerror(errno)))")
        }
        return ChildProcess(pid: pid, exitDescriptor: descriptor)
    }

    /// Sends `signal` to the whole process group (which outlives its leader while members remain).
    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Reaps the process if it has ended.
    func reap() -> ExitStatus? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        isRunning = false
        close(exitDescriptor)
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}

/// The service's command could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var command: String
    var reason: String
    var description: String { "cannot start \"\(command)\": \(reason)" }
}
