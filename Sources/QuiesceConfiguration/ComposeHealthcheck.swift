import QuiesceCore
import Yams

/// A compose service's `healthcheck:` as the readiness probe of its agent.
extension ConfigurationReader {
    static let composeHealthcheckKeys = [
        "test", "interval", "timeout", "retries", "start_period", "start_interval", "disable",
    ]

    /// What a healthcheck's `test` asks for.
    enum HealthcheckTest {
        /// `["NONE"]`: no check.
        case none
        /// A shell command line, for an exec probe.
        case command(String)
    }

    /// The exec probe `healthcheck` (declared at `key`) maps to: `test` is the command, `interval`,
    /// `timeout`, `retries` and `start_period` its interval, timeout, failure threshold and initial
    /// delay. `nil` when the healthcheck is disabled, or has problems, which are reported.
    mutating func composeReadiness(healthcheck node: Node, key: Node, service: String) -> ReadinessProbe? {
        let place = "healthcheck of \"\(service)\""
        guard let mapping = mapping(node, what: place) else { return nil }
        checkKeys(mapping, allowed: Self.composeHealthcheckKeys, in: place)
        if let disable = mapping["disable"] {
            guard let disabled = disable.bool else {
                issue(disable, "disable in \(place) must be true or false")
                return nil
            }
            if disabled { return nil }
        }
        guard let testNode = mapping["test"] else {
            issue(
                key,
                "\(place) has no test, and Quiesce cannot see the image's HEALTHCHECK; add test: or x-quiesce.readiness"
            )
            return nil
        }
        guard case .command(let command) = healthcheckTest(testNode, place: place) else { return nil }
        let check: ReadinessProbe.Check
        do {
            check = try ReadinessProbe.Check(exec: command)
        } catch {
            issue(testNode, "the test of \(place) is an empty command")
            return nil
        }
        let keys = ProbeSettingKeys(
            initialDelay: "start_period", failureThreshold: "retries", format: .compose,
            thresholdProblem: "retries in \(place) must be a whole number of at least 1",
            initialDelayProblem: "start_period in \(place) must not be negative")
        return probeSettings(of: check, in: mapping, keys: keys)
    }

    /// `test: "cmd"`, `["CMD-SHELL", "cmd"]`, `["CMD", "arg", ...]` or `["NONE"]`; `nil` when it is
    /// none of them (reported).
    mutating func healthcheckTest(_ node: Node, place: String) -> HealthcheckTest? {
        if let scalar = node.scalar {
            return .command(scalar.string)
        }
        guard let sequence = node.sequence, sequence.allSatisfy({ $0.scalar != nil }), let kind = sequence.first?.string
        else {
            issue(
                node,
                "the test of \(place) must be a command, or a list like [\"CMD\", \"pg_isready\", \"-U\", \"postgres\"]"
            )
            return nil
        }
        let arguments = sequence.dropFirst().compactMap(\.string)
        switch kind {
        case "NONE":
            return HealthcheckTest.none
        case "CMD" where !arguments.isEmpty:
            return .command(ShellQuoting.commandLine(arguments))
        case "CMD-SHELL" where arguments.count == 1:
            return .command(arguments[0])
        case "CMD":
            issue(node, "the test of \(place) needs a command after \"CMD\"")
        case "CMD-SHELL":
            issue(
                node,
                "the test of \(place) takes one shell command after \"CMD-SHELL\", like [\"CMD-SHELL\", \"pg_isready -U postgres\"]"
            )
        default:
            issue(node, "the test of \(place) must begin with \"CMD\", \"CMD-SHELL\" or \"NONE\"")
        }
        return nil
    }
}
