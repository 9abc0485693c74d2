import ArgumentParser
import QuiesceRuntime
import ZeroMQ

/// `--key` and `--server-key`, for everything that connects to a coordinator with a `security:` block.
struct CurveOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("This side's secret key file (NAME.key_secret, from quiesce keygen).", valueName: "file"))
    var key: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The coordinator's public key: its .key file, or the 40-character key itself.", valueName: "file-or-key"))
    var serverKey: String?

    /// The keys to connect with, or `nil` for a plain connection.
    func credentials() throws -> (keys: CurveKeyPair, serverKey: String)? {
        switch (key, serverKey) {
        case (nil, nil):
            return nil
        case (let keyFile?, let server?):
            let own = try CurveCertificate.read(keyFile)
            guard let secretKey = own.secretKey else {
                throw ValidationError("--key: \(keyFile) holds no secret key; give the NAME.key_secret file")
            }
            let serverKey = CurveKeyPair.isValidKey(server) ? server : try CurveCertificate.read(server).publicKey
            return (CurveKeyPair(publicKey: own.publicKey, secretKey: secretKey), serverKey)
        default:
            throw ValidationError("give both --key and --server-key, or neither")
        }
    }
}
