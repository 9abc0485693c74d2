import ArgumentParser
import QuiesceCore

/// The coordinator's endpoint of a command that connects to it: `--coordinator`, else
/// `QUIESCE_COORDINATOR`, checked by ``EndpointSyntax``.
public enum CoordinatorEndpoint {
    public static func resolve(_ flag: String?) throws -> String {
        guard let endpoint = EnvironmentDefault.value(flag, orVariable: EnvironmentDefault.coordinator) else {
            throw ValidationError(
                "give the coordinator's endpoint: --coordinator tcp://HOST:PORT, or set \(EnvironmentDefault.coordinator)"
            )
        }
        if let problem = EndpointSyntax.problem(in: endpoint) {
            let source = flag != nil ? "--coordinator" : EnvironmentDefault.coordinator
            throw ValidationError(EndpointSyntax.message(for: endpoint, problem: problem, option: source))
        }
        return endpoint
    }
}
