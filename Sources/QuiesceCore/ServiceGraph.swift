/// A validated, acyclic dependency graph of services.
///
/// Build it with ``init(validating:)``, which refuses unknown dependencies, self-dependencies,
/// duplicate names and cycles, so that every other part of the core can rely on a DAG.
public struct ServiceGraph: Sendable, Equatable {
    /// The services in declaration order.
    public let services: [ServiceSpec]
    private let index: [String: Int]
    private let dependentsByName: [String: [String]]

    /// Validates `services` and builds the graph.
    /// - Throws: ``GraphValidationError`` listing every problem found.
    public init(validating services: [ServiceSpec]) throws(GraphValidationError) {
        let problems = GraphValidator.problems(in: services)
        guard problems.isEmpty else { throw GraphValidationError(problems: problems) }
        self.services = services
        var index: [String: Int] = [:]
        var dependents: [String: [String]] = [:]
        for (position, service) in services.enumerated() {
            index[service.name] = position
            for dependency in service.dependencies {
                dependents[dependency, default: []].append(service.name)
            }
        }
        self.index = index
        self.dependentsByName = dependents.mapValues { $0.sorted() }
    }

    /// All service names, in declaration order.
    public var names: [String] { services.map(\.name) }

    /// Whether the graph declares `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The declaration of `name`. The name must be in the graph.
    public subscript(name: String) -> ServiceSpec {
        guard let position = index[name] else {
            preconditionFailure("service \"\(name)\" is not in the graph")
        }
        return services[position]
    }

    /// What `name` depends on.
    public func dependencies(of name: String) -> [String] { self[name].dependencies }

    /// What depends on `name`, sorted by name.
    public func dependents(of name: String) -> [String] { dependentsByName[name] ?? [] }

    public static func == (lhs: ServiceGraph, rhs: ServiceGraph) -> Bool {
        lhs.services == rhs.services
    }
}
