import QuiesceConfiguration
import QuiesceCore
import Testing

@Suite("Configuration loading")
struct ConfigurationLoaderTests {
    static func example(apiDependencies: String = "database, cache") -> String {
        """
        # The example fleet
        coordinator:
          bind: tcp://0.0.0.0:7711
          shutdown_timeout: 45s

        defaults:
          stop_timeout: 5s
          start_timeout: 1m

        services:
          database:
            stop_timeout: 20s
          cache: {}
          api:
            depends_on: [\(apiDependencies)]
        """
    }

    /// The error `load` throws for `yaml`, or nil when it loads.
    func loadError(_ yaml: String, file: String = "config.yaml") -> ConfigurationError? {
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: file)
            return nil
        } catch {
            return error
        }
    }

    @Test("The example configuration loads with its coordinator settings, defaults and services")
    func example() throws {
        let configuration = try ConfigurationLoader.load(yaml: Self.example(), file: "config.yaml")
        #expect(configuration.coordinator.bind == "tcp://0.0.0.0:7711")
        #expect(configuration.coordinator.shutdownTimeout == .seconds(45))
        #expect(configuration.coordinator.ackGrace == .seconds(2))
        #expect(configuration.coordinator.onStartFailure == .stop)

        let graph = configuration.graph
        #expect(graph.names == ["database", "cache", "api"])
        #expect(graph["database"].stopTimeout == .seconds(20))
        #expect(graph["database"].startTimeout == .seconds(60))
        #expect(graph["cache"].stopTimeout == .seconds(5))
        #expect(graph["cache"].startTimeout == .seconds(60))
        #expect(graph.dependencies(of: "api") == ["database", "cache"])
        #expect(graph.dependents(of: "database") == ["api"])
        #expect(graph["database"].line == 11)
        #expect(graph["cache"].line == 13)
        #expect(graph["api"].line == 14)
    }

    @Test("Settings left out take their documented defaults")
    func defaults() throws {
        let configuration = try ConfigurationLoader.load(yaml: "services:\n  solo: {}\n", file: "min.yaml")
        #expect(configuration.coordinator == CoordinatorSettings())
        #expect(configuration.graph["solo"].stopTimeout == .seconds(10))
        #expect(configuration.graph["solo"].startTimeout == .seconds(30))
    }

    @Test(
        "Durations are written with ms, s or m",
        arguments: [
            ("500ms", Duration.milliseconds(500)), ("10s", .seconds(10)), ("1.5s", .milliseconds(1500)),
            ("2m", .seconds(120)), ("0s", .zero), ("0.25m", .seconds(15)),
        ])
    func durationText(text: String, expected: Duration) throws {
        #expect(Duration(configurationText: text) == expected)
        let yaml = "services:\n  solo:\n    stop_timeout: \(text)\n"
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "config.yaml")
        #expect(configuration.graph["solo"].stopTimeout == expected)
    }

    @Test(
        "Anything else is not a duration",
        arguments: ["", "10", "s", "ms", "-5s", "10 s", "1e3s", "1.2.3s", "ten s", "5h", "5sec"])
    func notADuration(text: String) {
        #expect(Duration(configurationText: text) == nil)
    }

    @Test("A duration counts its whole milliseconds")
    func milliseconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.nanoseconds(1_999_999).milliseconds == 1)
    }

    @Test("An unknown dependency names the file and the service's line, with a did-you-mean")
    func unknownDependency() throws {
        let yaml = Self.example(apiDependencies: "databse, cache")
        let error = try #require(loadError(yaml))
        #expect(error.file == "config.yaml")
        #expect(error.issues.count == 1)
        #expect(error.issues.first?.line == 14)
        #expect(
            error.description
                == #"config.yaml:14: service "api" depends on unknown service "databse" (did you mean "database"?)"#)
    }

    @Test("An unknown dependency with nothing close is told to declare or remove it")
    func unknownDependencyWithoutSuggestion() throws {
        let yaml = "services:\n  api:\n    depends_on: [queue]\n"
        let error = try #require(loadError(yaml, file: "fleet.yaml"))
        #expect(
            error.description
                == #"fleet.yaml:2: service "api" depends on unknown service "queue"; declare it under services: or remove it"#
        )
    }

    @Test("A service that depends on itself is reported at its line")
    func selfDependency() throws {
        let yaml = """
            services:
              database: {}
              api:
                depends_on: [database, api]
            """
        let error = try #require(loadError(yaml))
        #expect(
            error.issues == [
                ConfigurationIssue(
                    line: 3, message: #"service "api" depends on itself; remove "api" from its depends_on"#)
            ])
    }

    @Test("A cycle is printed as its path")
    func cycle() throws {
        let yaml = """
            services:
              api:
                depends_on: [worker]
              worker:
                depends_on: [api]
              database: {}
            """
        let error = try #require(loadError(yaml))
        #expect(
            error.description
                == "config.yaml:2: dependency cycle: api -> worker -> api; remove one of these dependencies")
    }

    @Test("A longer cycle is printed from the first declared service of it")
    func longerCycle() throws {
        let yaml = """
            services:
              gateway: {}
              a:
                depends_on: [b]
              b:
                depends_on: [c]
              c:
                depends_on: [a, gateway]
            """
        let error = try #require(loadError(yaml))
        #expect(error.issues.count == 1)
        #expect(error.issues.first?.line == 3)
        #expect(error.issues.first?.message.hasPrefix("dependency cycle: a -> b -> c -> a;") == true)
    }

    @Test("A value that is not a duration is reported at the value's line")
    func badDuration() throws {
        let yaml = """
            services:
              database:
                stop_timeout: 20 seconds
            """
        let error = try #require(loadError(yaml))
        #expect(
            error.description
                == #"config.yaml:3: stop_timeout: "20 seconds" is not a duration; write a number with ms, s or m, like 10s"#
        )
    }

    @Test("An unknown key gets a did-you-mean for the key it resembles")
    func unknownKey() throws {
        let yaml = """
            services:
              database: {}
              api:
                depend_on: [database]
            """
        let error = try #require(loadError(yaml))
        #expect(
            error.description
                == #"config.yaml:4: unknown key "depend_on" in service "api" (did you mean "depends_on"?)"#)
    }

    @Test("An unknown key resembling nothing lists the known keys")
    func unknownKeyWithoutSuggestion() throws {
        let yaml = "colour: blue\nservices:\n  solo: {}\n"
        let error = try #require(loadError(yaml))
        #expect(
            error.description
                == #"config.yaml:1: unknown key "colour" in the top level; known keys: coordinator, defaults, services, security"#
        )
    }

    @Test("A service declared twice is refused")
    func duplicateService() throws {
        let yaml = """
            services:
              database: {}
              cache: {}
              database:
                stop_timeout: 5s
            """
        let error = try #require(loadError(yaml))
        #expect(error.file == "config.yaml")
        #expect(error.issues.count == 1)
        #expect(error.issues.first?.line == 2)
        #expect(error.issues.first?.message == #""database" is declared more than once; keep one"#)
    }

    @Test("Several problems are reported at once, in line order")
    func severalProblems() throws {
        let yaml = """
            coordinator:
              shutdown_timeout: soon
            services:
              database:
                stop_timout: 20s
              api:
                depends_on: [databse]
              worker:
                depends_on: [worker]
            """
        let error = try #require(loadError(yaml, file: "fleet.yaml"))
        #expect(error.issues.map(\.line) == [2, 5, 6, 8])
        let lines = error.description.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                #"fleet.yaml:2: shutdown_timeout: "soon" is not a duration; write a number with ms, s or m, like 10s"#,
                #"fleet.yaml:5: unknown key "stop_timout" in service "database" (did you mean "stop_timeout"?)"#,
                #"fleet.yaml:6: service "api" depends on unknown service "databse" (did you mean "database"?)"#,
                #"fleet.yaml:8: service "worker" depends on itself; remove "worker" from its depends_on"#,
            ])
    }

    @Test("Coordinator settings are checked against each other")
    func coordinatorSettings() throws {
        let yaml = """
            coordinator:
              bind: localhost
              heartbeat_interval: 2s
              agent_lost_after: 3s
              on_start_failure: ignore
            services:
              solo: {}
            """
        let error = try #require(loadError(yaml))
        #expect(
            error.issues == [
                ConfigurationIssue(
                    line: 2,
                    message: "bind must be a ZeroMQ endpoint like tcp://0.0.0.0:7700 or ipc:///run/quiesce.sock"),
                ConfigurationIssue(line: 4, message: "agent_lost_after must be at least twice heartbeat_interval"),
                ConfigurationIssue(line: 5, message: "on_start_failure must be stop or leave"),
            ])
    }

    @Test("on_start_failure: leave is read")
    func leavePolicy() throws {
        let yaml = "coordinator:\n  on_start_failure: leave\nservices:\n  solo: {}\n"
        #expect(try ConfigurationLoader.load(yaml: yaml, file: "c.yaml").coordinator.onStartFailure == .leave)
    }

    @Test("scheduling is waves unless the file says eager; a mistyped one names its line and suggests the word")
    func scheduling() throws {
        #expect(
            try ConfigurationLoader.load(yaml: "services:\n  solo: {}\n", file: "c.yaml").coordinator.scheduling
                == .waves)
        let eager = "coordinator:\n  scheduling: eager\nservices:\n  solo: {}\n"
        #expect(try ConfigurationLoader.load(yaml: eager, file: "c.yaml").coordinator.scheduling == .eager)
        let typo = try #require(
            loadError("coordinator:\n  shutdown_timeout: 30s\n  scheduling: eagre\nservices:\n  solo: {}\n"))
        #expect(
            typo.description
                == #"config.yaml:3: scheduling "eagre" is not known (did you mean "eager"?); give waves (the default: "#
                + #"each wave waits for the whole wave before it) or eager (each service goes as soon as what it waits for is done)"#
        )
        let key = try #require(loadError("coordinator:\n  schedulng: eager\nservices:\n  solo: {}\n"))
        #expect(key.description.hasPrefix(#"config.yaml:2: unknown key "schedulng""#))
        #expect(key.description.contains(#"(did you mean "scheduling"?)"#))
    }

    @Test("metrics_bind is HOST:PORT; anything else names its line and the form to write")
    func metricsBind() throws {
        let yaml = "coordinator:\n  metrics_bind: 127.0.0.1:9464\nservices:\n  solo: {}\n"
        #expect(
            try ConfigurationLoader.load(yaml: yaml, file: "c.yaml").coordinator.metricsBind
                == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(
            try ConfigurationLoader.load(yaml: "services:\n  solo: {}\n", file: "c.yaml").coordinator.metricsBind == nil
        )
        let error = try #require(loadError("coordinator:\n  metrics_bind: 9464\nservices:\n  solo: {}\n"))
        #expect(
            error.description
                == "config.yaml:2: metrics_bind: \"9464\" is not HOST:PORT (a port from 1 to 65535); write it like 127.0.0.1:9464 or [::1]:9464"
        )
    }

    @Test("depends_on written as a single name asks for a list")
    func dependsOnScalar() throws {
        let yaml = "services:\n  database: {}\n  api:\n    depends_on: database\n"
        let error = try #require(loadError(yaml))
        #expect(
            error.description == "config.yaml:4: depends_on of \"api\" must be a list; write depends_on: [database]")
    }

    @Test("A file without services is refused")
    func noServices() throws {
        let missing = try #require(loadError("coordinator:\n  bind: tcp://127.0.0.1:1\n"))
        #expect(
            missing.issues == [
                ConfigurationIssue(line: nil, message: "no services: block; declare the services to coordinate")
            ])
        let empty = try #require(loadError("services: {}\n"))
        #expect(empty.issues.map(\.message) == ["services: is empty; declare at least one service"])
        #expect(empty.issues.first?.line == 1)
    }
}

