import Yams

/// Compose keys besides `depends_on` that order services, and compose keys that would undo
/// Quiesce's order: the first are mapped to dependencies, as docker compose starts a service after
/// those it names in them; the others are warned about.
extension ConfigurationReader {
    /// The services a compose service names in `links` (`db` or `db:alias`), `volumes_from` (`db`,
    /// `db:ro`; not `container:NAME`) and `network_mode: service:db`: docker compose starts it after
    /// them, so it stops before them.
    static func impliedDependencies(of service: Node.Mapping) -> [String] {
        var names: [String] = []
        for key in ["links", "volumes_from"] {
            for entry in service[Node(key)]?.sequence ?? [] {
                guard let text = entry.string, !text.hasPrefix("container:") else { continue }
                names.append(String(text.split(separator: ":", maxSplits: 1).first ?? ""))
            }
        }
        if let mode = service["network_mode"]?.string, mode.hasPrefix("service:") {
            names.append(String(mode.dropFirst("service:".count)))
        }
        return names.filter { !$0.isEmpty }
    }

    /// Warns about the keys of the managed compose service `service` that work against Quiesce:
    /// `restart: always` and `unless-stopped` make docker start the container again after Quiesce
    /// stopped it; `stop_signal` goes to the container's entrypoint, the agent, not to the service.
    mutating func warnAboutComposeKeys(of service: ComposeService) {
        if let restart = ComposeImporter.key("restart", in: service.mapping),
            let policy = service.mapping["restart"]?.string, ["always", "unless-stopped"].contains(policy)
        {
            warn(
                restart,
                "service \"\(service.name)\": restart: \(policy) makes docker start the container again after Quiesce stopped it, out of order; use restart: on-failure or no, and Quiesce's restart: under x-quiesce: to restart the service"
            )
        }
        if let signalKey = ComposeImporter.key("stop_signal", in: service.mapping) {
            let signal = service.mapping["stop_signal"]?.string ?? "SIGNAL"
            warn(
                signalKey,
                "service \"\(service.name)\": stop_signal is sent to the agent, the container's entrypoint, not to the service; give the agent --stop-signal \(signal) to stop the service with it"
            )
        }
    }
}
