import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process the tests start: the part of Foundation's `Process` they use, spawned with
/// `posix_spawn` directly.
///
/// Foundation's `Process.run()` on Linux lists `/proc/self/fd` before every spawn and copies each
/// entry's whole 256-byte name field, reading past the end of glibc's directory buffer: now and then
/// the next page is unmapped and the test process dies of SIGSEGV, whichever test was starting a
/// process (swift-corelibs-foundation pull request 5472, not in the toolchain these tests run on).
/// Here the child's descriptors above 2 are closed by `posix_spawn_file_actions_addclosefrom_np`,
/// which lists nothing. As Foundation does, the child leads a process group of its own, inherits
/// the environment unless one is given, and inherits standard input.
public final class ChildProcess: @unchecked Sendable {
    /// The program to run.
    public var executableURL: URL?
    /// Its arguments, after its own path.
    public var arguments: [String]?
    /// Its environment; the test process's when `nil`.
    public var environment: [String: String]?
    /// A `FileHandle` (`FileHandle.nullDevice` for /dev/null) or a `Pipe`; inherited when `nil`.
    public var standardOutput: Any?
    /// As ``standardOutput``.
    public var standardError: Any?
    /// Called once, on a thread of its own, when the process has ended and been reaped.
    public var terminationHandler: (@Sendable (ChildProcess) -> Void)?

    private let lock = NSCondition()
    private var pid: pid_t = 0
    private var status: Int32?

    /// A spawn that failed: `errno` as `posix_spawn` returned it.
    public struct SpawnFailure: Error, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }

    public init() {}

    /// The child's pid once started; 0 before.
    public var processIdentifier: Int32 { lock.withLock { pid } }

    /// Whether the child was started and has not been reaped yet.
    public var isRunning: Bool { lock.withLock { pid != 0 && status == nil } }

    /// The child's exit code, or the number of the signal that ended it; -1 while it runs.
    public var terminationStatus: Int32 { lock.withLock { status ?? -1 } }

    /// Starts the child.
    public func run() throws {
        guard let path = executableURL?.path else { throw SpawnFailure(path: "(no executable)", code: ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        for (stream, target) in [(standardOutput, STDOUT_FILENO), (standardError, STDERR_FILENO)] {
            Self.redirect(stream, to: target, in: &actions)
        }
        Self.closeFrom(3, in: &actions)

        let argv = [path] + (arguments ?? [])
        let environment = (self.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let code = Self.withCStrings(argv) { argv in
            Self.withCStrings(environment) { envp in
                posix_spawn(&child, path, &actions, &attributes, argv, envp)
            }
        }
        guard code == 0 else { throw SpawnFailure(path: path, code: code) }
        let started = child
        lock.withLock { pid = started }
        // The parent's copy of a pipe's write end is closed, so that its reader sees the end.
        for stream in [standardOutput, standardError] {
            if let pipe = stream as? Pipe { try? pipe.fileHandleForWriting.close() }
        }
        let reaper = Thread { [self] in reap(started) }
        reaper.name = "child \(started)"
        reaper.start()
    }

    /// Sends SIGTERM to the child.
    public func terminate() {
        let pid = processIdentifier
        if pid != 0 { kill(pid, SIGTERM) }
    }

    /// Blocks the calling thread until the child has been reaped.
    public func waitUntilExit() {
        lock.withLock {
            while status == nil { lock.wait() }
        }
    }

    private func reap(_ child: pid_t) {
        var raw: Int32 = 0
        while waitpid(child, &raw, 0) == -1, errno == EINTR {}
        // The low 7 bits: the signal that ended it, 0 when it exited, its code then in the next byte.
        let signal = raw & 0x7f
        let ended = signal == 0 ? (raw >> 8) & 0xff : signal
        let handler = lock.withLock {
            status = ended
            lock.broadcast()
            return terminationHandler
        }
        handler?(self)
    }

    private static func redirect(_ stream: Any?, to target: Int32, in actions: inout posix_spawn_file_actions_t) {
        switch stream {
        case let pipe as Pipe:
            posix_spawn_file_actions_adddup2(&actions, pipe.fileHandleForWriting.fileDescriptor, target)
        case let handle as FileHandle where handle.fileDescriptor >= 0:
            posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
        case is FileHandle:
            posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
        default:
            break
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which its headers declare
    /// only with `_GNU_SOURCE`, out of Swift's reach.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    nonisolated(unsafe) private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        guard let addCloseFrom else {
            preconditionFailure("posix_spawn_file_actions_addclosefrom_np is missing: glibc 2.34 or later is needed")
        }
        _ = addCloseFrom(&actions, lowest)
    }

    /// Calls `body` with `strings` as a NULL-terminated array of C strings.
    private static func withCStrings<T>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T
    ) -> T {
        let copies = strings.map { strdup($0) } + [nil]
        defer { for copy in copies { free(copy) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
