import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair as NAME.key and NAME.key_secret (mode 0600), in czmq's and pyzmq's format."
    )

    @Argument(help: "The key's name: a service name for an agent's key, or an operator's name.")
    var name: String

    @Option(name: .long, help: "The directory to write the two files to.")
    var out: String

    func validate() throws {
        guard ServiceName.problem(in: name) == nil else {
            throw ValidationError("the name may hold only \(ServiceName.allowed)")
        }
    }

    func run() throws {
        let keys = try CurveKeyPair.generate()
        do {
            let paths = try CurveCertificate.write(keys, name: name, to: out)
            printLine("public key: \(keys.publicKey)")
            printLine("wrote \(paths.public) and \(paths.secret) (keep the secret file private)")
        } catch {
            printError("keygen: \(error)")
            throw ExitCode.failure
        }
    }
}
