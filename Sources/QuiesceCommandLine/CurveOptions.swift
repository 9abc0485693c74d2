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
            "The coordinator's public key: its .key file, or the 40-character key itself; with several --coordinator endpoints, one key per endpoint in the same order, separated by commas.",
            valueName: "file-or-key[,...]"))
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
        try credentials(to: [endpoint], side: side, ownKey: ownKey).map { ($0.keys, $0.serverKeys[0]) }
    }

    /// The keys to connect to each of `endpoints` with (this side's pair, and each coordinator's public
    /// key by the endpoint's position), or `nil` for plain connections, which ``PlainConnection`` must
    /// allow to every endpoint. `--server-key` then names one key per endpoint, in order, and `--keys`
    /// gives `coordinator.key` to a single endpoint and `coordinator-1.key`, `coordinator-2.key`, ... to
    /// several (``FleetKeys/coordinatorPublicKeys(count:)``). Errors end the command as for one endpoint.
    public func credentials(to endpoints: [String], side: PlainConnection.Side, ownKey: (FleetKeys) -> String)
        throws -> (keys: CurveKeyPair, serverKeys: [String])?
    {
        let files: (key: String, serverKeys: [String])?
        let keys =
            key == nil && serverKey == nil && !insecure
            ? EnvironmentDefault.value(keys, orVariable: EnvironmentDefault.keys) : keys
        switch (keys, key, serverKey) {
        case (nil, nil, nil):
            files = nil
        case (let directory?, nil, nil):
            let fleet = FleetKeys(directory: directory)
            files = (ownKey(fleet), fleet.coordinatorPublicKeys(count: endpoints.count))
        case (nil, let keyFile?, let server?):
            let serverKeys = server.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard serverKeys.count == endpoints.count else {
                throw ValidationError(
                    "--server-key names \(serverKeys.count) key\(serverKeys.count == 1 ? "" : "s") for \(endpoints.count) coordinator endpoints; give one key per --coordinator endpoint, in the same order, separated by commas"
                )
            }
            files = (keyFile, serverKeys)
        case (_?, _, _):
            throw ValidationError("give --keys, or --key and --server-key, not both")
        default:
            throw ValidationError("give both --key and --server-key, or neither")
        }
        guard let files else {
            for endpoint in endpoints {
                switch PlainConnection.check(endpoint, side: side, insecure: insecure) {
                case .allowed: continue
                case .insecure(let warning):
                    printError(warning)
                case .refused(let reason):
                    printError(reason)
                    throw ExitCode(CoordinatorExitCode.invalidConfiguration)
                }
            }
            return nil
        }
        do {
            let own = try CurveCertificate.readSecret(files.key, role: "--key")
            return (own, try files.serverKeys.map(Self.readServerKey))
        } catch {
            // A key file that is missing, unreadable or open to others is a setup to fix.
            guard error is FilePermissions.Problem || error is CurveCertificate.Failure else { throw error }
            printError("\(error)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
    }

    /// A coordinator's public key: the file `text`, or the key itself.
    private static func readServerKey(_ text: String) throws -> String {
        // A file first: a path of 40 characters can also be a valid key
        // (/tmp/tmp.XXXXXXXXXX/keys/coordinator.key).
        let isFile = FileManager.default.fileExists(atPath: text)
        return !isFile && CurveKeyPair.isValidKey(text) ? text : try CurveCertificate.readPublic(text)
    }
}
