import ArgumentParser
import QuiesceCore
import QuiesceRuntime
import ZeroMQ

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--keys`, `--key`, `--server-key` and `--insecure`, for everything that connects to a coordinator.
public struct CurveOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The fleet's keys directory, made by quiesce keygen --fleet: the same as --key and --server-key with its files (default: $QUIESCE_KEYS, unless --key, --server-key or --insecure is given).",
            valueName: "dir"))
    var keys: String?

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

    @Flag(
        help:
            "Connect without keys over tcp://, loopback included: any user of this host can then stop the fleet and pose as an agent or as the coordinator."
    )
    var insecure = false

    public init() {}

    /// The keys to connect to `endpoint` with, or `nil` for a plain connection, which
    /// ``PlainConnection`` must allow (a refusal ends the command with 78, after saying why). Key
    /// files that cannot be read, or that ``FilePermissions`` refuses (a secret others may read, a
    /// public key others may write), end the command with 78 too.
    /// - Parameters:
    ///   - side: who connects, for the plain rule and its messages.
    ///   - ownKey: this side's secret key file in a fleet's keys directory (`--keys`).
    public func credentials(to endpoint: String, side: PlainConnection.Side, ownKey: (FleetKeys) -> String) throws -> (
        keys: CurveKeyPair, serverKey: String
    )? {
        let files: (key: String, serverKey: String)?
        let keys =
            key == nil && serverKey == nil && !insecure
            ? EnvironmentDefault.value(keys, orVariable: EnvironmentDefault.keys) : keys
        switch (keys, key, serverKey) {
        case (nil, nil, nil):
            files = nil
        case (let directory?, nil, nil):
            let fleet = FleetKeys(directory: directory)
            files = (ownKey(fleet), fleet.coordinatorPublicKey)
        case (nil, let keyFile?, let server?):
            files = (keyFile, server)
        case (_?, _, _):
            throw ValidationError("give --keys, or --key and --server-key, not both")
        default:
            throw ValidationError("give both --key and --server-key, or neither")
        }
        guard let files else {
            switch PlainConnection.check(endpoint, side: side, insecure: insecure) {
            case .allowed: return nil
            case .insecure(let warning):
                printError(warning)
                return nil
            case .refused(let reason):
                printError(reason)
                throw ExitCode(CoordinatorExitCode.invalidConfiguration)
            }
        }
        do {
            let own = try CurveCertificate.readSecret(files.key, role: "--key")
            // A file first: a path of 40 characters can also be a valid key
            // (/tmp/tmp.XXXXXXXXXX/keys/coordinator.key).
            let isFile = FileManager.default.fileExists(atPath: files.serverKey)
            let serverKey =
                !isFile && CurveKeyPair.isValidKey(files.serverKey)
                ? files.serverKey : try CurveCertificate.readPublic(files.serverKey)
            return (own, serverKey)
        } catch {
            // A key file that is missing, unreadable or open to others is a setup to fix.
            guard error is FilePermissions.Problem || error is CurveCertificate.Failure else { throw error }
            printError("\(error)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
    }
}
