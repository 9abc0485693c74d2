import QuiesceConfiguration
import QuiesceCore
import Testing

@Suite("A compose file given as a Quiesce file, and the reverse")
struct FileConfusionTests {
    static func quiesceProblems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test(
        "A compose file given to --config is named as one, with the flag to use instead, alone",
        arguments: [
            ("version: \"3\"\nservices:\n  db: { image: postgres }\n", "version", 1),
            ("services:\n  db:\n    image: postgres\n", "image", 3),
            ("x-common: &common {}\nservices:\n  db: {}\n", "x-common", 1),
        ])
    func composeAsQuiesce(yaml: String, evidence: String, line: Int) {
        #expect(
            Self.quiesceProblems(yaml) == [
                "fleet.yaml:\(line): this is a docker compose file (it has \(evidence)), not a Quiesce file; give it with --compose FILE instead of --config"
            ])
    }

    @Test("A Quiesce file given to --compose is refused instead of losing its stop_timeout")
    func quiesceAsCompose() {
        let problems = composeProblems(
            """
            defaults: { stop_timeout: 20s }
            services:
              database: { stop_timeout: 30s }
              api: { depends_on: [database], readiness: { tcp: "127.0.0.1:80" } }
            """)
        #expect(
            problems == [
                "compose.yaml:1: defaults: is a Quiesce block: in a compose file it goes under x-quiesce:; if this is a Quiesce file, give it with --config FILE instead of --compose",
                "compose.yaml:3: service \"database\": stop_timeout is a Quiesce setting, which compose ignores; put it under the service's x-quiesce: (stop_timeout: write compose's stop_grace_period), or give a Quiesce file with --config FILE",
                "compose.yaml:4: service \"api\": readiness is a Quiesce setting, which compose ignores; put it under the service's x-quiesce: (stop_timeout: write compose's stop_grace_period), or give a Quiesce file with --config FILE",
            ])
    }

    @Test("Compose's restart: is its own key, not a Quiesce setting out of place")
    func composeRestart() {
        #expect(composeProblems("services:\n  db: { image: postgres, restart: on-failure }\n") == [])
    }
}

@Suite("Compose keys that order services or undo the order")
struct ComposeImpliedOrderTests {
    @Test("links, volumes_from and network_mode: service: order services as depends_on does")
    func impliedDependencies() throws {
        let configuration = try ComposeImporter.load(
            yaml: """
                services:
                  db: { image: postgres }
                  cache: { image: redis }
                  files: { image: busybox }
                  api:
                    image: api
                    links: ["db:database"]
                    volumes_from: ["files:ro", "container:outside"]
                    network_mode: service:cache
                    depends_on: [db]
                """, file: "compose.yaml")
        #expect(Set(configuration.graph["api"].dependencies) == ["db", "cache", "files"])
        #expect(configuration.graph["api"].dependencies.count == 3, "db once")
        #expect(Plan(graph: configuration.graph).shutdownWaves == [["api"], ["cache", "db", "files"]])
        #expect(configuration.warnings.isEmpty)
    }

    @Test("restart: always and unless-stopped, and stop_signal, are warned about at their line")
    func warnings() throws {
        let configuration = try ComposeImporter.load(
            yaml: """
                services:
                  db:
                    image: postgres
                    restart: unless-stopped
                    stop_signal: SIGINT
                  cache: { image: redis, restart: on-failure }
                """, file: "compose.yaml")
        #expect(configuration.warnings.map(\.line) == [4, 5])
        #expect(
            configuration.warnings[0].message.hasPrefix("service \"db\": restart: unless-stopped makes docker start"))
        #expect(configuration.warnings[1].message.contains("give the agent --stop-signal SIGINT"))
    }

    @Test("An unmanaged service's keys are docker's business: no warning")
    func unmanaged() throws {
        let configuration = try ComposeImporter.load(
            yaml: "services:\n  db: {}\n  migrate: { restart: always, x-quiesce: false }\n", file: "compose.yaml")
        #expect(configuration.warnings.isEmpty)
    }
}
