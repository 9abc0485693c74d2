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

            With --coordinators N (a leader and its standbys), writes N coordinator pairs, \
            coordinator-1 to coordinator-N, and prints each coordinator's security: block; an agent \
            given the coordinators' endpoints in that order takes --keys DIR, or --server-key with \
            their public keys in that order.

            With --json, stdout is one JSON document: the files written (path, kind public_key or \
            secret_key, name, role, public key) and, for a fleet, the security: block (with several \
            coordinators, each one's, in coordinator_security_blocks).
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --fleet or --compose: how many coordinators the fleet has (a leader and its standbys), each with its own key pair.",
            valueName: "n"))
    var coordinators: Int = 1

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
        guard (1...Self.maximumCoordinators).contains(coordinators) else {
            throw ValidationError("--coordinators must be between 1 and \(Self.maximumCoordinators)")
        }
        guard coordinators == 1 || name == nil else {
            throw ValidationError("--coordinators goes with --fleet FILE or --compose FILE, not a key's NAME")
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

    /// The most coordinators of one fleet keygen writes keys for.
    static let maximumCoordinators = 9

    /// Writes the keys of every service of the fleet's file, the coordinators' and the admin's.
    private func writeFleetKeys() throws -> KeygenDocument {
        let file = fleet ?? compose!
        let configuration = try ConfigurationFile.load(
            file, parse: fleet != nil ? ConfigurationLoader.load : ComposeImporter.load)
        let directory = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let keys = FleetKeys(directory: directory)
        let services = configuration.graph.names.sorted()
        // Checked before anything is written, so that a refusal writes nothing.
        let coordinatorNames = FleetKeys.coordinatorNames(count: coordinators)
        let files =
            keys.coordinatorPublicKeys(count: coordinators) + keys.coordinatorSecretKeys(count: coordinators)
            + [keys.adminPublicKey, keys.adminSecretKey]
            + services.flatMap { ["\(keys.agentsDirectory)/\($0).key", keys.agentSecretKey($0)] }
        for path in files where FileManager.default.fileExists(atPath: path) {
            throw CurveCertificate.Failure(description: "\(path) exists already; remove it first to replace the key")
        }
        for path in [directory, keys.agentsDirectory, keys.secretsDirectory] {
            try makePrivateDirectory(path)
        }
        var written: [KeygenDocument.File] = []
        for (name, role) in coordinatorNames.map({ ($0, "coordinator") }) + [(FleetKeys.adminName, "admin")] {
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
        guard coordinators > 1 else {
            return KeygenDocument(directory: directory, files: written, securityBlock: keys.securityBlock)
        }
        return KeygenDocument(
            directory: directory, files: written, securityBlock: nil,
            coordinatorSecurityBlocks: (1...coordinators).map {
                keys.securityBlock(forCoordinator: $0, of: coordinators)
            })
    }

    /// `quiesce keygen --fleet FILE` as people read it: what was written, and how to use it.
    private func fleetText(file: String, _ document: KeygenDocument) -> String {
        let services = document.files.filter { $0.role == "agent" && $0.kind == .publicKey }.count
        guard let blocks = document.coordinatorSecurityBlocks else {
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
        return severalCoordinatorsText(blocks: blocks, services: services)
    }

    /// What to do with the keys of several coordinators: each one's `security:` block, and the
    /// agents' and tools' list of the coordinators' public keys, in the order of their endpoints.
    private func severalCoordinatorsText(blocks: [String], services: Int) -> String {
        let names = FleetKeys.coordinatorNames(count: blocks.count)
        var lines = ["wrote the keys of \(names.count) coordinators, the admin and \(services) services to \(out)"]
        for (name, block) in zip(names, blocks) {
            lines += [
                "",
                "\(name): give it this block (the same file path may hold each coordinator's own block), "
                    + "or run it with --keys \(out) --key-pair \(name):", block,
            ]
        }
        let endpoints = names.map { "ENDPOINT_OF_\($0.uppercased().replacingOccurrences(of: "-", with: "_"))" }
            .joined(separator: ",")
        let serverKeys = names.map { "\(out)/\($0).key" }.joined(separator: ",")
        lines += [
            "", "agents and tools list the coordinators' endpoints in the same order, with --keys \(out):",
            "  quiesce agent --name SERVICE --coordinator \(endpoints) --keys \(out) -- COMMAND",
            "  quiesce status --coordinator \(endpoints) --keys \(out)",
            "",
            "an agent on another host needs only \(out)/secrets/SERVICE.key_secret and the coordinators' public keys:",
            "  --key SERVICE.key_secret --server-key \(serverKeys)",
        ]
        return lines.joined(separator: "\n")
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
