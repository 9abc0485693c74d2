import Yams

/// Reads a YAML configuration into a validated ``Configuration``, reporting every problem at once.
///
/// ```yaml
/// coordinator:
///   bind: tcp://127.0.0.1:7700
///   shutdown_timeout: 60s
/// defaults:
///   stop_timeout: 10s
///   start_timeout: 30s
/// services:
///   database: { stop_timeout: 20s }
///   api: { depends_on: [database] }
/// ```
public enum ConfigurationLoader {
    static let topLevelKeys = ["coordinator", "defaults", "services", "security"]
    static let securityKeys = ["server_key", "agents_dir", "agents", "admins", "readers"]
    static let coordinatorKeys = [
        "bind", "shutdown_timeout", "ack_grace", "heartbeat_interval", "agent_suspect_after", "agent_lost_after", "on_start_failure", "state_dir", "admin_bind",
    ]
    static let defaultsKeys = ["stop_timeout", "start_timeout"]
    static let serviceKeys = [
        "depends_on", "stop_timeout", "start_timeout", "drain", "readiness", "restart", "restart_backoff", "restart_limit",
        "on_unreachable",
    ]
    static let readinessKeys = ["tcp", "http", "exec", "interval", "timeout", "failure_threshold", "initial_delay"]

    /// Parses and validates `text`, naming `file` in every message.
    public static func load(yaml text: String, file: String) throws(ConfigurationError) -> Configuration {
        var reader = Reader()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            throw ConfigurationError(
                file: file,
                issues: [.init(line: context.mark.line, message: "\(names) is declared more than once; keep one")])
        } catch {
            throw ConfigurationError(file: file, issues: [.init(line: nil, message: "not valid YAML: \(error)")])
        }
        guard let root, let top = reader.mapping(root, what: "the configuration") else {
            throw ConfigurationError(
                file: file, issues: reader.issues + [.init(line: 1, message: "the file is empty; declare services:")])
        }
        reader.checkKeys(top, allowed: topLevelKeys, in: "the top level")

        let coordinator = reader.coordinatorSettings(top["coordinator"])
        let security = top["security"].flatMap { reader.securitySettings($0) }
        var stopTimeout = Duration.seconds(10)
        var startTimeout = Duration.seconds(30)
        if let defaults = top["defaults"], let mapping = reader.mapping(defaults, what: "defaults") {
            reader.checkKeys(mapping, allowed: defaultsKeys, in: "defaults")
            stopTimeout = reader.duration(mapping["stop_timeout"], key: "stop_timeout") ?? stopTimeout
            startTimeout = reader.duration(mapping["start_timeout"], key: "start_timeout") ?? startTimeout
        }

        var services: [ServiceSpec] = []
        if let node = top["services"], let mapping = reader.mapping(node, what: "services") {
            for (key, value) in mapping {
                guard let name = reader.serviceName(key) else { continue }
                services.append(
                    reader.service(
                        name: name, node: value, line: key.mark?.line,
                        stopTimeout: stopTimeout, startTimeout: startTimeout))
            }
            if mapping.isEmpty {
                reader.issue(node, "services: is empty; declare at least one service")
            }
        } else if top["services"] == nil {
            reader.issues.append(.init(line: nil, message: "no services: block; declare the services to coordinate"))
        }

        var graph: ServiceGraph?
        do throws(GraphValidationError) {
            graph = try ServiceGraph(validating: services)
        } catch {
            reader.issues += error.problems.map { ConfigurationIssue(line: $0.line, message: $0.description) }
        }
        guard let graph, reader.issues.isEmpty else {
            throw ConfigurationError(file: file, issues: reader.issues.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        for service in security?.agentKeyFiles.keys.sorted() ?? [] where !graph.contains(service) {
            reader.issue(top["security"], "security.agents names unknown service \"\(service)\"")
        }
        guard reader.issues.isEmpty else { throw ConfigurationError(file: file, issues: reader.issues) }
        return Configuration(coordinator: coordinator, graph: graph, security: security)
    }
}

/// Walks the YAML tree, collecting issues instead of stopping at the first.
private struct Reader {
    var issues: [ConfigurationIssue] = []

    mutating func issue(_ node: Node?, _ message: String) {
        issues.append(.init(line: node?.mark?.line, message: message))
    }

    mutating func mapping(_ node: Node, what: String) -> Node.Mapping? {
        if let mapping = node.mapping { return mapping }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" {
            return Node.Mapping([])
        }
        issue(node, "\(what) must be a mapping of keys to values")
        return nil
    }

    mutating func checkKeys(_ mapping: Node.Mapping, allowed: [String], in place: String) {
        for key in mapping.keys {
            guard let name = key.string, !allowed.contains(name) else { continue }
            let hint = GraphValidator.closestName(to: name, in: allowed).map { " (did you mean \"\($0)\"?)" }
                ?? "; known keys: \(allowed.joined(separator: ", "))"
            issue(key, "unknown key \"\(name)\" in \(place)\(hint)")
        }
    }