@Suite("Configuration: readiness blocks")
struct ReadinessConfigurationTests {
    @Test("A readiness block is read with its defaults")
    func readinessBlock() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: """
                services:
                  database:
                    readiness: { tcp: "127.0.0.1:5432", interval: 250ms, failure_threshold: 5 }
                  web:
                    readiness: { http: "http://127.0.0.1:8080/healthz", timeout: 2s, initial_delay: 1s }
                  cache:
                    readiness: { exec: "redis-cli ping" }
                  queue:
                    readiness: { tcp: "127.0.0.1:5672", initial_interval: 1s }
                """, file: "q.yaml")
        #expect(
            configuration.graph["database"].readiness
                == ReadinessProbe(
                    check: .tcp(host: "127.0.0.1", port: 5432), interval: .milliseconds(250), failureThreshold: 5))
        #expect(
            configuration.graph["web"].readiness
                == ReadinessProbe(
                    check: .http(url: "http://127.0.0.1:8080/healthz"), timeout: .seconds(2), initialDelay: .seconds(1))
        )
        #expect(configuration.graph["cache"].readiness?.check == .exec(command: "redis-cli ping"))
        #expect(configuration.graph["cache"].readiness?.initialInterval == .milliseconds(10), "the default")
        #expect(configuration.graph["queue"].readiness?.initialInterval == .seconds(1))
    }

    @Test(
        "Bad readiness blocks are reported at their lines",
        arguments: [
            (
                "readiness: { tcp: \"localhost\" }",
                "q.yaml:3: readiness tcp of \"database\" is not valid; write it like tcp: 127.0.0.1:5432"
            ),
            (
                "readiness: { tcp: \"a:1\", http: \"http://a/\" }",
                "q.yaml:3: readiness of \"database\" needs exactly one of tcp, http or exec"
            ),
            (
                "readiness: { http: \"ftp://x\" }",
                "q.yaml:3: readiness http of \"database\" is not valid; write it like http: http://127.0.0.1:8080/healthz"
            ),
            (
                "readiness: { exec: \"true\", failure_threshold: 0 }",
                "q.yaml:3: failure_threshold must be a whole number of at least 1"
            ),
            ("readiness: { exec: \"true\", interval: 0s }", "q.yaml:3: this duration must be more than 0"),
            ("readiness: { exec: \"true\", initial_interval: 0s }", "q.yaml:3: this duration must be more than 0"),
            (
                "readiness: { exec: \"true\", intervall: 1s }",
                "q.yaml:3: unknown key \"intervall\" in readiness of \"database\" (did you mean \"interval\"?)"
            ),
        ])
    func badReadiness(block: String, message: String) {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(yaml: "services:\n  database:\n    \(block)\n", file: "q.yaml")
        }
        do {
            _ = try ConfigurationLoader.load(yaml: "services:\n  database:\n    \(block)\n", file: "q.yaml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(
        "A service name that breaks the name rule is reported at its line",
        arguments: [
            ("caf\u{E9}", #"q.yaml:2: service name "caf\#u{E9}" may hold only letters, digits, '-', '_' and '.'"#),
            ("a/b", #"q.yaml:2: service name "a/b" may hold only letters, digits, '-', '_' and '.'"#),
            ("", "q.yaml:2: a service name must be a non-empty string"),
        ])
    func badServiceName(name: String, message: String) {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(yaml: "services:\n  \"\(name)\": {}\n", file: "q.yaml")
        }
        do {
            _ = try ConfigurationLoader.load(yaml: "services:\n  \"\(name)\": {}\n", file: "q.yaml")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite("Configuration: restart policies")
struct RestartConfigurationTests {
    @Test("restart, restart_backoff and restart_limit are read; restart: no means none")
    func restartKeys() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: """
                services:
                  worker: { restart: on-failure, restart_backoff: 500ms, restart_limit: 3 }
                  web: { restart: always }
                  batch: { restart: no }
                """, file: "q.yaml")
        #expect(
            configuration.graph["worker"].restart
                == RestartPolicy(mode: .onFailure, backoff: .milliseconds(500), limit: 3))
        #expect(configuration.graph["web"].restart == RestartPolicy(mode: .always))
        #expect(configuration.graph["batch"].restart == nil)
    }

    @Test("Bad restart settings are reported at their lines")
    func badRestart() {
        #expect(
            throws: ConfigurationError(
                file: "q.yaml",
                issues: [
                    .init(line: 2, message: "restart of \"worker\" must be no, on-failure or always"),
                    .init(
                        line: 3,
                        message: "restart_backoff and restart_limit of \"web\" need restart: on-failure or always"),
                ])
        ) {
            try ConfigurationLoader.load(
                yaml: """
                    services:
                      worker: { restart: sometimes }
                      web: { restart_limit: 3 }
                    """, file: "q.yaml")
        }
    }
}

