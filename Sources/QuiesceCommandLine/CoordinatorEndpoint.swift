import ArgumentParser
import QuiesceCore

/// The coordinators' endpoints of a command that connects to them: `--coordinator`, else
/// `QUIESCE_COORDINATOR`, one endpoint or several separated by commas (the coordinators of a fleet
/// with standbys), checked by ``EndpointList``.
public enum CoordinatorEndpoint {
    /// The one endpoint, for a command that connects to a single coordinator.
    public static func resolve(_ flag: String?) throws -> String {
        let endpoints = try resolveAll(flag)
        guard endpoints.count == 1 else {
            let source = flag != nil ? "--coordinator" : EnvironmentDefault.coordinator
            throw ValidationError("\(source): give one endpoint, not \(endpoints.count)")
        }
        return endpoints[0]
    }

    /// Every endpoint given, in order: at least one, none twice.
    public static func resolveAll(_ flag: String?) throws -> [String] {
        guard let text = EnvironmentDefault.value(flag, orVariable: EnvironmentDefault.coordinator) else {
            throw ValidationError(
                "give the coordinator's endpoint: --coordinator tcp://HOST:PORT, or set \(EnvironmentDefault.coordinator)"
            )
        }
        switch EndpointList.parse(text) {
        case .success(let endpoints):
            return endpoints
        case .failure(let problem):
            let source = flag != nil ? "--coordinator" : EnvironmentDefault.coordinator
            throw ValidationError("\(source): \(problem)")
        }
    }
}
