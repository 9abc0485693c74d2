import Foundation
import QuiesceCore
import QuiesceRuntime
import Testing

@testable import QuiesceCoordinator
@testable import ZeroMQ

@Suite("Authenticator and ZAP handler")
struct AuthenticatorTests {
    /// Key files as `quiesce keygen` writes them: the coordinator's secret key, agents' keys in a
    /// directory and one named in the configuration, an admin's and a reader's.
    private struct KeyFiles {
        let directory: TemporaryDirectory
        let server: CurveKeyPair
        let api: CurveKeyPair
        let database: CurveKeyPair
        let admin: CurveKeyPair
        let reader: CurveKeyPair
        var settings: SecuritySettings

        init() throws {
            directory = try TemporaryDirectory()
            server = try CurveKeyPair.generate()
            api = try CurveKeyPair.generate()
            database = try CurveKeyPair.generate()
            admin = try CurveKeyPair.generate()
            reader = try CurveKeyPair.generate()
            let serverFiles = try CurveCertificate.write(server, name: "coordinator", to: directory.path)
            try CurveCertificate.write(api, name: "api", to: directory.file("agents"))
            let databaseFiles = try CurveCertificate.write(database, name: "db", to: directory.file("elsewhere"))
            let adminFiles = try CurveCertificate.write(admin, name: "ops", to: directory.file("admins"))
            let readerFiles = try CurveCertificate.write(reader, name: "dashboard", to: directory.file("readers"))
            settings = SecuritySettings(serverKeyFile: serverFiles.secret)
            settings.agentsDirectory = directory.file("agents")
            settings.agentKeyFiles = ["database": databaseFiles.public]
            settings.adminKeyFiles = [adminFiles.public]
            settings.readerKeyFiles = [readerFiles.public]
        }
    }

    private static let services = ["api", "database", "worker"]

