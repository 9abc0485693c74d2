import Foundation
import QuiesceTestSupport
import Testing

/// An unprivileged user made for a test or a suite, and commands run as that user
/// (`setpriv --reuid --regid --clear-groups`, which executes the command in place: same pid).
struct ThrowawayUser: Sendable {
    let name: String
    /// A directory only this user (and root) can open, for its files: its tools, its keys, its logs.
    let home: URL

    static let setpriv = "/usr/bin/setpriv"
    static let useradd = "/usr/sbin/useradd"

    /// Whether a user can be made and acted as here: root, `useradd` and `setpriv`.
    static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv)
            && FileManager.default.isExecutableFile(atPath: useradd)
    }

    /// Makes a system user with no home and no login shell, and a private directory for it.
    static func create() throws -> ThrowawayUser {
        let name = "qsc\(UInt32.random(in: 0..<1_000_000))"
        let created = try run([useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
        guard created.status == 0 else { throw Fleet.FleetError(description: "useradd \(name): \(created.errors)") }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-\(name)")
        try FileManager.default.createDirectory(
            at: home, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let user = ThrowawayUser(name: name, home: home)
        _ = try run(["/bin/chown", "\(name):\(name)", home.path])
        return user
    }

    /// Deletes the user and its directory; the tests end the processes they started as the user first.
    func delete() {
        _ = try? Self.run(["/usr/sbin/userdel", name])
        try? FileManager.default.removeItem(at: home)
    }

    /// `command` prefixed so that it runs as this user, with no supplementary groups.
    func command(_ command: [String]) -> [String] {
        [Self.setpriv, "--reuid=\(name)", "--regid=\(name)", "--clear-groups", "--"] + command
    }

    /// Runs `command` as this user to its end: its exit status, standard output and standard error.
    func run(_ command: [String]) throws -> (status: Int32, output: String, errors: String) {
        let result = try Self.run(self.command(command), capturesOutput: true)
        return (result.status, result.output, result.errors)
    }

    /// Starts `command` as this user, its output in `log.out` and `log.err` of ``home``.
    func start(_ command: [String], log: String) throws -> ChildProcess {
        let process = ChildProcess()
        let full = self.command(command)
        process.executableURL = URL(fileURLWithPath: full[0])
        process.arguments = Array(full.dropFirst())
        process.standardOutput = try FileHandle(forWritingTo: file(log + ".out"))
        process.standardError = try FileHandle(forWritingTo: file(log + ".err"))
        try ProcessExit.start(process)
        return process
    }

    /// The text of `log` in ``home``.
    func output(_ log: String) -> String {
        (try? String(contentsOf: home.appendingPathComponent(log), encoding: .utf8)) ?? ""
    }

    /// Writes `text` into ``home`` as a file this user owns, and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        let url = home.appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        _ = try Self.run(["/bin/chown", "\(self.name):\(self.name)", url.path])
        return url.path
    }

    private func file(_ name: String) -> URL {
        let url = home.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    /// Runs `command` to its end: its exit status and standard error (and its output, if asked).
    static func run(_ command: [String], capturesOutput: Bool = false) throws -> (
        status: Int32, output: String, errors: String
    ) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = capturesOutput ? output : FileHandle.nullDevice
        try ProcessExit.start(process)
        // Both pipes are read to their end on their own threads, so that neither fills and blocks.
        let outputText = capturesOutput ? Self.readInBackground(output) : nil
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, outputText?() ?? "", text)
    }

    private static func readInBackground(_ pipe: Pipe) -> () -> String {
        let box = TextBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            done.signal()
        }
        return {
            done.wait()
            return box.text
        }
    }
}

private final class TextBox: @unchecked Sendable {
    var text = ""
}

extension ThrowawayUser {
    /// The user of the suite that runs under ``ActingAsThrowawayUser``.
    @TaskLocal static var current: ThrowawayUser?
}

/// Makes one throwaway user for a whole suite, deleted after its last test, and reachable in its
/// tests as ``ThrowawayUser/current``.
struct ActingAsThrowawayUser: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let user = try ThrowawayUser.create()
        defer { user.delete() }
        try await ThrowawayUser.$current.withValue(user, operation: function)
    }
}

extension Trait where Self == ActingAsThrowawayUser {
    /// One throwaway unprivileged user for the suite (``ThrowawayUser/current``).
    static var actingAsThrowawayUser: Self { ActingAsThrowawayUser() }
}