@Suite("Configuration: security")
struct SecurityConfigurationTests {
    @Test("A security block is read with its key files")
    func securityBlock() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: """
                security:
                  server_key: /k/coordinator.key_secret
                  agents_dir: /k/agents
                  agents: { api: /k/special/api.key }
                  admins: [/k/alice.key]
                  readers: [/k/grafana.key]
                services:
                  api: {}
                """, file: "q.yaml")
        let security = try #require(configuration.security)
        #expect(security.serverKeyFile == "/k/coordinator.key_secret")
        #expect(security.agentsDirectory == "/k/agents")
        #expect(security.agentKeyFiles == ["api": "/k/special/api.key"])
        #expect(security.adminKeyFiles == ["/k/alice.key"] && security.readerKeyFiles == ["/k/grafana.key"])
    }

    @Test("A security block without the server key or any agent key, or naming an unknown service, is refused")
    func incompleteSecurity() {
        #expect(
            throws: ConfigurationError(
                file: "q.yaml",
                issues: [
                    .init(
                        line: 2,
                        message:
                            "security needs server_key: the coordinator's secret key file (quiesce keygen coordinator --out DIR)"
                    )
                ])
        ) {
            try ConfigurationLoader.load(yaml: "security:\n  agents_dir: /k\nservices:\n  api: {}\n", file: "q.yaml")
        }
        #expect(
            throws: ConfigurationError(
                file: "q.yaml",
                issues: [
                    .init(
                        line: 2, message: "security needs agents_dir or agents: which key may be which service's agent")
                ])
        ) {
            try ConfigurationLoader.load(
                yaml: "security:\n  server_key: /k/c.key_secret\nservices:\n  api: {}\n", file: "q.yaml")
        }
        #expect(
            throws: ConfigurationError(
                file: "q.yaml",
                issues: [
                    .init(line: 2, message: "security.agents names unknown service \"apii\"")
                ])
        ) {
            try ConfigurationLoader.load(
                yaml: "security:\n  server_key: /k/c.key_secret\n  agents: { apii: /k/a.key }\nservices:\n  api: {}\n",
                file: "q.yaml")
        }
    }
}
