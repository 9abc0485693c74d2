import Foundation
import QuiesceRuntime
import Synchronization
import Testing
import ZeroMQ

@Suite("Private files")
struct PrivateFileTests {
    private static func temporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("quiesce-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func mode(_ path: String) -> UInt32? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    /// Watches `directory` with inotify while `body` runs, and returns the mode of every file at the
    /// moment the watcher saw it created, moved in or changed (a file already gone is skipped).
    private static func modesSeen(in directory: String, while body: () throws -> Void) throws -> [String: [UInt32]] {
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        try #require(watch >= 0)
        try #require(inotify_add_watch(watch, directory, UInt32(IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_MODIFY)) >= 0)
        let seen = Mutex<[String: [UInt32]]>([:])
        let watcher = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(watch, &buffer, buffer.count)
                guard count > 0 else { return }
                var offset = 0
                while offset < count {
                    let (length, name) = buffer.withUnsafeBytes { bytes -> (Int, String) in
                        let event = bytes.load(fromByteOffset: offset, as: inotify_event.self)
                        let nameStart = offset + MemoryLayout<inotify_event>.size
                        let raw = bytes[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                        return (MemoryLayout<inotify_event>.size + Int(event.len), String(decoding: raw, as: UTF8.self))
                    }
                    offset += length
                    if name == "stop" { return }
                    if !name.isEmpty, let mode = mode((directory as NSString).appendingPathComponent(name)) {
                        seen.withLock { $0[name, default: []].append(mode) }
                    }
                }
            }
        }
        watcher.start()
        try body()
        // A last event that ends the watcher once it has read every earlier one.
        FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent("stop"), contents: nil)
        while !watcher.isFinished { usleep(1000) }
        close(watch)
        return seen.withLock { $0 }
    }

    @Test("A watcher never sees a secret file, or its temporary file, readable by others")
    func neverReadableByOthers() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seen = try Self.modesSeen(in: directory) {
            for round in 0..<50 {
                try PrivateFile.write(Data("secret \(round)\n".utf8), to: directory + "/state", replacing: true)
                try CurveCertificate.write(try CurveKeyPair.generate(), name: "k\(round)", to: directory)
            }
        }
        // The secret files and their temporary files (`.state.UUID`, `.k0.key_secret.UUID`); the
        // public key files may be read by all, but written by none but their owner.
        let secrets = seen.filter { $0.key.contains("state") || $0.key.contains("key_secret") }
        for (name, modes) in seen where secrets[name] == nil {
            #expect(
                modes.allSatisfy { $0 & 0o022 == 0 },
                "\(name) was seen with modes \(modes.map { String($0, radix: 8) })")
        }
        // The watcher saw the files that remain, at least; so the test cannot pass by seeing nothing.
        #expect(secrets["state"]?.isEmpty == false)
        #expect(secrets["k0.key_secret"]?.isEmpty == false)
        for (name, modes) in secrets {
            #expect(
                modes.allSatisfy { $0 & 0o077 == 0 },
                "\(name) was seen with modes \(modes.map { String($0, radix: 8) })")
        }
        #expect(Self.mode(directory + "/state") == 0o600)
        #expect(Self.mode(directory + "/k0.key_secret") == 0o600)
        #expect(Self.mode(directory + "/k0.key") == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("Without replacing, an existing file is kept and the write refused")
    func keepsExisting() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try PrivateFile.write(Data("first".utf8), to: directory + "/f", replacing: false)
        #expect(
            throws: FilePermissions.Problem(description: "\(directory)/f exists already; remove it first to replace it")
        ) {
            try PrivateFile.write(Data("second".utf8), to: directory + "/f", replacing: false)
        }
        #expect(FileManager.default.contents(atPath: directory + "/f") == Data("first".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["f"])
    }

    @Test("Appending makes a file 0600, and refuses a symbolic link")
    func appending() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(
            atPath: directory + "/journal", contents: nil, attributes: [.posixPermissions: 0o644])
        close(try PrivateFile.openForAppending(directory + "/journal"))
        #expect(Self.mode(directory + "/journal") == 0o600)
        close(try PrivateFile.openForAppending(directory + "/new"))
        #expect(Self.mode(directory + "/new") == 0o600)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/new")
        #expect(throws: FilePermissions.Problem.self) { try PrivateFile.openForAppending(directory + "/link") }
    }
}