    mutating func duration(_ node: Node?, key: String) -> Duration? {
        guard let node else { return nil }
        guard let text = node.string, let duration = Duration(configurationText: text) else {
            issue(node, "\(key): \"\(node.string ?? "?")\" is not a duration; write a number with ms, s or m, like 10s")
            return nil
        }
        return duration
    }

    mutating func serviceName(_ key: Node) -> String? {
        guard let name = key.string, !name.isEmpty else {
            issue(key, "a service name must be a non-empty string")
            return nil
        }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        if !allowed {
            issue(key, "service name \"\(name)\" may hold only letters, digits, '-', '_' and '.'")
            return nil
        }
        return name
    }

    mutating func service(
        name: String, node: Node, line: Int?, stopTimeout: Duration, startTimeout: Duration
    ) -> ServiceSpec {
        var spec = ServiceSpec(name: name, stopTimeout: stopTimeout, startTimeout: startTimeout, line: line)
        guard let mapping = mapping(node, what: "service \"\(name)\"") else { return spec }
        checkKeys(mapping, allowed: ConfigurationLoader.serviceKeys, in: "service \"\(name)\"")
        spec.stopTimeout = duration(mapping["stop_timeout"], key: "stop_timeout") ?? stopTimeout
        spec.startTimeout = duration(mapping["start_timeout"], key: "start_timeout") ?? startTimeout
        spec.drain = duration(mapping["drain"], key: "drain") ?? .zero
        if let readiness = mapping["readiness"] {
            spec.readiness = probe(readiness, service: name)
        }
        spec.restart = restartPolicy(mapping, service: name)
        if let policy = mapping["on_unreachable"] {
            switch policy.string {
            case "proceed": spec.waitsWhenUnreachable = false
            case "wait": spec.waitsWhenUnreachable = true
            default: issue(policy, "on_unreachable of \"\(name)\" must be proceed or wait")
            }
        }
        if let dependsOn = mapping["depends_on"] {
            if let sequence = dependsOn.sequence {
                for item in sequence {
                    if let dependency = item.string, item.scalar != nil {
                        spec.dependencies.append(dependency)
                    } else {
                        issue(item, "depends_on of \"\(name)\" must list service names")
                    }
                }
            } else if let single = dependsOn.scalar?.string, !single.isEmpty {
                issue(dependsOn, "depends_on of \"\(name)\" must be a list; write depends_on: [\(single)]")
            } else {
                issue(dependsOn, "depends_on of \"\(name)\" must be a list of service names")
            }
        }
        return spec
    }

    mutating func probe(_ node: Node, service: String) -> ReadinessProbe? {
        guard let mapping = mapping(node, what: "readiness of \"\(service)\"") else { return nil }
        checkKeys(mapping, allowed: ConfigurationLoader.readinessKeys, in: "readiness of \"\(service)\"")
        let kinds: [(key: String, parse: (String) -> ReadinessProbe.Check?, example: String)] = [
            ("tcp", ReadinessProbe.Check.tcp, "tcp: 127.0.0.1:5432"),
            ("http", ReadinessProbe.Check.http, "http: http://127.0.0.1:8080/healthz"),
            ("exec", ReadinessProbe.Check.exec, "exec: pg_isready -h 127.0.0.1"),
        ]
        let given = kinds.filter { mapping[$0.key] != nil }
        guard given.count == 1, let kind = given.first, let valueNode = mapping[kind.key] else {
            issue(node, "readiness of \"\(service)\" needs exactly one of tcp, http or exec")
            return nil
        }
        guard let text = valueNode.string, let check = kind.parse(text) else {
            issue(valueNode, "readiness \(kind.key) of \"\(service)\" is not valid; write it like \(kind.example)")
            return nil
        }
        var probe = ReadinessProbe(check: check)
        probe.interval = positive(duration(mapping["interval"], key: "interval"), mapping["interval"]) ?? probe.interval
        probe.timeout = positive(duration(mapping["timeout"], key: "timeout"), mapping["timeout"]) ?? probe.timeout
        probe.initialDelay = duration(mapping["initial_delay"], key: "initial_delay") ?? probe.initialDelay
        if let threshold = mapping["failure_threshold"] {
            if let value = threshold.int, value > 0 {
                probe.failureThreshold = value
            } else {
                issue(threshold, "failure_threshold must be a whole number of at least 1")
            }
        }
        return probe
    }

    mutating func restartPolicy(_ mapping: Node.Mapping, service: String) -> RestartPolicy? {
        let mode = mapping["restart"]
        let backoff = mapping["restart_backoff"]
        let limit = mapping["restart_limit"]
        guard mode != nil || backoff != nil || limit != nil else { return nil }
        guard let mode else {
            issue(backoff ?? limit, "restart_backoff and restart_limit of \"\(service)\" need restart: on-failure or always")
            return nil
        }
        // YAML reads a bare `no` as false.
        let text = mode.string == "false" ? "no" : mode.string
        guard let text, let value = RestartPolicy.Mode(rawValue: text) else {
            issue(mode, "restart of \"\(service)\" must be no, on-failure or always")
            return nil
        }
        var policy = RestartPolicy(mode: value)
        policy.backoff = positive(duration(backoff, key: "restart_backoff"), backoff) ?? policy.backoff
        if let limit {
            if let count = limit.int, count >= 0 {
                policy.limit = count
            } else {
                issue(limit, "restart_limit must be a whole number, 0 or more")
            }
        }
        return value == .no ? nil : policy
    }

