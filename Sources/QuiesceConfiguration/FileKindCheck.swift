import QuiesceCore
import Yams

/// Tells a docker compose file from a Quiesce file, so that one given for the other is named as such
/// with the flag to use, rather than read with its settings lost (a Quiesce file's `stop_timeout`
/// means nothing to compose) or refused key by key.
enum FileKindCheck {
    /// Top-level keys only a compose file has.
    static let composeTopLevelKeys = ["version", "name", "networks", "volumes", "configs", "secrets", "include"]
    /// Service keys only a compose service has, of those that nearly every one holds.
    static let composeServiceKeys = ["image", "build", "command", "entrypoint", "environment", "ports", "healthcheck"]

    /// The issue for a compose file given as a Quiesce file, or `nil` when `top` does not look like one.
    static func composeFileGivenAsQuiesce(_ top: Node.Mapping) -> ConfigurationIssue? {
        let topKey = top.keys.first { key in
            key.string.map { composeTopLevelKeys.contains($0) || $0.hasPrefix("x-") } ?? false
        }
        let serviceKey = top["services"]?.mapping?.values.lazy.compactMap { service in
            service.mapping?.keys.first { $0.string.map(composeServiceKeys.contains) ?? false }
        }.first
        guard let evidence = topKey ?? serviceKey else { return nil }
        return ConfigurationIssue(
            line: evidence.mark?.line,
            message:
                "this is a docker compose file (it has \(evidence.string ?? "compose keys")), not a Quiesce file; give it with --compose FILE instead of --config"
        )
    }

    /// The issues for Quiesce settings in a compose file: a Quiesce block at the top level, or a
    /// Quiesce service setting outside `x-quiesce:`, which compose would ignore and Quiesce would lose.
    static func quiesceSettingsInCompose(_ top: Node.Mapping, reader: inout ConfigurationReader) {
        for key in top.keys where key.string.map(ConfigurationLoader.fleetBlockKeys.contains) ?? false {
            reader.issue(
                key,
                "\(key.string!): is a Quiesce block: in a compose file it goes under x-quiesce:; if this is a Quiesce file, give it with --config FILE instead of --compose"
            )
        }
        let quiesceOnly = ConfigurationLoader.serviceSettingKeys.filter { $0 != "restart" }
        guard let services = top["services"]?.mapping else { return }
        for (name, service) in services {
            guard let keys = service.mapping?.keys else { continue }
            for key in keys where key.string.map(quiesceOnly.contains) ?? false {
                reader.issue(
                    key,
                    "service \"\(name.string ?? "?")\": \(key.string!) is a Quiesce setting, which compose ignores; put it under the service's x-quiesce: (stop_timeout: write compose's stop_grace_period), or give a Quiesce file with --config FILE"
                )
            }
        }
    }
}
