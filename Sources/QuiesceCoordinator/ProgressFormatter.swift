import QuiesceCore

/// The lines the coordinator prints as startup and shutdown happen.
enum ProgressFormatter {
    /// The line for a progress event, or `nil` for events that are only logged.
    static func line(for progress: CoordinatorProgress) -> String? {
        switch progress {
        case .agentConnected(let id, let host):
            "agent connected: \(id.service) (\(host))" + instance(id)
        case .agentLost(let id):
            "agent lost: \(id.service)" + instance(id)
        case .agentSuspect(let id):
            "agent suspect (silent): \(id.service)" + instance(id)
        case .agentResponsive(let id):
            "agent responsive again: \(id.service)" + instance(id)
        case .serviceFailed(let id, let reason):
            "\(id.service) failed: \(reason)" + instance(id)
        case .serviceUnready(let id, let reason):
            "\(id.service) unready: \(reason)" + instance(id)
        case .serviceReadyAgain(let id):
            "\(id.service) ready again" + instance(id)
        case .serviceRestarting(let id, let status, let attempt, let delay):
            "\(id.service) ended (\(status)); restart \(attempt) in \(delay.configurationText)" + instance(id)
        case .serviceExited(let id, let status):
            "\(id.service) exited on its own (\(status))" + instance(id)
        case .startedWithFewer(let service, let ready, let expected, let missing, let unregistered):
            "\(service) ready with \(ready) of \(expected) instances at its start timeout; not ready: "
                + (missing + (unregistered > 0 ? ["\(unregistered) never registered"] : [])).joined(separator: ", ")
        case .instanceFinished(let id, let outcome, let after):
            "\(id) \(outcome)" + (after.map { " (\($0.configurationText))" } ?? "")
        case .startup(.waveStarted(let number, let total, let services)):
            "startup wave \(number)/\(total): starting \(services.joined(separator: ", "))"
        case .startup(.servicesStarting(let services)):
            "starting \(services.joined(separator: ", ")) (dependencies ready)"
        case .startup(.serviceReady(let service, let after)):
            "\(service) ready (\(after.configurationText))"
        case .startup(.serviceAdopted(let service, let ready)):
            "\(service) already running\(ready ? " and ready" : ""): adopted"
        case .startupComplete(let after, let waiting):
            "startup complete in \(after.configurationText) (\(waiting.configurationText) waiting for agents, "
                + "\((after - waiting).configurationText) starting)"
        case .startupFailed(let failure):
            "startup failed: \(failure)"
        case .shutdownBegan:
            "shutdown begins"
        case .shutdownResumed(let stopped):
            "resuming the shutdown a previous coordinator began"
                + (stopped.isEmpty ? "" : " (already stopped: \(stopped.joined(separator: ", ")))")
        case .operationBegan(let operation):
            operation.commandText
                + (operation.requestedByAgent ? " (asked by its agent)" : "") + ": begins"
                + (operation.instanceID.map(instance) ?? "")
        case .operationStopped(let operation, let report):
            "\(operation.kind.rawValue) \(operation.service): stopped \(report.entries.map(\.service).joined(separator: ", ")); starting them again"
        case .rolling(let step):
            rollingLine(step)
        case .shutdown(.waveStarted(let number, let total, let services)):
            "wave \(number)/\(total): stopping \(services.joined(separator: ", "))"
        case .shutdown(.servicesStopping(let services)):
            "stopping \(services.joined(separator: ", ")) (dependents stopped)"
        case .shutdown(.serviceFinished(let service, let outcome, let after)):
            "\(service) \(outcome)" + (after.map { " (\($0.configurationText))" } ?? "")
        case .shutdown(.serviceUnreachable(let service)):
            "\(service) unreachable: waiting for it until the deadline"
        case .shutdown(.killingRemaining(let services, let reason)):
            services.isEmpty
                ? "\(reason) reached: nothing left to kill"
                : "\(reason) reached: killing \(services.joined(separator: ", ")) now"
        }
    }

    /// The line of a rolling restart's step, naming the instance as `db/b`.
    private static func rollingLine(_ step: RollingRestartProgress) -> String {
        switch step {
        case .stopping(let id, let ready):
            "\(id): stopping for the rolling restart (\(ready) ready meanwhile)"
        case .starting(let id, let stopped):
            "\(id): \(stopped); starting it again"
        case .readyAgain(let id, let after):
            "\(id): ready again (\(after.configurationText) after its stop order)"
        case .failed(let id, let reason):
            "\(id): did not come back: \(reason); no further instance is taken down"
        case .skipped(let id, let reason):
            "\(id): left alone: \(reason)"
        case .halted(let reason):
            "rolling restart stops: \(reason)"
        }
    }

    /// `, instance web-2`: which instance of the service a line is about, after the line, so that
    /// the line reads as it does for a service of one instance.
    private static func instance(_ id: InstanceID) -> String {
        ", instance \(id.instance)"
    }
}
