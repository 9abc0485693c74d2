import QuiesceCore
import Yams

/// The blocks of a configuration besides its services: `coordinator:`, `security:` and `defaults:`.
struct FleetBlocks {
    var coordinator = CoordinatorSettings()
    var security: SecuritySettings?
    /// The `security:` node, for the problems found once the services are known.
    var securityNode: Node?
    /// `defaults.stop_timeout`.
    var stopTimeout = Duration.seconds(10)
    /// `defaults.start_timeout`.
    var startTimeout = Duration.seconds(30)
}

/// How a file writes durations: Quiesce's own (`500ms`, `10s`, `2m`) or docker compose's Go-style
/// ones (`1m30s`, `300ms`, `2h`).
enum DurationFormat {
    case quiesce
    case compose

    func parse(_ text: String) -> Duration? {
        switch self {
        case .quiesce: Duration(configurationText: text)
        case .compose: Duration(composeText: text)
        }
    }

    /// How to write one, for messages.
    var hint: String {
        switch self {
        case .quiesce: "write a number with ms, s or m, like 10s"
        case .compose: "write it like 10s, 1m30s or 300ms"
        }
    }
}

/// Walks a YAML tree with line marks, collecting issues instead of stopping at the first. Shared by
/// ``ConfigurationLoader`` (Quiesce's own files) and ``ComposeImporter`` (docker compose files).
struct ConfigurationReader {
    var issues: [ConfigurationIssue] = []
    /// What the file holds that works, but probably not as its author meant: printed, not refused.
    var warnings: [ConfigurationIssue] = []

    /// The YAML document in `text`, or `nil` when it is empty. A key declared twice in a mapping is
    /// reported alone, at the line of its first declaration; so is a document whose aliases expand it
    /// past ``ExpandedSize/maximumNodes``, before anything builds or walks its tree.
    static func document(yaml text: String, file: String) throws(ConfigurationError) -> Node? {
        do {
            try ExpandedSize.check(text)
            return try Yams.compose(yaml: text)
        } catch let excess as ExpandedSize.Excess {
            throw ConfigurationError(file: file, issues: [.init(line: excess.line, message: excess.message)])
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            throw ConfigurationError(
                file: file,
                issues: [.init(line: context.mark.line, message: "\(names) is declared more than once; keep one")])
        } catch {
            throw ConfigurationError(file: file, issues: [.init(line: nil, message: "not valid YAML: \(error)")])
        }
    }

    mutating func issue(_ node: Node?, _ message: String) {
        issues.append(.init(line: node?.mark?.line, message: message))
    }

