/// What a valid configuration holds that the coordinator accepts but that will not work as meant:
/// a shutdown deadline shorter than the shutdown's worst case (in the configuration's scheduling), and
/// `0s` timeouts. `quiesce validate`
/// prints them as warnings.
public enum ConfigurationReview {
    /// The warnings for `configuration`, the file's own (compose keys that undo the order) first.
    public static func warnings(for configuration: Configuration) -> [ConfigurationIssue] {
        let graph = configuration.graph
        let plan = Plan(graph: graph)
        var warnings = configuration.warnings
        if let ha = configuration.coordinator.ha,
            let warning = StandbySettings.missingAdvertiseWarning(
                advertise: ha.advertise, bind: configuration.coordinator.bind)
        {
            warnings.append(ConfigurationIssue(line: nil, message: warning))
        }
        let deadline = configuration.coordinator.shutdownTimeout
        let scheduling = configuration.coordinator.scheduling
        let worstCase = plan.shutdownWorstCase(scheduling)
        if worstCase > deadline {
            let path = plan.shutdownCriticalPath(scheduling).map { "\($0) (\(graph[$0].stopBudget.configurationText))" }
            warnings.append(
                ConfigurationIssue(
                    line: nil,
                    message:
                        "coordinator.shutdown_timeout \(deadline.configurationText) is shorter than the shutdown's worst case, "
                        + "\(worstCase.configurationText) (\(path.joined(separator: " -> "))): what is still "
                        + "stopping at the deadline is killed; raise it to at least \(worstCase.configurationText)"
                ))
        }
        for name in graph.names {
            let service = graph[name]
            if service.stopTimeout == .zero {
                warnings.append(
                    ConfigurationIssue(
                        line: service.line,
                        message:
                            "service \"\(name)\": stop_timeout 0s kills it the moment it is asked to stop; give it the time it needs to stop, like 10s"
                    ))
            }
            if service.startTimeout == .zero {
                warnings.append(
                    ConfigurationIssue(
                        line: service.line,
                        message:
                            "service \"\(name)\": start_timeout 0s fails its start before it can be ready; give it the time it needs to start, like 30s"
                    ))
            }
        }
        return warnings
    }
}
