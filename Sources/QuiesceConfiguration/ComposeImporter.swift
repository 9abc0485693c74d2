import QuiesceCore
import Yams

/// Reads a docker compose file into a validated ``Configuration``, so that a fleet run by docker
/// compose declares its dependency graph once, in compose's `depends_on`. Like
/// ``ConfigurationLoader``, it reports every problem at once, each at its line with the fix.
///
/// ```yaml
/// x-quiesce:                      # coordinator:, security: and defaults:, as in a Quiesce file
///   coordinator: { bind: tcp://0.0.0.0:7700 }
/// services:
///   database:
///     image: postgres:17
///     healthcheck:                # the readiness probe: exec pg_isready -U postgres
///       test: ["CMD", "pg_isready", "-U", "postgres"]
///       interval: 2s
///     stop_grace_period: 30s      # stop_timeout
///   api:
///     depends_on:
///       database: { condition: service_healthy }
///       keys: { condition: service_completed_successfully }
///     x-quiesce: { drain: 5s }    # any other service setting; these win
///   keys:
///     x-quiesce: false            # not managed by Quiesce, left to docker compose
/// ```
///
/// Every compose service is a Quiesce service unless its `x-quiesce` is `false`; `depends_on`
/// entries naming such a service are docker compose's business and stay out of the graph. What
/// cannot be mapped is refused: `extends`, top-level `include`, variables (`${VAR}`),
/// `service_completed_successfully` or `required: false` on a managed service, `service_healthy`
/// on a service without a healthcheck.
public enum ComposeImporter {
    /// The extension key of compose files that holds Quiesce's settings.
    static let extensionKey = "x-quiesce"
    static let resolveFirst = "resolve it first with docker compose config > resolved.yaml and pass that file"

    /// Parses and maps the compose file `text`, naming `file` in every message.
    public static func load(yaml text: String, file: String) throws(ConfigurationError) -> Configuration {
        var reader = ConfigurationReader()
        guard let root = try ConfigurationReader.document(yaml: text, file: file)?.mergingKeys,
            let top = reader.mapping(root, what: "the compose file")
        else {
            throw ConfigurationError(
                file: file, issues: reader.issues + [.init(line: 1, message: "the file is empty; declare services:")])
        }
        if let include = key("include", in: top) {
            reader.issue(include, "include: pulls in services from other files; \(resolveFirst)")
        }
        FileKindCheck.quiesceSettingsInCompose(top, reader: &reader)
        var blocks = FleetBlocks()
        if let extensionNode = top[extensionKey].flatMap({ reader.composeLiteral($0) }),
            let mapping = reader.mapping(extensionNode, what: extensionKey)
        {
            reader.checkKeys(mapping, allowed: ConfigurationLoader.fleetBlockKeys, in: extensionKey)
            blocks = reader.fleetBlocks(mapping)
        }

        var composeServices: [ComposeService] = []
        if let node = top["services"], let mapping = reader.mapping(node, what: "services") {
            composeServices = mapping.compactMap { reader.composeService(key: $0.key, node: $0.value) }
            if mapping.isEmpty {
                reader.issue(node, "services: is empty; declare at least one service")
            } else if !composeServices.contains(where: \.isManaged) && composeServices.count == mapping.count {
                reader.issue(
                    key("services", in: top),
                    "every service has x-quiesce: false, which leaves Quiesce nothing to manage; remove it from the long-running services"
                )
            }
        } else if top["services"] == nil {
            reader.issues.append(.init(line: nil, message: "no services: block; declare the services to coordinate"))
        }

        let services = reader.serviceSpecs(composeServices, blocks: blocks)
        return try reader.configuration(services: services, blocks: blocks, file: file)
    }

    /// The key node named `name` in `mapping`, for problems best reported at the key.
    static func key(_ name: String, in mapping: Node.Mapping) -> Node? {
        Array(mapping.keys).last { $0.string == name }
    }
}
