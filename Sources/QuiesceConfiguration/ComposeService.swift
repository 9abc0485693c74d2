import QuiesceCore
import Yams

/// A compose service as the importer sees it.
struct ComposeService {
    var name: String
    var key: Node
    /// Its compose keys.
    var mapping: Node.Mapping
    /// Its `x-quiesce:` mapping, `nil` for `x-quiesce: false`.
    var settings: Node.Mapping?

    var isManaged: Bool { settings != nil }
}

extension ConfigurationReader {
    /// The compose service declared by `key`, or `nil` when its name or its value cannot be read
    /// (reported).
    mutating func composeService(key: Node, node: Node) -> ComposeService? {
        guard let name = serviceName(key), let mapping = mapping(node, what: "service \"\(name)\"") else { return nil }
        if let extends = ComposeImporter.key("extends", in: mapping) {
            issue(
                extends, "service \"\(name)\" uses extends, which changes its settings; \(ComposeImporter.resolveFirst)"
            )
        }
        var service = ComposeService(name: name, key: key, mapping: mapping, settings: Node.Mapping([]))
        guard let extensionNode = mapping[ComposeImporter.extensionKey] else { return service }
        switch extensionNode.bool {
        case false?:
            service.settings = nil
        case true?:
            break
        case nil:
            guard let literal = composeLiteral(extensionNode) else { break }
            if literal.mapping == nil && !["", "~"].contains(literal.scalar?.string) {
                issue(
                    extensionNode,
                    "x-quiesce of \"\(name)\" must be false (not managed by Quiesce) or a mapping of Quiesce service settings"
                )
            } else {
                service.settings = self.mapping(literal, what: "x-quiesce of \"\(name)\"")
            }
        }
        return service
    }

    /// The Quiesce services among `services`: the managed ones, each with its settings and its
    /// dependencies on other managed services.
    mutating func serviceSpecs(_ services: [ComposeService], blocks: FleetBlocks) -> [ServiceSpec] {
        var specs: [ServiceSpec] = []
        var dependencies: [String: [ComposeDependency]] = [:]
        var unmanagedDependencies: [String: [String]] = [:]
        var servicesWithProblems: Set<String> = []
        for service in services {
            guard let settings = service.settings else {
                let dependsOn = service.mapping["depends_on"].flatMap { composeLiteral($0) }
                unmanagedDependencies[service.name] =
                    dependsOn.map { composeDependencies($0, service: service.name).map(\.name) } ?? []
                continue
            }
            let issuesBefore = issues.count
            specs.append(serviceSpec(service, settings: settings, blocks: blocks))
            if issuesBefore != issues.count { servicesWithProblems.insert(service.name) }
            if let dependsOn = service.mapping["depends_on"].flatMap({ composeLiteral($0) }) {
                dependencies[service.name] = composeDependencies(dependsOn, service: service.name)
            }
            let named = Set(dependencies[service.name, default: []].map(\.name))
            dependencies[service.name, default: []] += Self.impliedDependencies(of: service.mapping)
                .filter { !named.contains($0) }.map { ComposeDependency(name: $0) }
            warnAboutComposeKeys(of: service)
        }
        let targets = ComposeDependencyTargets(
            unmanaged: Set(services.filter { !$0.isManaged }.map(\.name)),
            readiness: Dictionary(specs.map { ($0.name, $0.readiness) }, uniquingKeysWith: { first, _ in first }),
            servicesWithProblems: servicesWithProblems)
        for index in specs.indices {
            let entries = dependencies[specs[index].name] ?? []
            var graph = graphDependencies(of: specs[index].name, entries, targets: targets)
            let implied = Self.managedDependencies(through: entries.map(\.name), unmanaged: unmanagedDependencies)
            graph += implied.filter { !graph.contains($0) }
            specs[index].dependencies = graph
        }
        return specs
    }

    /// The managed services reached from `names` through unmanaged ones. A service that depends on a
    /// one-shot `migrate` (unmanaged) that depends on `database` still needs `database`: it must stop
    /// before it, as docker compose starts it after.
    /// - Parameter unmanaged: each unmanaged service's `depends_on` names.
    static func managedDependencies(through names: [String], unmanaged: [String: [String]]) -> [String] {
        var reached: [String] = []
        var visited: Set<String> = []
        var pending = names.filter { unmanaged[$0] != nil }
        while let next = pending.popLast() {
            guard visited.insert(next).inserted else { continue }
            for name in unmanaged[next] ?? [] {
                if unmanaged[name] != nil {
                    pending.append(name)
                } else if !reached.contains(name) {
                    reached.append(name)
                }
            }
        }
        return reached
    }

    /// One managed service's settings: `stop_grace_period`, `healthcheck`, then its `x-quiesce:`
    /// settings, which win.
    mutating func serviceSpec(_ service: ComposeService, settings: Node.Mapping, blocks: FleetBlocks) -> ServiceSpec {
        let name = service.name
        var spec = ServiceSpec(
            name: name, stopTimeout: blocks.stopTimeout, startTimeout: blocks.startTimeout, line: service.key.mark?.line
        )
        if let grace = service.mapping["stop_grace_period"].flatMap({ composeLiteral($0) }) {
            spec.stopTimeout = duration(grace, key: "stop_grace_period", format: .compose) ?? spec.stopTimeout
        }
        let replicas = service.mapping["deploy"].flatMap { composeLiteral($0) }?.mapping?["replicas"]
        if let replicas {
            spec.instances = count(replicas, key: "deploy.replicas") ?? spec.instances
        }
        if settings["readiness"] == nil, let key = ComposeImporter.key("healthcheck", in: service.mapping),
            let healthcheck = service.mapping["healthcheck"].flatMap({ composeLiteral($0) })
        {
            spec.readiness = composeReadiness(healthcheck: healthcheck, key: key, service: name)
        }
        if let dependsOn = ComposeImporter.key("depends_on", in: settings) {
            issue(
                dependsOn,
                "x-quiesce of \"\(name)\" may not hold depends_on; declare dependencies once, in compose's depends_on")
        }
        let quiesceSettings = Node.Mapping(settings.filter { $0.key.string != "depends_on" })
        checkKeys(quiesceSettings, allowed: ConfigurationLoader.serviceSettingKeys, in: "x-quiesce of \"\(name)\"")
        applySettings(quiesceSettings, to: &spec)
        if let replicas, quiesceSettings["instances"] == nil, quiesceSettings["min_ready"] == nil,
            let problem = InstanceCount.problem(instances: spec.instances, minReady: spec.minReady)
        {
            issue(replicas, "deploy.replicas of \"\(name)\": \(problem); a service Quiesce manages runs at least 1")
        }
        return spec
    }
}
