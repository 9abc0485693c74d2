#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Options that fall back to an environment variable when not given on the command line: the flag
/// wins over the variable, the variable over the built-in default. An empty variable counts as unset.
public enum EnvironmentDefault {
    /// `QUIESCE_COORDINATOR`: `--coordinator` of `agent`, `status`, `shutdown`, `stop`, `start`, `restart`.
    public static let coordinator = "QUIESCE_COORDINATOR"
    /// `QUIESCE_KEYS`: `--keys` of every command that connects, unless it is given `--key`,
    /// `--server-key` or `--insecure`.
    public static let keys = "QUIESCE_KEYS"
    /// `QUIESCE_CONFIG`: `--config` of `plan`, `validate` and `coordinator`, unless it is given `--compose`.
    public static let config = "QUIESCE_CONFIG"
    /// `QUIESCE_LOG_LEVEL`: `--log-level` of `coordinator` and `agent`.
    public static let logLevel = "QUIESCE_LOG_LEVEL"

    /// `flag` when given, else the variable `name` when set and not empty.
    public static func value(_ flag: String?, orVariable name: String) -> String? {
        if let flag { return flag }
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
