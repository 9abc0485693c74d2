import QuiesceCore

/// The lines the coordinator prints as startup and shutdown happen.
enum ProgressFormatter {
    /// The line for a progress event, or `nil` for events that are only logged.
    static func line(for progress: CoordinatorProgress) -> String? {
        switch progress {
        case .agentConnected(let service, let host):
            "agent connected: \(service) (\(host))"
        case .agentLost(let service):
            "agent lost: \(service)"
        case .agentSuspect(let service):
            "agent suspect (silent): \(service)"
        case .agentResponsive(let service):
            "agent responsive again: \(service)"
        case .serviceFailed(let service, let reason):
            "\(service) failed: \(reason)"
        case .serviceUnready(let service, let reason):
            "\(service) unready: \(reason)"
        case .serviceReadyAgain(let service):
            "\(service) ready again"
        case .serviceRestarting(let service, let status, let attempt, let delay):
            "\(service) ended (\(status)); restart \(attempt) in \(delay.configurationText)"
        case .serviceExited(let service, let status):
            "\(service) exited on its own (\(status))"
        case .startup(.waveStarted(let number, let total, let services)):
            "startup wave \(number)/\(total): starting \(services.joined(separator: ", "))"
        case .startup(.serviceReady(let service, let after)):
            "\(service) ready (\(after.secondsText))"
        case .startup(.serviceAdopted(let service, let ready)):
            "\(service) already running\(ready ? " and ready" : ""): adopted"
        case .startupComplete(let after):
            "startup complete in \(after.secondsText)"
        case .startupFailed(let failure):
            "startup failed: \(failure)"
        case .shutdownBegan:
            "shutdown begins"
        case .shutdownResumed(let stopped):
            "resuming the shutdown a previous coordinator began"
                + (stopped.isEmpty ? "" : " (already stopped: \(stopped.joined(separator: ", ")))")
        case .operationBegan(let operation):
            "\(operation.kind.rawValue) \(operation.service)"
                + (operation.requestedByAgent ? " (asked by its agent)" : "") + ": begins"
        case .operationStopped(let operation, let report):
            "\(operation.kind.rawValue) \(operation.service): stopped \(report.entries.map(\.service).joined(separator: ", ")); starting them again"
        case .shutdown(.waveStarted(let number, let total, let services)):
            "wave \(number)/\(total): stopping \(services.joined(separator: ", "))"
        case .shutdown(.serviceFinished(let service, let outcome, let after)):
            "\(service) \(outcome)" + (after.map { " (\($0.secondsText))" } ?? "")
        case .shutdown(.serviceUnreachable(let service)):
            "\(service) unreachable: waiting for it until the deadline"
        case .shutdown(.killingRemaining(let services, let reason)):
            services.isEmpty
                ? "\(reason) reached: nothing left to kill"
                : "\(reason) reached: killing \(services.joined(separator: ", ")) now"
        }
    }
}
