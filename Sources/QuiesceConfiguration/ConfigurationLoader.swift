import QuiesceCore
import Yams

/// Reads a YAML configuration into a validated ``Configuration``, reporting every problem at once.
///
/// ```yaml
/// coordinator:
///   bind: tcp://127.0.0.1:7700
///   shutdown_timeout: 60s
/// defaults:
///   stop_timeout: 10s
///   start_timeout: 30s
/// services:
///   database: { stop_timeout: 20s }
///   api: { depends_on: [database] }
/// ```
public enum ConfigurationLoader {
    static let topLevelKeys = ["coordinator", "defaults", "services", "security"]
    /// The blocks besides `services:`, which a compose file holds under its top-level `x-quiesce:`.
    static let fleetBlockKeys = ["coordinator", "defaults", "security"]
    static let securityKeys = ["server_key", "agents_dir", "agents", "admins", "readers"]
    static let coordinatorKeys = [
        "bind", "shutdown_timeout", "ack_grace", "heartbeat_interval", "agent_suspect_after", "agent_lost_after",
        "on_start_failure", "state_dir", "admin_bind", "metrics_bind", "scheduling", "ha",
    ]
    static let standbyKeys = ["etcd", "key", "lease_ttl", "advertise"]
    static let defaultsKeys = ["stop_timeout", "start_timeout"]
    /// A service's keys other than `depends_on`: what a compose service's `x-quiesce:` may set.
    static let serviceSettingKeys = [
        "stop_timeout", "start_timeout", "drain", "readiness", "restart", "restart_backoff", "restart_limit",
        "on_unreachable", "instances", "min_ready",
    ]
    static let serviceKeys = ["depends_on"] + serviceSettingKeys
    static let readinessKeys = [
        "tcp", "http", "exec", "interval", "timeout", "failure_threshold", "initial_delay", "initial_interval",
    ]

    /// Parses and validates `text`, naming `file` in every message.
    public static func load(yaml text: String, file: String) throws(ConfigurationError) -> Configuration {
        var reader = ConfigurationReader()
        guard let root = try ConfigurationReader.document(yaml: text, file: file),
            let top = reader.mapping(root, what: "the configuration")
        else {
            throw ConfigurationError(
                file: file, issues: reader.issues + [.init(line: 1, message: "the file is empty; declare services:")])
        }
        if let confusion = FileKindCheck.composeFileGivenAsQuiesce(top) {
            throw ConfigurationError(file: file, issues: [confusion])
        }
        reader.checkKeys(top, allowed: topLevelKeys, in: "the top level")
        let blocks = reader.fleetBlocks(top)

        var services: [ServiceSpec] = []
        if let node = top["services"], let mapping = reader.mapping(node, what: "services") {
            for (key, value) in mapping {
                guard let name = reader.serviceName(key) else { continue }
                services.append(reader.service(name: name, node: value, line: key.mark?.line, blocks: blocks))
            }
            if mapping.isEmpty {
                reader.issue(node, "services: is empty; declare at least one service")
            }
        } else if top["services"] == nil {
            reader.issues.append(.init(line: nil, message: "no services: block; declare the services to coordinate"))
        }
        return try reader.configuration(services: services, blocks: blocks, file: file)
    }
}
