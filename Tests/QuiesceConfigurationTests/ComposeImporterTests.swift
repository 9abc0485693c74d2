import QuiesceConfiguration
import QuiesceCore
import Testing

/// The problems `ComposeImporter.load` reports for `yaml`, as `FILE:LINE: message` lines; `[]` when it loads.
func composeProblems(_ yaml: String, file: String = "compose.yaml") -> [String] {
    do {
        _ = try ComposeImporter.load(yaml: yaml, file: file)
        return []
    } catch {
        return error.description.split(separator: "\n").map(String.init)
    }
}

@Suite("Compose files: a realistic fleet")
struct ComposeFleetTests {
    static let fleet = """
        name: shop
        x-quiesce:
          coordinator:
            bind: tcp://0.0.0.0:7700
            shutdown_timeout: 90s
          security:
            server_key: keys/coordinator.key_secret
            agents_dir: keys/agents
            admins: [keys/operators/alice.key]
          defaults:
            start_timeout: 1m
        services:
          postgres:
            image: postgres:17
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
            healthcheck:
              test: ["CMD", "pg_isready", "-U", "postgres"]
              interval: 2s
              timeout: 1500ms
              retries: 5
              start_period: 10s
            stop_grace_period: 1m30s
          redis:
            image: redis:7
            healthcheck:
              test: ["CMD-SHELL", "redis-cli ping | grep -q PONG"]
          api:
            build: ./api
            ports: ["8080:8080"]
            restart: unless-stopped
            depends_on:
              postgres:
                condition: service_healthy
              redis:
                condition: service_healthy
                restart: true
              keys:
                condition: service_completed_successfully
            x-quiesce:
              drain: 5s
              stop_timeout: 20s
          worker:
            image: shop/worker
            command: ["worker", "--queue", "default"]
            depends_on: [api, redis]
          coordinator:
            image: quiesce
            command: ["coordinator", "--compose", "/etc/quiesce/compose.yaml"]
            x-quiesce: false
          keys:
            image: quiesce
            command: ["keygen", "api", "--out", "/keys"]
            x-quiesce: false
        """

    @Test("Every service but the unmanaged ones is in the graph, with its dependencies on managed services")
    func graph() throws {
        let configuration = try ComposeImporter.load(yaml: Self.fleet, file: "compose.yaml")
        let graph = configuration.graph
        #expect(graph.names == ["postgres", "redis", "api", "worker"])
        #expect(graph.dependencies(of: "postgres") == [])
        #expect(graph.dependencies(of: "redis") == [])
        #expect(graph.dependencies(of: "api") == ["postgres", "redis"])
        #expect(graph.dependencies(of: "worker") == ["api", "redis"])
        #expect(Plan(graph: graph).startupWaves == [["postgres", "redis"], ["api"], ["worker"]])
        #expect(graph["postgres"].line == 13)
        #expect(graph["worker"].line == 43)
    }

    @Test("Healthchecks, stop_grace_period, x-quiesce and the top-level blocks give each service its settings")
    func settings() throws {
        let configuration = try ComposeImporter.load(yaml: Self.fleet, file: "compose.yaml")
        let graph = configuration.graph
        #expect(
            graph["postgres"].readiness
                == ReadinessProbe(
                    check: .exec(command: "pg_isready -U postgres"), interval: .seconds(2),
                    timeout: .milliseconds(1500),
                    failureThreshold: 5, initialDelay: .seconds(10)))
        #expect(graph["postgres"].stopTimeout == .seconds(90))
        #expect(graph["redis"].readiness == ReadinessProbe(check: .exec(command: "redis-cli ping | grep -q PONG")))
        #expect(graph["redis"].stopTimeout == .seconds(10))
        #expect(graph["api"].stopTimeout == .seconds(20))
        #expect(graph["api"].drain == .seconds(5))
        #expect(graph["api"].readiness == nil)
        #expect(graph["api"].restart == nil, "compose's restart: is docker's business")
        #expect(graph["worker"].readiness == nil)
        for name in graph.names { #expect(graph[name].startTimeout == .seconds(60)) }

        #expect(configuration.coordinator.bind == "tcp://0.0.0.0:7700")
        #expect(configuration.coordinator.shutdownTimeout == .seconds(90))
        let security = try #require(configuration.security)
        #expect(security.serverKeyFile == "keys/coordinator.key_secret", "paths stay as written, as in a Quiesce file")
        #expect(security.agentsDirectory == "keys/agents")
        #expect(security.adminKeyFiles == ["keys/operators/alice.key"])
    }

