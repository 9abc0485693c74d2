/// The `security:` block: CURVE encryption and authentication of every connection to the
/// coordinator. Key files are in czmq's format (`quiesce keygen`).
///
/// ```yaml
/// security:
///   server_key: /etc/quiesce/coordinator.key_secret   # the coordinator's own key pair
///   agents_dir: /etc/quiesce/agents                   # SERVICE.key: the one key that may be SERVICE's agent
///   agents: { api: /etc/quiesce/other/api.key }       # or per service, overriding agents_dir
///   admins: [/etc/quiesce/operators/alice.key]        # may stop, start, restart, shut down
///   readers: [/etc/quiesce/operators/grafana.key]     # may only ask for status
/// ```
public struct SecuritySettings: Sendable, Equatable {
    /// The coordinator's secret key file.
    public var serverKeyFile: String
    /// A directory of `SERVICE.key` files.
    public var agentsDirectory: String?
    /// Key files per service, overriding `agentsDirectory`.
    public var agentKeyFiles: [String: String] = [:]
    public var adminKeyFiles: [String] = []
    public var readerKeyFiles: [String] = []

    public init(serverKeyFile: String) {
        self.serverKeyFile = serverKeyFile
    }
}
