import Foundation
import QuiesceRuntime
import QuiesceTestSupport
import Testing
import ZeroMQ

/// `quiesce keygen` writes key files other ZeroMQ tooling can read.
@Suite("quiesce keygen")
struct KeygenTests {
    @Test("It writes NAME.key and NAME.key_secret (0600) in czmq's format, with a matching key pair")
    func writesCertificates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keygen = try await CommandResult.run(Fleet.binary, ["keygen", "api", "--out", directory])
        #expect(keygen.status == 0)

        let publicFile = try CurveCertificate.read(directory + "/api.key")
        let secretFile = try CurveCertificate.read(directory + "/api.key_secret")
        #expect(publicFile.secretKey == nil)
        #expect(secretFile.publicKey == publicFile.publicKey)
        #expect(CurveKeyPair.publicKey(of: try #require(secretFile.secretKey)) == publicFile.publicKey)
        let permissions =
            try FileManager.default.attributesOfItem(atPath: directory + "/api.key_secret")[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let text = try String(contentsOfFile: directory + "/api.key", encoding: .utf8)
        #expect(text.contains("metadata\ncurve\n    public-key = \"\(publicFile.publicKey)\"\n"), "czmq's layout")

        let again = try await CommandResult.run(Fleet.binary, ["keygen", "api", "--out", directory])
        #expect(again.status == 78, "an existing key is never replaced: a setup error")
        #expect(again.errors.contains("api.key exists already; remove it first to replace the key"), "\(again.errors)")
    }

    @Test(
        "It refuses a name the configuration would refuse as a service name, and writes nothing",
        arguments: ["caf\u{E9}", "a/b", ""])
    func refusesBadNames(name: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keygen = try await CommandResult.run(Fleet.binary, ["keygen", name, "--out", directory])
        #expect(keygen.status == 64)
        #expect(keygen.errors.contains("the name may hold only letters, digits, '-', '_' and '.'"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test(
        "--coordinators 2 writes a pair per coordinator and prints each one's security block and the agents' key list")
    func severalCoordinators() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fleet = directory + "/fleet.yaml"
        try "services:\n  api: {}\n".write(toFile: fleet, atomically: true, encoding: .utf8)
        let keys = directory + "/keys"
        let keygen = try await CommandResult.run(
            Fleet.binary, ["keygen", "--fleet", fleet, "--out", keys, "--coordinators", "2"])
        #expect(keygen.status == 0, "\(keygen.errors)")
        let first = try CurveCertificate.read(keys + "/coordinator-1.key_secret")
        let second = try CurveCertificate.read(keys + "/coordinator-2.key_secret")
        #expect(first.publicKey != second.publicKey, "each coordinator has its own pair")
        #expect(try CurveCertificate.read(keys + "/coordinator-2.key").publicKey == second.publicKey)
        #expect(!FileManager.default.fileExists(atPath: keys + "/coordinator.key"))
        #expect(keygen.output.contains("server_key: \"\(keys)/coordinator-1.key_secret\""))
        #expect(keygen.output.contains("server_key: \"\(keys)/coordinator-2.key_secret\""))
        #expect(
            keygen.output.components(separatedBy: "agents_dir: \"\(keys)/agents\"").count == 3,
            "the same agents for both")
        #expect(keygen.output.contains("--server-key \(keys)/coordinator-1.key,\(keys)/coordinator-2.key"))

        #expect(keygen.output.contains("or run it with --keys \(keys) --key-pair coordinator-2:"))

        let refused = try await CommandResult.run(
            Fleet.binary, ["keygen", "--fleet", fleet, "--out", keys, "--coordinators", "0"])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("--coordinators must be between 1 and 9"))

        // Each coordinator takes its own pair from the directory with --key-pair; without it, the
        // directory of several pairs is refused with the fix.
        let bind = ["--bind", "tcp://127.0.0.1:\(try FreePort.pick())"]
        let unnamed = try await CommandResult.run(
            Fleet.binary, ["coordinator", "--config", fleet, "--keys", keys] + bind)
        #expect(unnamed.status == 78)
        #expect(
            unnamed.errors.contains("give this coordinator its own with --key-pair coordinator-N"), "\(unnamed.errors)")
        let absent = try await CommandResult.run(
            Fleet.binary, ["coordinator", "--config", fleet, "--keys", keys, "--key-pair", "coordinator-7"] + bind)
        #expect(absent.status == 78)
        #expect(absent.errors.contains("coordinator-7.key_secret"), "\(absent.errors)")
        let log = directory + "/coordinator-2.err"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let pairTwo = ChildProcess()
        pairTwo.executableURL = Fleet.binary
        pairTwo.arguments = ["coordinator", "--config", fleet, "--keys", keys, "--key-pair", "coordinator-2"] + bind
        pairTwo.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        pairTwo.standardOutput = FileHandle.nullDevice
        try ProcessExit.start(pairTwo)
        defer { if pairTwo.isRunning { kill(pairTwo.processIdentifier, SIGKILL) } }
        let listening = {
            (try? String(contentsOfFile: log, encoding: .utf8))?.contains("Coordinator listening") == true
        }
        await Fleet.waitUntil("coordinator-2 listens", timeout: .seconds(60)) { listening() || !pairTwo.isRunning }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains("curve=true"), "\(text)")
        kill(pairTwo.processIdentifier, SIGTERM)
        _ = await Fleet.waitForExit(pairTwo, timeout: .seconds(60))
    }

    @Test("A secret file whose keys do not match is refused")
    func mismatchRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-bad-\(UUID().uuidString).key_secret"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        try "curve\n    public-key = \"\(one.publicKey)\"\n    secret-key = \"\(other.secretKey)\"\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.read(path) }
    }
}

/// Whether pyzmq is importable (.ci/run installs it), for the interoperability test.
private let pyzmqAvailable: Bool = {
    let check = ChildProcess()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import zmq.auth"]
    check.standardError = FileHandle.nullDevice
    guard (try? ProcessExit.start(check)) != nil else { return false }
    check.waitUntilExit()
    return check.terminationStatus == 0
}()

extension KeygenTests {
    @Test("pyzmq reads quiesce's key files, and quiesce reads pyzmq's", .enabled(if: pyzmqAvailable))
    func pyzmqInteroperates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-keys-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ours = try CurveCertificate.write(try CurveKeyPair.generate(), name: "ours", to: directory)
        let script = """
            import sys, zmq.auth
            public, secret = zmq.auth.load_certificate(sys.argv[1])
            print(public.decode(), secret.decode())
            zmq.auth.create_certificates(sys.argv[2], "theirs")
            """
        let python = try await CommandResult.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, ours.secret, directory])
        #expect(python.status == 0)
        let printed = python.output.split(separator: " ")
        let read = try CurveCertificate.read(ours.secret)
        #expect(printed.first.map(String.init) == read.publicKey)
        #expect(printed.last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } == read.secretKey)

        let theirs = try CurveCertificate.read(directory + "/theirs.key_secret")
        #expect(CurveKeyPair.publicKey(of: try #require(theirs.secretKey)) == theirs.publicKey)
    }
}