    mutating func warn(_ node: Node?, _ message: String) {
        warnings.append(.init(line: node?.mark?.line, message: message))
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
            let hint =
                NameSuggestion.phrase(for: name, in: allowed)
                ?? "; known keys: \(allowed.joined(separator: ", "))"
            issue(key, "unknown key \"\(name)\" in \(place)\(hint)")
        }
    }

    /// The duration `node` writes in `format`; `nil` when it is absent, or not a duration, or longer than
    /// ``Swift/Duration/longestSetting`` (both reported).
    mutating func duration(_ node: Node?, key: String, format: DurationFormat = .quiesce) -> Duration? {
        guard let node else { return nil }
        guard let text = node.string, let duration = format.parse(text) else {
            issue(node, "\(key): \"\(node.string ?? "?")\" is not a duration; \(format.hint)")
            return nil
        }
        guard duration <= .longestSetting else {
            issue(node, "\(key): \"\(text)\" \(Duration.longestSettingProblem)")
            return nil
        }
        return duration
    }

    /// The whole number `node` holds; `nil` when it is absent or not a whole number (reported).
    mutating func count(_ node: Node?, key: String) -> Int? {
        guard let node else { return nil }
        guard let text = node.string, let value = Int(text) else {
            issue(node, "\(key): \"\(node.string ?? "?")\" is not a whole number; write it as 3")
            return nil
        }
        return value
    }

    /// `duration`, unless it is zero, which is reported at `node`.
    mutating func positive(_ duration: Duration?, _ node: Node?) -> Duration? {
        guard let duration, duration <= .zero else { return duration }
        issue(node, "this duration must be more than 0")
        return nil
    }

    /// The service name `key` declares, or `nil` when it breaks ``ServiceName``'s rule (reported).
    mutating func serviceName(_ key: Node) -> String? {
        guard let name = key.string else {
            issue(key, "a service name must be a non-empty string")
            return nil
        }
        switch ServiceName.problem(in: name) {
        case nil: return name
        case .empty: issue(key, "a service name must be a non-empty string")
        case let problem?: issue(key, problem.description)
        }
        return nil
    }

    // MARK: Blocks

    /// Reads `coordinator:`, `security:` and `defaults:` from `mapping`, each optional.
    mutating func fleetBlocks(_ mapping: Node.Mapping) -> FleetBlocks {
        var blocks = FleetBlocks()
        blocks.coordinator = coordinatorSettings(mapping["coordinator"])
        blocks.securityNode = mapping["security"]
        blocks.security = blocks.securityNode.flatMap { securitySettings($0) }
        if let defaults = mapping["defaults"], let defaultsMapping = self.mapping(defaults, what: "defaults") {
            checkKeys(defaultsMapping, allowed: ConfigurationLoader.defaultsKeys, in: "defaults")
            blocks.stopTimeout = duration(defaultsMapping["stop_timeout"], key: "stop_timeout") ?? blocks.stopTimeout
            blocks.startTimeout =
                duration(defaultsMapping["start_timeout"], key: "start_timeout") ?? blocks.startTimeout
        }
        return blocks
    }

    /// Validates `services` as a graph and the security block against it: the configuration, or
    /// every issue found so far and now, in line order.
    mutating func configuration(services: [ServiceSpec], blocks: FleetBlocks, file: String) throws(ConfigurationError)
        -> Configuration
    {
        var graph: ServiceGraph?
        do throws(GraphValidationError) {
            graph = try ServiceGraph(validating: services)
        } catch {
            issues += error.problems.map { ConfigurationIssue(line: $0.line, message: $0.description) }
        }
        guard let graph, issues.isEmpty else {
            throw ConfigurationError(file: file, issues: issues.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        for service in blocks.security?.agentKeyFiles.keys.sorted() ?? [] where !graph.contains(service) {
            issue(blocks.securityNode, "security.agents names unknown service \"\(service)\"")
        }
        guard issues.isEmpty else { throw ConfigurationError(file: file, issues: issues) }
        var configuration = Configuration(coordinator: blocks.coordinator, graph: graph, security: blocks.security)
        configuration.warnings = warnings.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        return configuration
    }

    // MARK: Services

    /// A service of a Quiesce configuration file: its settings and its `depends_on` list.
    mutating func service(name: String, node: Node, line: Int?, blocks: FleetBlocks) -> ServiceSpec {
        var spec = ServiceSpec(
            name: name, stopTimeout: blocks.stopTimeout, startTimeout: blocks.startTimeout, line: line)
        guard let mapping = mapping(node, what: "service \"\(name)\"") else { return spec }
        checkKeys(mapping, allowed: ConfigurationLoader.serviceKeys, in: "service \"\(name)\"")
        applySettings(mapping, to: &spec)
        if let dependsOn = mapping["depends_on"] {
            spec.dependencies = dependencyList(dependsOn, service: name)
        }
        return spec
    }

    /// Sets on `spec` every service setting `mapping` holds (``ConfigurationLoader/serviceSettingKeys``),
    /// leaving the others as they are.
    mutating func applySettings(_ mapping: Node.Mapping, to spec: inout ServiceSpec) {
        let name = spec.name
        spec.stopTimeout = duration(mapping["stop_timeout"], key: "stop_timeout") ?? spec.stopTimeout
        spec.startTimeout = duration(mapping["start_timeout"], key: "start_timeout") ?? spec.startTimeout
        spec.drain = duration(mapping["drain"], key: "drain") ?? spec.drain
        if let readiness = mapping["readiness"] {
            spec.readiness = probe(readiness, service: name)
        }
        if mapping["restart"] != nil || mapping["restart_backoff"] != nil || mapping["restart_limit"] != nil {
            spec.restart = restartPolicy(mapping, service: name)
        }
        spec.instances = count(mapping["instances"], key: "instances") ?? spec.instances
        spec.minReady = count(mapping["min_ready"], key: "min_ready") ?? spec.minReady
        if let countNode = mapping["min_ready"] ?? mapping["instances"],
            let problem = InstanceCount.problem(instances: spec.instances, minReady: spec.minReady)
        {
            issue(countNode, "service \"\(name)\": \(problem)")
        }
        if let policy = mapping["on_unreachable"] {
            switch policy.string {
            case "proceed": spec.waitsWhenUnreachable = false
            case "wait": spec.waitsWhenUnreachable = true
            default: issue(policy, "on_unreachable of \"\(name)\" must be proceed or wait")
            }
        }
    }

    /// A native `depends_on`: a list of service names.
    mutating func dependencyList(_ node: Node, service name: String) -> [String] {
        if let sequence = node.sequence {
            var dependencies: [String] = []
            for item in sequence {
                if let dependency = item.string, item.scalar != nil {
                    dependencies.append(dependency)
                } else {
                    issue(item, "depends_on of \"\(name)\" must list service names")
                }
            }
            return dependencies
        } else if let single = node.scalar?.string, !single.isEmpty {
            issue(node, "depends_on of \"\(name)\" must be a list; write depends_on: [\(single)]")
        } else {
            issue(node, "depends_on of \"\(name)\" must be a list of service names")
        }
        return []
    }

    // MARK: Readiness and restarts

    /// The `readiness:` block `node` of `service`, checked by ``ReadinessProbe``'s rules; `nil` when it
    /// breaks them (reported, each problem at its key).
    mutating func probe(_ node: Node, service: String) -> ReadinessProbe? {
        guard let mapping = mapping(node, what: "readiness of \"\(service)\"") else { return nil }
        checkKeys(mapping, allowed: ConfigurationLoader.readinessKeys, in: "readiness of \"\(service)\"")
        /// The text of a check's key; a value that is not text is given, and invalid.
        func given(_ kind: ReadinessProbe.Check.Kind) -> String? {
            mapping[kind.rawValue].map { $0.string ?? "" }
        }
        let check: ReadinessProbe.Check
        do throws(ReadinessProbe.Check.Problem) {
            check = try ReadinessProbe.Check(tcp: given(.tcp), http: given(.http), exec: given(.exec))
        } catch .invalid(let kind) {
            let example =
                switch kind {
                case .tcp: "tcp: 127.0.0.1:5432"
                case .http: "http: http://127.0.0.1:8080/healthz"
                case .exec: "exec: pg_isready -h 127.0.0.1"
                }
            issue(mapping[kind.rawValue], "readiness \(kind) of \"\(service)\" is not valid; write it like \(example)")
            return nil
        } catch {
            issue(node, "readiness of \"\(service)\" needs exactly one of tcp, http or exec")
            return nil
        }
        return probeSettings(of: check, in: mapping, keys: .quiesce)
    }

    /// Where a file format keeps a probe's settings, and how it words their problems.
    struct ProbeSettingKeys {
        var interval = "interval"
        var timeout = "timeout"
        var initialDelay = "initial_delay"
        var failureThreshold = "failure_threshold"
        var initialInterval = "initial_interval"
        var format = DurationFormat.quiesce
        /// What a bad failure threshold is told, and a negative initial delay.
        var thresholdProblem = "failure_threshold must be a whole number of at least 1"
        var initialDelayProblem = "initial_delay must not be negative"

        /// A Quiesce file's `readiness:` block.
        static let quiesce = ProbeSettingKeys()
    }

    /// The probe of `check` with the settings `mapping` gives under `keys` (the defaults for those it
    /// leaves out), checked by ``ReadinessProbe``'s rules; `nil` when they break them (reported, each
    /// problem at its key).
    mutating func probeSettings(
        of check: ReadinessProbe.Check, in mapping: Node.Mapping, keys: ProbeSettingKeys
    ) -> ReadinessProbe? {
        let defaults = ReadinessProbe(check: check)
        let interval = duration(mapping[keys.interval], key: keys.interval, format: keys.format) ?? defaults.interval
        let timeout = duration(mapping[keys.timeout], key: keys.timeout, format: keys.format) ?? defaults.timeout
        let initialDelay =
            duration(mapping[keys.initialDelay], key: keys.initialDelay, format: keys.format) ?? defaults.initialDelay
        let initialInterval =
            duration(mapping[keys.initialInterval], key: keys.initialInterval, format: keys.format)
            ?? defaults.initialInterval
        var failureThreshold = defaults.failureThreshold
        if let threshold = mapping[keys.failureThreshold] {
            if let value = threshold.int {
                failureThreshold = value
            } else {
                issue(threshold, keys.thresholdProblem)
            }
        }
        do throws(ReadinessProbe.InvalidSettings) {
            return try ReadinessProbe(
                validating: check, interval: interval, timeout: timeout, failureThreshold: failureThreshold,
                initialDelay: initialDelay, initialInterval: initialInterval)
        } catch {
            for setting in error.settings {
                switch setting {
                case .interval: issue(mapping[keys.interval], "this duration must be more than 0")
                case .timeout: issue(mapping[keys.timeout], "this duration must be more than 0")
                case .failureThreshold: issue(mapping[keys.failureThreshold], keys.thresholdProblem)
                case .initialDelay: issue(mapping[keys.initialDelay], keys.initialDelayProblem)
                case .initialInterval: issue(mapping[keys.initialInterval], "this duration must be more than 0")
                }
            }
            return nil
        }
    }

    /// `restart`, `restart_backoff` and `restart_limit` of a mapping that holds at least one of them.
    mutating func restartPolicy(_ mapping: Node.Mapping, service: String) -> RestartPolicy? {
        let mode = mapping["restart"]
        let backoff = mapping["restart_backoff"]
        let limit = mapping["restart_limit"]
        guard let mode else {
            issue(
                backoff ?? limit,
                "restart_backoff and restart_limit of \"\(service)\" need restart: on-failure or always")
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

    // MARK: Coordinator and security

    mutating func securitySettings(_ node: Node) -> SecuritySettings? {
        guard let mapping = mapping(node, what: "security") else { return nil }
        checkKeys(mapping, allowed: ConfigurationLoader.securityKeys, in: "security")
        guard let serverKey = mapping["server_key"]?.string, !serverKey.isEmpty else {
            issue(
                node,
                "security needs server_key: the coordinator's secret key file (quiesce keygen coordinator --out DIR)")
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
        for (field, target) in [
            ("admins", \SecuritySettings.adminKeyFiles), ("readers", \SecuritySettings.readerKeyFiles),
        ] {
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
        settings.shutdownTimeout =
            duration(mapping["shutdown_timeout"], key: "shutdown_timeout") ?? settings.shutdownTimeout
        settings.ackGrace = duration(mapping["ack_grace"], key: "ack_grace") ?? settings.ackGrace
        settings.heartbeatInterval =
            duration(mapping["heartbeat_interval"], key: "heartbeat_interval") ?? settings.heartbeatInterval
        settings.agentLostAfter =
            duration(mapping["agent_lost_after"], key: "agent_lost_after") ?? settings.agentLostAfter
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
        if let metricsBind = mapping["metrics_bind"] {
            switch metricsBind.string.map(ListenAddress.parse) {
            case .success(let address): settings.metricsBind = address
            case .failure(let problem): issue(metricsBind, "metrics_bind: \(problem)")
            case nil: issue(metricsBind, "metrics_bind must be HOST:PORT, like 127.0.0.1:9464")
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
        if let scheduling = mapping["scheduling"] {
            if let text = scheduling.string, let value = Scheduling(rawValue: text) {
                settings.scheduling = value
            } else {
                let given = scheduling.string.map { "scheduling \"\($0)\" is not known" } ?? "scheduling is not a word"
                let suggestion = scheduling.string.flatMap {
                    NameSuggestion.phrase(for: $0, in: Scheduling.allCases.map(\.rawValue))
                }
                issue(
                    scheduling,
                    given + (suggestion ?? "")
                        + "; give waves (the default: each wave waits for the whole wave before it) or eager "
                        + "(each service goes as soon as what it waits for is done)")
            }
        }
        if let ha = mapping["ha"] {
            settings.ha = standbySettings(ha, bind: settings.bind)
        }
        return settings
    }
}