    /// `duration`, unless it is zero, which is reported at `node`.
    mutating func positive(_ duration: Duration?, _ node: Node?) -> Duration? {
        guard let duration, duration <= .zero else { return duration }
        issue(node, "this duration must be more than 0")
        return nil
    }

    mutating func securitySettings(_ node: Node) -> SecuritySettings? {
        guard let mapping = mapping(node, what: "security") else { return nil }
        checkKeys(mapping, allowed: ConfigurationLoader.securityKeys, in: "security")
        guard let serverKey = mapping["server_key"]?.string, !serverKey.isEmpty else {
            issue(node, "security needs server_key: the coordinator's secret key file (quiesce keygen coordinator --out DIR)")
            return nil
        }
        var settings = SecuritySettings(serverKeyFile: serverKey)
        settings.agentsDirectory = mapping["agents_dir"]?.string
        if let agents = mapping["agents"] {
            if let agentsMapping = agents.mapping {
                for (key, value) in agentsMapping {
                    guard let service = key.string, let path = value.string else { continue }
                    settings.agentKeyFiles[service] = path
                }
            } else {
                issue(agents, "security.agents must map service names to key files")
            }
        }
        for (field, target) in [("admins", \SecuritySettings.adminKeyFiles), ("readers", \SecuritySettings.readerKeyFiles)] {
            guard let list = mapping[field] else { continue }
            guard let sequence = list.sequence else {
                issue(list, "security.\(field) must be a list of key files")
                continue
            }
            settings[keyPath: target] = sequence.compactMap(\.string)
        }
        if settings.agentsDirectory == nil && settings.agentKeyFiles.isEmpty {
            issue(node, "security needs agents_dir or agents: which key may be which service's agent")
        }
        return settings
    }

    mutating func coordinatorSettings(_ node: Node?) -> CoordinatorSettings {
        var settings = CoordinatorSettings()
        guard let node, let mapping = mapping(node, what: "coordinator") else { return settings }
        checkKeys(mapping, allowed: ConfigurationLoader.coordinatorKeys, in: "coordinator")
        if let bind = mapping["bind"] {
            if let text = bind.string, text.contains("://") {
                settings.bind = text
            } else {
                issue(bind, "bind must be a ZeroMQ endpoint like tcp://0.0.0.0:7700 or ipc:///run/quiesce.sock")
            }
        }
        settings.shutdownTimeout = duration(mapping["shutdown_timeout"], key: "shutdown_timeout") ?? settings.shutdownTimeout
        settings.ackGrace = duration(mapping["ack_grace"], key: "ack_grace") ?? settings.ackGrace
        settings.heartbeatInterval = duration(mapping["heartbeat_interval"], key: "heartbeat_interval") ?? settings.heartbeatInterval
        settings.agentLostAfter = duration(mapping["agent_lost_after"], key: "agent_lost_after") ?? settings.agentLostAfter
        let suspectAfter = duration(mapping["agent_suspect_after"], key: "agent_suspect_after")
        settings.agentSuspectAfter = suspectAfter ?? min(settings.agentSuspectAfter, settings.agentLostAfter / 2)
        if settings.agentSuspectAfter >= settings.agentLostAfter {
            issue(mapping["agent_suspect_after"], "agent_suspect_after must be less than agent_lost_after")
        }
        if settings.heartbeatInterval <= .zero {
            issue(mapping["heartbeat_interval"], "heartbeat_interval must be more than 0")
        }
        if settings.agentLostAfter < settings.heartbeatInterval * 2 {
            issue(
                mapping["agent_lost_after"] ?? mapping["heartbeat_interval"],
                "agent_lost_after must be at least twice heartbeat_interval")
        }
        if let adminBind = mapping["admin_bind"] {
            if let text = adminBind.string, text.hasPrefix("ipc://"), text.count > 6 {
                settings.adminBind = text
            } else {
                issue(adminBind, "admin_bind must be an ipc:// endpoint, like ipc:///run/quiesce/admin.sock")
            }
        }
        if let stateDirectory = mapping["state_dir"] {
            if let text = stateDirectory.string, !text.isEmpty {
                settings.stateDirectory = text
            } else {
                issue(stateDirectory, "state_dir must be a directory path")
            }
        }
        if let policy = mapping["on_start_failure"] {
            if let text = policy.string, let value = CoordinatorSettings.StartFailurePolicy(rawValue: text) {
                settings.onStartFailure = value
            } else {
                issue(policy, "on_start_failure must be stop or leave")
            }
        }
        return settings
    }
}
