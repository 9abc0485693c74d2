import Foundation
import QuiesceTestSupport
import Testing

/// The end of a child process, awaited without holding a thread: the process's termination handler
/// resumes whoever waits. Tests run in parallel on Swift's few cooperative threads (two on a 2-core
/// machine), so a test that blocked one in `waitUntilExit` or a sleep loop would stall the others
/// and make their timeouts fire falsely.
final class ProcessExit: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32?
    private var waiters: [UUID: CheckedContinuation<Int32?, Never>] = [:]

    /// The watches of processes started by ``start(_:)``, by process.
    nonisolated(unsafe) private static var watches: [ObjectIdentifier: ProcessExit] = [:]
    private static let watchesLock = NSLock()

    /// Starts `process`, watching for its end: its termination handler is set before it runs, so
    /// that no end is missed. Every test starts its processes here.
    static func start(_ process: ChildProcess) throws {
        let exit = ProcessExit()
        process.terminationHandler = { exit.ended($0.terminationStatus) }
        watchesLock.withLock { watches[ObjectIdentifier(process)] = exit }
        try process.run()
    }

    /// The watch of a process started by ``start(_:)``.
    static func of(_ process: ChildProcess) -> ProcessExit {
        guard let exit = watchesLock.withLock({ watches[ObjectIdentifier(process)] }) else {
            preconditionFailure("a process awaited must be started with ProcessExit.start")
        }
        return exit
    }

    /// The process's exit status, or `nil` if it is still running after `timeout`.
    func status(within timeout: Duration) async -> Int32? {
        let id = UUID()
        return await withCheckedContinuation { continuation in
            let known: Int32? = lock.withLock {
                if status == nil { waiters[id] = continuation }
                return status
            }
            if let known {
                continuation.resume(returning: known)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.lock.withLock { self.waiters.removeValue(forKey: id) }?.resume(returning: nil)
            }
        }
    }

    private func ended(_ status: Int32) {
        let waiting = lock.withLock {
            self.status = status
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume(returning: status) }
    }
}

/// A command run to its end: its exit status and what it wrote.
struct CommandResult {
    var status: Int32
    var output: String
    var errors: String

    /// Runs `executable` with `arguments` to its end, its standard output and error going to files
    /// (a pipe read only at the end could fill and stall it), and fails the test if it is still
    /// running after `timeout`, a hang guard only: it is then killed.
    static func run(
        _ executable: URL, _ arguments: [String], timeout: Duration = .seconds(120),
        environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out")
        let errors = directory.appendingPathComponent("err")
        for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try ProcessExit.start(process)
        let status = await Fleet.waitForExit(process, timeout: timeout, sourceLocation: sourceLocation)
        return CommandResult(
            status: status ?? process.terminationStatus,
            output: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