    @Test("Each allowed key is bound to its identity: agent:SERVICE, admin:NAME, reader:NAME")
    func identities() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)

        #expect(authenticator.serverKeys == keys.server)
        #expect(authenticator.identity(of: keys.api.publicKey) == "agent:api")
        #expect(authenticator.identity(of: keys.database.publicKey) == "agent:database")
        #expect(authenticator.identity(of: keys.admin.publicKey) == "admin:ops")
        #expect(authenticator.identity(of: keys.reader.publicKey) == "reader:dashboard")
        #expect(authenticator.identity(of: keys.server.publicKey) == nil)
        // worker has no key file: nobody may be its agent, and that is no error.
        #expect(
            authenticator.allowedIdentities == ["agent:api", "agent:database", "admin:ops", "reader:dashboard"])
    }

    @Test("A key in the agents' directory for a service not in the configuration is not allowed")
    func unknownServiceKey() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let stranger = try CurveKeyPair.generate()
        try CurveCertificate.write(stranger, name: "stranger", to: keys.directory.file("agents"))
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        #expect(authenticator.identity(of: stranger.publicKey) == nil)
        #expect(!authenticator.allowedIdentities.contains("agent:stranger"))
    }

    @Test("A server key that is not a secret key file fails closed")
    func publicServerKey() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        var settings = keys.settings
        settings.serverKeyFile = keys.directory.file("coordinator.key")
        #expect {
            try Authenticator(settings: settings, services: Self.services)
        } throws: { error in
            "\(error)" == "\(settings.serverKeyFile): server_key must be a secret key file (NAME.key_secret)"
        }
    }

    @Test("A reload revokes the keys whose files are gone and allows the new ones")
    func reload() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        let worker = try CurveKeyPair.generate()
        try FileManager.default.removeItem(atPath: keys.directory.file("agents/api.key"))
        try CurveCertificate.write(worker, name: "worker", to: keys.directory.file("agents"))

        #expect(try authenticator.reload() == ["agent:api"])
        #expect(authenticator.identity(of: keys.api.publicKey) == nil)
        #expect(authenticator.identity(of: worker.publicKey) == "agent:worker")
        #expect(
            authenticator.allowedIdentities == ["agent:worker", "agent:database", "admin:ops", "reader:dashboard"])
        #expect(try authenticator.reload() == [])
    }

    @Test("A reload that cannot read a key file fails and keeps the previous keys in force")
    func failedReload() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: keys.settings.adminKeyFiles[0]))

        #expect(throws: CurveCertificate.Failure.self) { try authenticator.reload() }
        #expect(authenticator.identity(of: keys.admin.publicKey) == "admin:ops")
        #expect(authenticator.allowedIdentities.contains("admin:ops"))
    }

    @Test("A server secret key others may read is refused, with the command that fixes it")
    func looseServerKey() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        #expect(chmod(keys.settings.serverKeyFile, 0o644) == 0)
        #expect(
            throws: FilePermissions.Problem(
                description:
                    "\(keys.settings.serverKeyFile): the secret key is readable by group and others (mode 0644); "
                    + "run chmod 600 \(keys.settings.serverKeyFile)")
        ) {
            try Authenticator(settings: keys.settings, services: Self.services)
        }
    }

    @Test("An agents directory others may write to, or an agent key file they may write, is refused")
    func looseAgentsDirectory() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        #expect(chmod(keys.directory.file("agents"), 0o777) == 0)
        #expect {
            try Authenticator(settings: keys.settings, services: Self.services)
        } throws: { error in
            "\(error)".contains("the agents directory (security.agents_dir) is writable by group and others")
        }
        #expect(throws: FilePermissions.Problem.self, "a reload is refused too") { try authenticator.reload() }
        #expect(authenticator.identity(of: keys.api.publicKey) == "agent:api", "the previous keys stay in force")

        #expect(chmod(keys.directory.file("agents"), 0o755) == 0)
        #expect(chmod(keys.directory.file("agents/api.key"), 0o666) == 0)
        #expect(throws: FilePermissions.Problem.self) { try authenticator.reload() }
    }

    @Test("A symbolic link that makes two services share one key is refused, naming both files")
    func sharedKey() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let api = keys.directory.file("agents/api.key")
        let worker = keys.directory.file("agents/worker.key")
        try FileManager.default.createSymbolicLink(atPath: worker, withDestinationPath: api)
        #expect(
            throws: CurveCertificate.Failure(
                description:
                    "\(api) and \(worker) hold the same public key, so agent:api and agent:worker could act as each other; "
                    + "give each its own key (quiesce keygen NAME --out DIR)")
        ) {
            try Authenticator(settings: keys.settings, services: Self.services)
        }
    }

    // MARK: ZAP

    /// A ZAP request (RFC 27) as libzmq sends it: version, request id, domain, address, identity,
    /// mechanism, and for CURVE the client's public key.
    private func request(mechanism: String, key: [UInt8]?) -> ReceivedMessage {
        var frames = [
            Array("1.0".utf8), Array("7".utf8), Array("quiesce".utf8), Array("127.0.0.1".utf8), [],
            Array(mechanism.utf8),
        ]
        if let key { frames.append(key) }
        return ReceivedMessage(frames: frames, truncated: false, userID: nil)
    }

    @Test("An allowed CURVE key is answered 200 with its identity as the User-Id")
    func zapAllowed() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        let reply = ZAPHandler.reply(
            to: request(mechanism: "CURVE", key: Z85Decoding.decode(keys.api.publicKey)), authenticator: authenticator)
        #expect(
            reply == [
                Array("1.0".utf8), Array("7".utf8), Array("200".utf8), Array("OK".utf8), Array("agent:api".utf8), [],
            ])
    }

    @Test("An unknown key, another mechanism or a CURVE request without a key is answered 400")
    func zapRefused() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        let refusal = [Array("1.0".utf8), Array("7".utf8), Array("400".utf8), Array("key not allowed".utf8), [], []]
        let stranger = try CurveKeyPair.generate()
        for request in [
            request(mechanism: "CURVE", key: Z85Decoding.decode(stranger.publicKey)),
            request(mechanism: "NULL", key: nil),
            request(mechanism: "PLAIN", key: Z85Decoding.decode(keys.api.publicKey)),
            request(mechanism: "CURVE", key: nil),
        ] {
            #expect(ZAPHandler.reply(to: request, authenticator: authenticator) == refusal)
        }
    }

    @Test("A request too short to be ZAP gets no reply")
    func zapMalformed() throws {
        let keys = try KeyFiles()
        defer { keys.directory.remove() }
        let authenticator = try Authenticator(settings: keys.settings, services: Self.services)
        let short = ReceivedMessage(frames: [Array("1.0".utf8), Array("7".utf8)], truncated: false, userID: nil)
        #expect(ZAPHandler.reply(to: short, authenticator: authenticator).isEmpty)
    }

    @Test("The tests' Z85 decoding inverts the encoding")
    func z85RoundTrip() throws {
        let key = try CurveKeyPair.generate().publicKey
        #expect(Z85.encode(Z85Decoding.decode(key)) == key)
    }
}
