/// A problem that makes a set of services unusable as a dependency graph.
public enum GraphProblem: Hashable, Sendable, CustomStringConvertible {
    case duplicateName(String, line: Int?)
    case unknownDependency(service: String, dependency: String, suggestion: String?, line: Int?)
    case selfDependency(service: String, line: Int?)
    /// A cycle, as a path that starts and ends at the same service: `["api", "worker", "api"]`.
    case cycle([String], line: Int?)

    /// The configuration line the problem is best reported at.
    public var line: Int? {
        switch self {
        case .duplicateName(_, let line), .unknownDependency(_, _, _, let line),
            .selfDependency(_, let line), .cycle(_, let line):
            line
        }
    }

    public var description: String {
        switch self {
        case .duplicateName(let name, _):
            "service \"\(name)\" is declared more than once; give each service a unique name"
        case .unknownDependency(let service, let dependency, let suggestion, _):
            "service \"\(service)\" depends on unknown service \"\(dependency)\""
                + (suggestion.map(NameSuggestion.phrase(suggesting:)) ?? "; declare it under services: or remove it")
        case .selfDependency(let service, _):
            "service \"\(service)\" depends on itself; remove \"\(service)\" from its depends_on"
        case .cycle(let path, _):
            "dependency cycle: \(path.joined(separator: " -> ")); remove one of these dependencies"
        }
    }
}

/// Every problem found in a set of services.
public struct GraphValidationError: Error, Equatable, Sendable {
    public var problems: [GraphProblem]
}

/// Finds duplicate names, unknown and self dependencies, and cycles, without recursion, so that a
/// deep or cyclic graph can never exhaust the stack.
enum GraphValidator {
    static func problems(in services: [ServiceSpec]) -> [GraphProblem] {
        var problems: [GraphProblem] = []
        var seen: Set<String> = []
        for service in services where !seen.insert(service.name).inserted {
            problems.append(.duplicateName(service.name, line: service.line))
        }
        let names = services.map(\.name)
        let known = Set(names)
        var edges: [String: [String]] = [:]
        for service in services {
            for dependency in service.dependencies {
                if dependency == service.name {
                    problems.append(.selfDependency(service: service.name, line: service.line))
                } else if !known.contains(dependency) {
                    problems.append(
                        .unknownDependency(
                            service: service.name, dependency: dependency,
                            suggestion: NameSuggestion.closest(to: dependency, in: names), line: service.line))
                } else {
                    edges[service.name, default: []].append(dependency)
                }
            }
        }
        let lines = Dictionary(services.map { ($0.name, $0.line) }, uniquingKeysWith: { first, _ in first })
        for cycle in cycles(in: names, edges: edges) {
            problems.append(.cycle(cycle, line: lines[cycle[0]] ?? nil))
        }
        return problems
    }

    /// One cycle path per strongly connected group, found by an iterative depth-first search.
    static func cycles(in names: [String], edges: [String: [String]]) -> [[String]] {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var cycles: [[String]] = []
        var reported: Set<Set<String>> = []
        for root in names where marks[root] == nil {
            // Each frame: a node and the index of the next edge to follow.
            var stack: [(node: String, next: Int)] = [(root, 0)]
            marks[root] = .visiting
            while let top = stack.last {
                let targets = edges[top.node] ?? []
                if top.next == targets.count {
                    marks[top.node] = .done
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let target = targets[top.next]
                switch marks[target] {
                case nil:
                    marks[target] = .visiting
                    stack.append((target, 0))
                case .visiting:
                    let start = stack.firstIndex { $0.node == target }!
                    let path = stack[start...].map(\.node) + [target]
                    if reported.insert(Set(path)).inserted { cycles.append(path) }
                case .done:
                    break
                }
            }
        }
        return cycles
    }
}
