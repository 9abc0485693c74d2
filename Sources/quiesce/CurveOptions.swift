import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

/// `--key` and `--server-key`, for everything that connects to a coordinator with a `security:` block.
struct CurveOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "This side's secret key file (NAME.key_secret, from quiesce keygen; mode 0600).", valueName: "file"))
    var key: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The coordinator's public key: its .key file, or the 40-character key itself.", valueName: "file-or-key"))
    var serverKey: String?

    /// The keys to connect with, or `nil` for a plain connection. Key files that ``FilePermissions``
    /// refuses (a secret others may read, a public key others may write) end the command with 78.
    func credentials() throws -> (keys: CurveKeyPair, serverKey: String)? {
        switch (key, serverKey) {
        case (nil, nil):
            return nil
        case (let keyFile?, let server?):
            do {
                let own = try CurveCertificate.readSecret(keyFile, role: "--key")
                let serverKey = CurveKeyPair.isValidKey(server) ? server : try CurveCertificate.readPublic(server)
                return (own, serverKey)
            } catch let problem as FilePermissions.Problem {
                printError("\(problem)")
                throw ExitCode(CoordinatorExitCode.invalidConfiguration)
            }
        default:
            throw ValidationError("give both --key and --server-key, or neither")
        }
    }
}
