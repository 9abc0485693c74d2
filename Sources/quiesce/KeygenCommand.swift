import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceConfiguration
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair as NAME.key and NAME.key_secret (mode 0600), in czmq's and pyzmq's format.",
        discussion: """
            With --fleet FILE (or --compose FILE) instead of NAME, writes every key a fleet needs into \
            --out DIR: the coordinator's pair, one pair per service (public keys in DIR/agents, secrets \
            in DIR/secrets) and an admin pair, in directories of mode 0700. Every command then takes \
            --keys DIR; the security: block to add to the configuration instead is printed.

            With --json, stdout is one JSON document: the files written (path, kind public_key or \
            secret_key, name, role, public key) and, for a fleet, the security: block.
            """
    )

    @Argument(help: "The key's name: a service name for an agent's key, or an operator's name.")
    var name: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Write every key of the fleet of this Quiesce configuration file.", valueName: "file"))
    var fleet: String?

    @Option(
        name: .long, help: ArgumentHelp("Write every key of the fleet of this docker compose file.", valueName: "file"))
    var compose: String?

    @Option(name: .long, help: "The directory to write the files to.")
    var out: String

    @OptionGroup(title: "Output") var output: OutputOptions

    func validate() throws {
        switch (name, fleet, compose) {
        case (let name?, nil, nil):
            guard ServiceName.problem(in: name) == nil else {
                throw ValidationError("the name may hold only \(ServiceName.allowed)")
            }
        case (nil, _?, nil), (nil, nil, _?): break
        case (nil, nil, nil): throw ValidationError("give a key's NAME, or --fleet FILE (or --compose FILE)")
        default: throw ValidationError("give only one of NAME, --fleet FILE and --compose FILE")
        }
    }

    func run() throws {
        let document: KeygenDocument
        do {
            document = try name.map(writeKeyPair) ?? writeFleetKeys()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // A key that exists already, a directory that cannot be made: setup errors, as elsewhere.
            printError("keygen: \(error)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        OutputPrinter(format: output.format).document(document, kind: "keys") {
            (fleet ?? compose).map { fleetText(file: $0, document) } ?? pairText(document)
        }
    }

    /// Writes the pair `name` into `out`.
    private func writeKeyPair(_ name: String) throws -> KeygenDocument {
        let keys = try CurveKeyPair.generate()
        let paths = try CurveCertificate.write(keys, name: name, to: out)
        return KeygenDocument(
            directory: out,
            files: KeygenDocument.pair(name: name, role: nil, publicKey: keys.publicKey, paths: paths),
            securityBlock: nil)
    }

    /// `quiesce keygen NAME` as people read it.
    private func pairText(_ document: KeygenDocument) -> String {
        let paths = document.files.map(\.path)
        return """
            public key: \(document.files[0].publicKey)
            wrote \(paths.joined(separator: " and ")) (keep the secret file private)
            """
    }

    /// Writes the keys of every service of the fleet's file, the coordinator's and the admin's.
    private func writeFleetKeys() throws -> KeygenDocument {
        let file = fleet ?? compose!
        let configuration = try ConfigurationFile.load(
            file, parse: fleet != nil ? ConfigurationLoader.load : ComposeImporter.load)
        let directory = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let keys = FleetKeys(directory: directory)
        let services = configuration.graph.names.sorted()
        // Checked before anything is written, so that a refusal writes nothing.
        let files =
            [keys.coordinatorPublicKey, keys.coordinatorSecretKey, keys.adminPublicKey, keys.adminSecretKey]
            + services.flatMap { ["\(keys.agentsDirectory)/\($0).key", keys.agentSecretKey($0)] }
        for path in files where FileManager.default.fileExists(atPath: path) {
            throw CurveCertificate.Failure(description: "\(path) exists already; remove it first to replace the key")
        }
        for path in [directory, keys.agentsDirectory, keys.secretsDirectory] {
            try makePrivateDirectory(path)
        }
        var written: [KeygenDocument.File] = []
        for (name, role) in [(FleetKeys.coordinatorName, "coordinator"), (FleetKeys.adminName, "admin")] {
            let pair = try CurveKeyPair.generate()
            let paths = try CurveCertificate.write(pair, name: name, to: directory)
            written += KeygenDocument.pair(name: name, role: role, publicKey: pair.publicKey, paths: paths)
        }
        for service in services {
            let pair = try CurveKeyPair.generate()
            let paths = try CurveCertificate.write(
                pair, name: service, to: keys.agentsDirectory, secretDirectory: keys.secretsDirectory)
            written += KeygenDocument.pair(name: service, role: "agent", publicKey: pair.publicKey, paths: paths)
        }
        return KeygenDocument(directory: directory, files: written, securityBlock: keys.securityBlock)
    }

    /// `quiesce keygen --fleet FILE` as people read it: what was written, and how to use it.
    private func fleetText(file: String, _ document: KeygenDocument) -> String {
        let services = document.files.filter { $0.role == "agent" && $0.kind == .publicKey }.count
        return """
            wrote the keys of the coordinator, the admin and \(services) services to \(out)

            pass --keys \(out) to every command:
              quiesce coordinator \(fleet != nil ? "--config" : "--compose") \(file) --keys \(out)
              quiesce agent --name SERVICE --coordinator ENDPOINT --keys \(out) -- COMMAND
              quiesce status --coordinator ENDPOINT --keys \(out)

            or add this block to \(file) instead of the coordinator's --keys:
            \(document.securityBlock ?? "")

            an agent on another host needs only \(out)/secrets/SERVICE.key_secret and \(out)/coordinator.key:
              --key SERVICE.key_secret --server-key coordinator.key
            """
    }

    /// Creates `path` with mode 0700 if it does not exist; an existing directory is kept as it is,
    /// and checked when the coordinator or an agent reads it.
    private func makePrivateDirectory(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(path, 0o700) == 0 else {
            throw CurveCertificate.Failure(
                description: "\(path): cannot set mode 0700: \(String(cString: strerror(errno)))")
        }
    }
}
