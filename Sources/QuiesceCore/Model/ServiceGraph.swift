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
        self.init(valid: services)
    }

    /// Builds the graph of services already known to be valid.
    private init(valid services: [ServiceSpec]) {
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

    /// `name` and everything that depends on it, directly or not: what must stop for `name` to stop.
    public func withDependents(of name: String) -> Set<String> {
        closure(from: name, following: dependents(of:))
    }

    /// `name` and everything it depends on, directly or not: what must run for `name` to run.
    public func withDependencies(of name: String) -> Set<String> {
        closure(from: name, following: dependencies(of:))
    }

    /// The graph of `names` alone: dependencies on services outside it are dropped (they are assumed
    /// to stay as they are).
    public func restricted(to names: Set<String>) -> ServiceGraph {
        let kept = services.filter { names.contains($0.name) }.map { service in
            var service = service
            service.dependencies = service.dependencies.filter(names.contains)
            return service
        }
        // A subset of a valid graph's services, with dependencies inside the subset, is valid.
        return ServiceGraph(valid: kept)
    }

    private func closure(from name: String, following next: (String) -> [String]) -> Set<String> {
        var found: Set<String> = [name]
        var pending = [name]
        while let current = pending.popLast() {
            for other in next(current) where found.insert(other).inserted {
                pending.append(other)
            }
        }
        return found
    }

    public static func == (lhs: ServiceGraph, rhs: ServiceGraph) -> Bool {
        lhs.services == rhs.services
    }
}