    @Test("The same fleet as a Quiesce file gives the same configuration")
    func sameAsNative() throws {
        let native = try ConfigurationLoader.load(
            yaml: """
                coordinator: { bind: tcp://0.0.0.0:7700, shutdown_timeout: 90s }
                security: { server_key: keys/coordinator.key_secret, agents_dir: keys/agents, admins: [keys/operators/alice.key] }
                defaults: { start_timeout: 1m }
                services:
                  postgres:
                    stop_timeout: 90s
                    readiness: { exec: pg_isready -U postgres, interval: 2s, timeout: 1500ms, failure_threshold: 5, initial_delay: 10s }
                  redis:
                    readiness: { exec: "redis-cli ping | grep -q PONG" }
                  api: { depends_on: [postgres, redis], drain: 5s, stop_timeout: 20s }
                  worker: { depends_on: [api, redis] }
                """, file: "quiesce.yaml")
        let imported = try ComposeImporter.load(yaml: Self.fleet, file: "compose.yaml")
        #expect(imported.coordinator == native.coordinator)
        #expect(imported.security == native.security)
        // Lines differ between the two files; everything else must not.
        for name in native.graph.names {
            var expected = native.graph[name]
            expected.line = imported.graph[name].line
            #expect(imported.graph[name] == expected)
        }
    }
}

@Suite("Compose files: the mapping")
struct ComposeMappingTests {
    @Test("A file without x-quiesce takes every default")
    func defaults() throws {
        let configuration = try ComposeImporter.load(yaml: "services:\n  solo:\n    image: alpine\n", file: "c.yaml")
        #expect(configuration.coordinator == CoordinatorSettings())
        #expect(configuration.security == nil)
        #expect(configuration.graph["solo"] == ServiceSpec(name: "solo", line: 2))
    }

