import QuiesceCore
import Yams

/// One entry of a compose service's `depends_on`.
struct ComposeDependency {
    /// What docker compose waits for before it starts the dependent.
    enum Condition: String, CaseIterable {
        case started = "service_started"
        case healthy = "service_healthy"
        case completedSuccessfully = "service_completed_successfully"
    }

    var name: String
    var condition = Condition.started
    /// The `condition:` node of the long form, for messages.
    var conditionNode: Node?
    /// The `required: false` node of the long form, when the entry has one: docker compose then
    /// goes on without the dependency.
    var optionalNode: Node?
}

extension ConfigurationReader {
    static let composeDependencyKeys = ["condition", "restart", "required"]

    /// `depends_on` in its short form (a list of names) or its long form (a mapping of names to
    /// `condition`, `restart` and `required`).
    mutating func composeDependencies(_ node: Node, service: String) -> [ComposeDependency] {
        guard let mapping = node.mapping else {
            return dependencyList(node, service: service).map { ComposeDependency(name: $0) }
        }
        var dependencies: [ComposeDependency] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                issue(key, "depends_on of \"\(service)\" must map service names to conditions")
                continue
            }
            let place = "depends_on \"\(name)\" of \"\(service)\""
            var dependency = ComposeDependency(name: name)
            guard let settings = self.mapping(value, what: place) else { continue }
            checkKeys(settings, allowed: Self.composeDependencyKeys, in: place)
            if let condition = settings["condition"] {
                dependency.conditionNode = condition
                if let text = condition.string, let value = ComposeDependency.Condition(rawValue: text) {
                    dependency.condition = value
                } else {
                    let known = ComposeDependency.Condition.allCases.map(\.rawValue)
                    issue(
                        condition,
                        "condition of \(place) must be \(known.dropLast().joined(separator: ", ")) or \(known.last!)")
                }
            }
            if let required = settings["required"] {
                switch required.bool {
                case true?: break
                case false?: dependency.optionalNode = required
                case nil: issue(required, "required of \(place) must be true or false")
                }
            }
            dependencies.append(dependency)
        }
        return dependencies
    }
}

/// The other services, as a service's `depends_on` entries are checked against them.
struct ComposeDependencyTargets {
    /// Services with `x-quiesce: false`, left to docker compose.
    var unmanaged: Set<String>
    /// The readiness probe of each managed service, `nil` for none.
    var readiness: [String: ReadinessProbe?]
    /// Managed services whose own settings have problems (reported): they are not also reported as
    /// lacking a healthcheck.
    var servicesWithProblems: Set<String>
}

extension ConfigurationReader {
    /// The dependencies `entries` of `service` give its graph: the managed services it names (and
    /// names that are no service at all, for the graph's validation to report with a did-you-mean).
    /// What Quiesce cannot honour is reported.
    mutating func graphDependencies(
        of service: String, _ entries: [ComposeDependency], targets: ComposeDependencyTargets
    ) -> [String] {
        var dependencies: [String] = []
        for dependency in entries where !targets.unmanaged.contains(dependency.name) {
            let name = dependency.name
            guard let readiness = targets.readiness[name] else {
                dependencies.append(name)
                continue
            }
            let entry = "service \"\(service)\" depends on \"\(name)\""
            if let optional = dependency.optionalNode {
                issue(
                    optional,
                    "\(entry) with required: false, but Quiesce has no optional dependencies; remove required: false, "
                        + "or mark \"\(name)\" x-quiesce: false to leave it to docker compose")
                continue
            }
            switch dependency.condition {
            case .started:
                break
            case .healthy where readiness == nil && !targets.servicesWithProblems.contains(name):
                issue(
                    dependency.conditionNode,
                    "\(entry) being healthy but \"\(name)\" has no healthcheck; add a healthcheck or x-quiesce.readiness to \"\(name)\""
                )
            case .healthy:
                break
            case .completedSuccessfully:
                issue(
                    dependency.conditionNode,
                    "\(entry) completing successfully, but Quiesce manages long-running services; "
                        + "mark the one-shot service \"\(name)\" x-quiesce: false to leave it to docker compose")
                continue
            }
            dependencies.append(name)
        }
        return dependencies
    }
}
