/// Where `quiesce keygen --fleet FILE --out DIR` puts a fleet's keys, and where `--keys DIR` finds
/// them again, for every command:
///
/// ```text
/// DIR/coordinator.key, DIR/coordinator.key_secret   the coordinator's pair (--server-key, security.server_key)
/// DIR/admin.key, DIR/admin.key_secret               the operator's pair (security.admins, the CLI's --key)
/// DIR/agents/SERVICE.key                            each agent's public key (security.agents_dir)
/// DIR/secrets/SERVICE.key_secret                    each agent's secret key (its --key)
/// ```
///
/// The agents' secrets are kept apart from `agents/`, which the coordinator reads, so that the
/// coordinator's host needs no agent's secret.
public struct FleetKeys: Sendable, Equatable {
    /// The directory, as given.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The name of the operator's key pair.
    public static let adminName = "admin"
    /// The name of the coordinator's key pair.
    public static let coordinatorName = "coordinator"

    public var coordinatorPublicKey: String { path("coordinator.key") }

    /// The public keys of a fleet's `count` coordinators (a leader and its standbys), in the order of
    /// their endpoints: ``coordinatorPublicKey`` for one, `coordinator-1.key` to `coordinator-N.key`
    /// for several (``coordinatorNames(count:)``).
    public func coordinatorPublicKeys(count: Int) -> [String] {
        Self.coordinatorNames(count: count).map { path($0 + ".key") }
    }

    /// Their secret keys, in the same order: each coordinator's `server_key`.
    public func coordinatorSecretKeys(count: Int) -> [String] {
        Self.coordinatorNames(count: count).map { path($0 + ".key_secret") }
    }

    /// The names of the key pairs of `count` coordinators: `coordinator` for one, `coordinator-1` to
    /// `coordinator-N` for several.
    public static func coordinatorNames(count: Int) -> [String] {
        count > 1 ? (1...count).map { "\(coordinatorName)-\($0)" } : [coordinatorName]
    }
    public var coordinatorSecretKey: String { path("coordinator.key_secret") }
    public var adminPublicKey: String { path("admin.key") }
    public var adminSecretKey: String { path("admin.key_secret") }
    /// The directory of the agents' public keys.
    public var agentsDirectory: String { path("agents") }
    /// The directory of the agents' secret keys.
    public var secretsDirectory: String { path("secrets") }

    /// The secret key of `service`'s agent.
    public func agentSecretKey(_ service: String) -> String { path("secrets/\(service).key_secret") }

    /// The coordinator's `security:` settings for these keys: its own pair, the agents' directory,
    /// and the operator as the one admin.
    public var securitySettings: SecuritySettings { securitySettings(keyPair: Self.coordinatorName) }

    /// The `security:` settings of the coordinator whose pair is `keyPair` (`coordinator`, or one of
    /// ``coordinatorNames(count:)`` for a fleet of several coordinators): the same agents and admin.
    public func securitySettings(keyPair: String) -> SecuritySettings {
        var settings = SecuritySettings(serverKeyFile: path(keyPair + ".key_secret"))
        settings.agentsDirectory = agentsDirectory
        settings.adminKeyFiles = [adminPublicKey]
        return settings
    }

    /// ``securitySettings`` as the `security:` block of a configuration file.
    public var securityBlock: String {
        securityBlock(forCoordinator: 1, of: 1)
    }

    /// The `security:` block of coordinator `number` (from 1) of `count`: its own pair, and the same
    /// agents and admin as every other coordinator of the fleet.
    public func securityBlock(forCoordinator number: Int, of count: Int) -> String {
        """
        security:
          server_key: \(Self.quoted(coordinatorSecretKeys(count: count)[number - 1]))
          agents_dir: \(Self.quoted(agentsDirectory))
          admins: [\(Self.quoted(adminPublicKey))]
        """
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `text` as a YAML double-quoted scalar.
    private static func quoted(_ text: String) -> String {
        "\"" + text.flatMap { $0 == "\\" || $0 == "\"" ? ["\\", $0] : [$0] } + "\""
    }
}