    @Test("depends_on in its short and long forms; restart: and required: true are accepted")
    func dependsOnForms() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  a: {}
                  b: { depends_on: [a] }
                  c:
                    depends_on:
                      a:
                      b: { condition: service_started, restart: false, required: true }
                """, file: "c.yaml"
        ).graph
        #expect(graph.dependencies(of: "b") == ["a"])
        #expect(graph.dependencies(of: "c") == ["a", "b"])
    }

    @Test("Entries naming an unmanaged service stay out of the graph, whatever their condition")
    func unmanagedDependencies() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  api:
                    depends_on:
                      migrate: { condition: service_completed_successfully }
                      proxy: { condition: service_healthy, required: false }
                      database: { condition: service_started }
                  worker:
                    depends_on: [proxy, api]
                  database: {}
                  migrate: { x-quiesce: false }
                  proxy: { x-quiesce: false }
                """, file: "c.yaml"
        ).graph
        #expect(graph.names == ["api", "worker", "database"])
        #expect(graph.dependencies(of: "api") == ["database"])
        #expect(graph.dependencies(of: "worker") == ["api"])
    }

    @Test("A dependency through unmanaged services is kept: api still stops before the database its migration needs")
    func dependenciesThroughUnmanagedServices() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  api:
                    depends_on:
                      migrate: { condition: service_completed_successfully }
                  migrate:
                    depends_on: [seed]
                    x-quiesce: false
                  seed:
                    depends_on: [database, migrate]
                    x-quiesce: false
                  database: {}
                  cache: {}
                """, file: "c.yaml"
        ).graph
        #expect(graph.names == ["api", "database", "cache"])
        #expect(graph.dependencies(of: "api") == ["database"])
        #expect(Plan(graph: graph).shutdownWaves == [["api", "cache"], ["database"]])
    }

    @Test("x-quiesce: true and an empty x-quiesce leave a service managed")
    func managedMarks() throws {
        let graph = try ComposeImporter.load(
            yaml: "services:\n  a: { x-quiesce: true }\n  b:\n    x-quiesce:\n", file: "c.yaml"
        ).graph
        #expect(graph.names == ["a", "b"])
    }

    @Test(
        "A healthcheck's test becomes an exec probe; CMD arguments are quoted for /bin/sh",
        arguments: [
            (#"["CMD", "pg_isready", "-U", "postgres"]"#, "pg_isready -U postgres"),
            (
                #"["CMD", "curl", "-f", "http://localhost:8080/health?full=1"]"#,
                "curl -f 'http://localhost:8080/health?full=1'"
            ),
            (#"["CMD", "test", "it's here", ""]"#, #"test 'it'\''s here' ''"#),
            (#"["CMD", "echo", "$$HOME", "a;b", "*"]"#, "echo '$HOME' 'a;b' '*'"),
            (
                #"["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]"#,
                "pg_isready -U ${POSTGRES_USER:-postgres}"
            ),
            (#"curl -f http://localhost/ || exit 1"#, "curl -f http://localhost/ || exit 1"),
        ])
    func healthcheckTest(test: String, command: String) throws {
        let yaml = "services:\n  web:\n    healthcheck:\n      test: \(test)\n"
        let probe = try #require(try ComposeImporter.load(yaml: yaml, file: "c.yaml").graph["web"].readiness)
        #expect(probe == ReadinessProbe(check: .exec(command: command)))
    }

    @Test("NONE and disable: true give no readiness")
    func disabledHealthchecks() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  a: { healthcheck: { test: ["NONE"] } }
                  b: { healthcheck: { disable: true } }
                  c: { healthcheck: { disable: false, test: "true" } }
                """, file: "c.yaml"
        ).graph
        #expect(graph["a"].readiness == nil)
        #expect(graph["b"].readiness == nil)
        #expect(graph["c"].readiness?.check == .exec(command: "true"))
    }

    @Test("start_interval is docker's alone and is ignored")
    func startInterval() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  a: { healthcheck: { test: "true", start_interval: 1s, interval: 3s } }
                """, file: "c.yaml"
        ).graph
        #expect(graph["a"].readiness == ReadinessProbe(check: .exec(command: "true"), interval: .seconds(3)))
    }

    @Test("x-quiesce settings win over what compose's keys map to, and its readiness replaces the healthcheck")
    func extensionWins() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                x-quiesce:
                  defaults: { stop_timeout: 3s, start_timeout: 5s }
                services:
                  db:
                    stop_grace_period: 30s
                    healthcheck: { test: ["CMD", "never-run"], interval: 0s }
                    x-quiesce:
                      stop_timeout: 45s
                      readiness: { tcp: "127.0.0.1:5432" }
                      restart: on-failure
                      restart_limit: 2
                      on_unreachable: wait
                  web:
                    stop_grace_period: 1m
                  plain: {}
                """, file: "c.yaml"
        ).graph
        #expect(graph["db"].stopTimeout == .seconds(45))
        #expect(graph["db"].readiness == ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432)))
        #expect(graph["db"].restart == RestartPolicy(mode: .onFailure, limit: 2))
        #expect(graph["db"].waitsWhenUnreachable)
        #expect(graph["db"].startTimeout == .seconds(5))
        #expect(graph["web"].stopTimeout == .seconds(60))
        #expect(graph["plain"].stopTimeout == .seconds(3))
    }

    @Test("service_healthy is satisfied by x-quiesce.readiness as well as by a healthcheck")
    func healthyThroughReadiness() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                services:
                  db: { x-quiesce: { readiness: { tcp: "127.0.0.1:5432" } } }
                  api: { depends_on: { db: { condition: service_healthy } } }
                """, file: "c.yaml"
        ).graph
        #expect(graph.dependencies(of: "api") == ["db"])
    }

    @Test("YAML merge keys are applied as docker compose applies them; the service's own keys win")
    func mergeKeys() throws {
        let graph = try ComposeImporter.load(
            yaml: """
                x-service: &service
                  stop_grace_period: 15s
                  healthcheck: { test: ["CMD", "true"], interval: 5s }
                x-quick: &quick
                  stop_grace_period: 1s
                  depends_on: [db]
                services:
                  db:
                    <<: *service
                  api:
                    <<: [*quick, *service]
                    stop_grace_period: 20s
                  worker:
                    <<: [*quick, *service]
                """, file: "c.yaml"
        ).graph
        #expect(graph["db"].stopTimeout == .seconds(15))
        #expect(graph["db"].readiness == ReadinessProbe(check: .exec(command: "true"), interval: .seconds(5)))
        #expect(graph["api"].stopTimeout == .seconds(20))
        #expect(graph["worker"].stopTimeout == .seconds(1), "of several merged mappings, the first wins")
        #expect(graph.dependencies(of: "worker") == ["db"])
    }

    @Test("Keys that are docker's business are ignored, in services and at the top level")
    func ignoredKeys() throws {
        let configuration = try ComposeImporter.load(
            yaml: """
                version: "3.9"
                name: demo
                networks: { back: {} }
                volumes: { data: {} }
                secrets: { token: { file: ./token } }
                x-anything: { depends_on: [nowhere] }
                services:
                  web:
                    image: nginx
                    build: { context: . }
                    ports: ["80:80"]
                    volumes: ["data:/data"]
                    environment: ["A=${A}"]
                    networks: [back]
                    command: nginx -g 'daemon off;'
                    entrypoint: ["quiesce", "agent"]
                    restart: always
                    stop_signal: SIGQUIT
                    profiles: [web]
                    deploy: { replicas: 1 }
                    x-other: { anything: 1 }
                """, file: "c.yaml")
        #expect(configuration.graph["web"] == ServiceSpec(name: "web", line: 8))
    }
}

@Suite("Compose files: refusals")
struct ComposeRefusalTests {
    @Test("service_healthy on a service without a healthcheck asks for one")
    func healthyWithoutHealthcheck() {
        #expect(
            composeProblems(
                """
                services:
                  db: {}
                  cache:
                    healthcheck: { test: ["NONE"] }
                  api:
                    depends_on:
                      db: { condition: service_healthy }
                      cache:
                        condition: service_healthy
                """) == [
                    #"compose.yaml:7: service "api" depends on "db" being healthy but "db" has no healthcheck; add a healthcheck or x-quiesce.readiness to "db""#,
                    #"compose.yaml:9: service "api" depends on "cache" being healthy but "cache" has no healthcheck; add a healthcheck or x-quiesce.readiness to "cache""#,
                ])
    }

    @Test("A broken healthcheck is reported once, not also as missing")
    func brokenHealthcheckReportedOnce() {
        #expect(
            composeProblems(
                """
                services:
                  db:
                    healthcheck: { test: ["CMD"] }
                  api: { depends_on: { db: { condition: service_healthy } } }
                """) == [#"compose.yaml:3: the test of healthcheck of "db" needs a command after "CMD""#])
    }

    @Test("service_completed_successfully on a managed service asks to mark the one-shot x-quiesce: false")
    func completedSuccessfully() {
        #expect(
            composeProblems(
                """
                services:
                  keys: { image: quiesce }
                  api:
                    depends_on:
                      keys:
                        condition: service_completed_successfully
                """) == [
                    #"compose.yaml:6: service "api" depends on "keys" completing successfully, but Quiesce manages long-running services; mark the one-shot service "keys" x-quiesce: false to leave it to docker compose"#
                ])
    }

    @Test("required: false on a managed service is refused: Quiesce has no optional dependencies")
    func optionalDependency() {
        #expect(
            composeProblems(
                """
                services:
                  cache: {}
                  api:
                    depends_on:
                      cache:
                        condition: service_started
                        required: false
                """) == [
                    #"compose.yaml:7: service "api" depends on "cache" with required: false, but Quiesce has no optional dependencies; remove required: false, or mark "cache" x-quiesce: false to leave it to docker compose"#
                ])
    }

    @Test("Unknown long-form keys, unknown conditions and a bad required are refused")
    func badLongForm() {
        #expect(
            composeProblems(
                """
                services:
                  db: {}
                  api:
                    depends_on:
                      db:
                        conditon: service_healthy
                  web:
                    depends_on:
                      db: { condition: service_ready, required: maybe }
                  worker:
                    depends_on: db
                """) == [
                    #"compose.yaml:6: unknown key "conditon" in depends_on "db" of "api" (did you mean "condition"?)"#,
                    #"compose.yaml:9: condition of depends_on "db" of "web" must be service_started, service_healthy or service_completed_successfully"#,
                    #"compose.yaml:9: required of depends_on "db" of "web" must be true or false"#,
                    #"compose.yaml:11: depends_on of "worker" must be a list; write depends_on: [db]"#,
                ])
    }

    @Test("depends_on inside x-quiesce is refused: dependencies are declared once")
    func dependsOnInExtension() {
        #expect(
            composeProblems(
                """
                services:
                  db: {}
                  api:
                    x-quiesce:
                      drain: 2s
                      depends_on: [db]
                      stop_timout: 5s
                """) == [
                    #"compose.yaml:6: x-quiesce of "api" may not hold depends_on; declare dependencies once, in compose's depends_on"#,
                    #"compose.yaml:7: unknown key "stop_timout" in x-quiesce of "api" (did you mean "stop_timeout"?)"#,
                ])
    }

    @Test("x-quiesce of a service must be false or a mapping")
    func badExtensionValue() {
        #expect(
            composeProblems("services:\n  a: { x-quiesce: off-ish }\n  b: {}\n") == [
                #"compose.yaml:2: x-quiesce of "a" must be false (not managed by Quiesce) or a mapping of Quiesce service settings"#
            ])
    }

    @Test("extends and include are refused, with the command that resolves them")
    func extendsAndInclude() {
        #expect(
            composeProblems(
                """
                include:
                  - base.yaml
                services:
                  api:
                    extends:
                      file: base.yaml
                      service: web
                """) == [
                    "compose.yaml:1: include: pulls in services from other files; resolve it first with docker compose config > resolved.yaml and pass that file",
                    #"compose.yaml:5: service "api" uses extends, which changes its settings; resolve it first with docker compose config > resolved.yaml and pass that file"#,
                ])
    }

    @Test("Variables in the values Quiesce reads are refused; elsewhere they are docker's business")
    func interpolation() {
        #expect(
            composeProblems(
                """
                services:
                  db:
                    environment: { PASSWORD: "${PASSWORD}" }
                    stop_grace_period: ${GRACE:-10s}
                    healthcheck:
                      test: ["CMD-SHELL", "pg_isready -U $POSTGRES_USER"]
                """) == [
                    #"compose.yaml:4: "${GRACE:-10s}" needs variables only docker compose knows; resolve them first with docker compose config > resolved.yaml and pass that file (or write $$ for a literal $)"#,
                    #"compose.yaml:6: "pg_isready -U $POSTGRES_USER" needs variables only docker compose knows; resolve them first with docker compose config > resolved.yaml and pass that file (or write $$ for a literal $)"#,
                ])
    }

    @Test("A file with no managed services is refused")
    func nothingToManage() {
        #expect(
            composeProblems("services:\n  coordinator: { x-quiesce: false }\n  keys: { x-quiesce: false }\n") == [
                "compose.yaml:1: every service has x-quiesce: false, which leaves Quiesce nothing to manage; remove it from the long-running services"
            ])
        #expect(
            composeProblems("services: {}\n") == ["compose.yaml:1: services: is empty; declare at least one service"])
        #expect(
            composeProblems("name: demo\n") == ["compose.yaml: no services: block; declare the services to coordinate"])
        #expect(composeProblems("") == ["compose.yaml:1: the file is empty; declare services:"])
    }

    @Test("The graph is validated as a Quiesce file's: unknown names with did-you-mean, cycles, at the services' lines")
    func graphValidation() {
        #expect(
            composeProblems(
                """
                services:
                  database: {}
                  api:
                    depends_on: [databse]
                  worker:
                    depends_on:
                      queue: { condition: service_started }
                  queue:
                    depends_on: [worker]
                """) == [
                    #"compose.yaml:3: service "api" depends on unknown service "databse" (did you mean "database"?)"#,
                    "compose.yaml:5: dependency cycle: worker -> queue -> worker; remove one of these dependencies",
                ])
    }

    @Test("Healthchecks that cannot be mapped are refused at their lines")
    func badHealthchecks() {
        #expect(
            composeProblems(
                """
                services:
                  a:
                    healthcheck: { interval: 5s }
                  b:
                    healthcheck: { test: ["CMD-SHELL", "a", "b"] }
                  c:
                    healthcheck: { test: ["SHELL", "true"] }
                  d:
                    healthcheck: { test: "true", interval: 0s, timeout: fast, retries: 0, disable: sometimes, tset: x }
                  e:
                    healthcheck: { test: { cmd: "true" } }
                  f:
                    healthcheck: { test: " " }
                """) == [
                    #"compose.yaml:3: healthcheck of "a" has no test, and Quiesce cannot see the image's HEALTHCHECK; add test: or x-quiesce.readiness"#,
                    #"compose.yaml:5: the test of healthcheck of "b" takes one shell command after "CMD-SHELL", like ["CMD-SHELL", "pg_isready -U postgres"]"#,
                    #"compose.yaml:7: the test of healthcheck of "c" must begin with "CMD", "CMD-SHELL" or "NONE""#,
                    #"compose.yaml:9: unknown key "tset" in healthcheck of "d" (did you mean "test"?)"#,
                    #"compose.yaml:9: disable in healthcheck of "d" must be true or false"#,
                    #"compose.yaml:11: the test of healthcheck of "e" must be a command, or a list like ["CMD", "pg_isready", "-U", "postgres"]"#,
                    #"compose.yaml:13: the test of healthcheck of "f" is an empty command"#,
                ])
        #expect(
            composeProblems(
                """
                services:
                  d:
                    healthcheck:
                      test: "true"
                      interval: 0s
                      timeout: fast
                      retries: 0
                """) == [
                    "compose.yaml:5: this duration must be more than 0",
                    #"compose.yaml:6: timeout: "fast" is not a duration; write it like 10s, 1m30s or 300ms"#,
                    #"compose.yaml:7: retries in healthcheck of "d" must be a whole number of at least 1"#,
                ])
    }

    @Test("A compose service's name follows the same rule as a Quiesce file's")
    func badServiceName() {
        #expect(
            composeProblems("services:\n  \"caf\u{E9}\":\n    image: x\n")
                == [#"compose.yaml:2: service name "caf\#u{E9}" may hold only letters, digits, '-', '_' and '.'"#])
    }

    @Test("stop_grace_period must be a Go duration")
    func badGracePeriod() {
        #expect(
            composeProblems("services:\n  a:\n    stop_grace_period: 10 seconds\n") == [
                #"compose.yaml:3: stop_grace_period: "10 seconds" is not a duration; write it like 10s, 1m30s or 300ms"#
            ])
    }

    @Test("The top-level x-quiesce holds the native blocks only, with their native validation")
    func topLevelExtension() {
        #expect(
            composeProblems(
                """
                x-quiesce:
                  coordinator:
                    bind: localhost
                    shutdown_timeout: 1m30s
                  services: {}
                  security:
                    server_key: /k/c.key_secret
                    agents: { apii: /k/api.key }
                services:
                  api: {}
                """) == [
                    "compose.yaml:3: bind must be a ZeroMQ endpoint like tcp://0.0.0.0:7700 or ipc:///run/quiesce.sock",
                    #"compose.yaml:4: shutdown_timeout: "1m30s" is not a duration; write a number with ms, s or m, like 10s"#,
                    #"compose.yaml:5: unknown key "services" in x-quiesce; known keys: coordinator, defaults, security"#,
                ])
        #expect(
            composeProblems(
                """
                x-quiesce:
                  security:
                    server_key: /k/c.key_secret
                    agents: { apii: /k/api.key }
                services:
                  api: {}
                """) == [#"compose.yaml:3: security.agents names unknown service "apii""#],
            "at the block's first line, as in a Quiesce file")
    }

    @Test("A service declared twice is a YAML-level error, reported alone")
    func duplicateService() {
        #expect(
            composeProblems("services:\n  api: {}\n  db: {}\n  api: {}\n") == [
                #"compose.yaml:2: "api" is declared more than once; keep one"#
            ])
    }
}
