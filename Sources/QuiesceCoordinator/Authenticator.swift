import Foundation
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

/// Who may talk to the coordinator: client public keys bound to identities, loaded from the key files
/// of the `security:` block. An identity is `agent:SERVICE`, `admin:NAME` or `reader:NAME` (NAME is
/// the key file's name); libzmq attaches it to every message of the connection as its User-Id.
public final class Authenticator {
    /// The coordinator's own key pair, from `server_key`.
    let serverKeys: CurveKeyPair
    private let settings: SecuritySettings
    private let services: [String]
    /// The identity of each allowed client public key (Z85).
    private var identities: [String: String] = [:]

    /// Loads every key file. Fails closed: a bad server key is an error, so nothing starts; so are
    /// key files and an agents directory that ``FilePermissions`` refuses, and one key in two files
    /// of different identities (``KeyBindings``).
    public init(settings: SecuritySettings, services: [String]) throws {
        self.settings = settings
        self.services = services
        serverKeys = try CurveCertificate.readSecret(settings.serverKeyFile, role: "server_key")
        identities = try Self.load(settings, services: services)
    }

    /// The identity bound to a client's public key, or `nil` for a key nobody allowed.
    func identity(of clientKey: String) -> String? {
        identities[clientKey]
    }

    /// The identities of the allowed keys (a reload can revoke some), for ``Authorization``.
    var allowedIdentities: Set<String> { Set(identities.values) }

    /// Reads the key files again (SIGHUP). Returns the identities no longer allowed.
    func reload() throws -> Set<String> {
        let fresh = try Self.load(settings, services: services)
        let revoked = Set(identities.values).subtracting(fresh.values)
        identities = fresh
        return revoked
    }

    private static func load(_ settings: SecuritySettings, services: [String]) throws -> [String: String] {
        if let directory = settings.agentsDirectory {
            try FilePermissions.check(directory, as: .directory("the agents directory (security.agents_dir)"))
        }
        var bindings = KeyBindings()
        for service in services {
            let file =
                settings.agentKeyFiles[service]
                ?? settings.agentsDirectory.map { ($0 as NSString).appendingPathComponent("\(service).key") }
            guard let file, FileManager.default.fileExists(atPath: file) else { continue }
            try bindings.bind(
                .init(identity: "agent:\(service)", file: file, publicKey: CurveCertificate.readPublic(file)))
        }
        for (files, role) in [(settings.adminKeyFiles, "admin"), (settings.readerKeyFiles, "reader")] {
            for file in files {
                let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                try bindings.bind(
                    .init(identity: "\(role):\(name)", file: file, publicKey: CurveCertificate.readPublic(file)))
            }
        }
        return bindings.identities
    }
}

/// Answers ZAP requests (ZeroMQ RFC 27) for the coordinator's socket.
enum ZAPHandler {
    /// The reply to a request: 200 with the key's identity as User-Id, or 400.
    static func reply(to request: ReceivedMessage, authenticator: Authenticator) -> [[UInt8]] {
        let frames = request.frames
        guard frames.count >= 6 else { return [] }
        let requestID = frames[1]
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let identity =
            mechanism == "CURVE" && frames.count >= 7 ? authenticator.identity(of: Z85.encode(frames[6])) : nil
        return [
            Array("1.0".utf8), requestID, Array((identity == nil ? "400" : "200").utf8),
            Array((identity == nil ? "key not allowed" : "OK").utf8), Array((identity ?? "").utf8), [],
        ]
    }
}
