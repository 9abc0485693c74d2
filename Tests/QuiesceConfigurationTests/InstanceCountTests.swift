import QuiesceConfiguration
import QuiesceCore
import Testing

@Suite("Instance counts: instances, min_ready and deploy.replicas")
struct InstanceCountTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test("instances and min_ready default to 1, and are read per service")
    func readAndDefaults() throws {
        let yaml = """
            services:
              db:
                instances: 3
                min_ready: 2
              api:
                depends_on: [db]
                instances: 2
              solo: {}
            """
        let graph = try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml").graph
        #expect(graph["db"].instances == 3)
        #expect(graph["db"].minReady == 2)
        #expect(graph["api"].instances == 2)
        #expect(graph["api"].minReady == 1)
        #expect(graph["solo"].instances == 1)
        #expect(graph["solo"].minReady == 1)
    }

    @Test(
        "A count out of bounds names the file, the line and the fix",
        arguments: [
            ("instances: 0", #"fleet.yaml:3: service "db": instances must be at least 1"#),
            ("instances: 10001", #"fleet.yaml:3: service "db": instances must be at most 10000"#),
            ("min_ready: 0", #"fleet.yaml:3: service "db": min_ready must be at least 1"#),
            (
                "min_ready: 2",
                #"fleet.yaml:3: service "db": min_ready (2) must be at most instances (1); lower min_ready or raise instances"#
            ),
            ("instances: three", #"fleet.yaml:3: instances: "three" is not a whole number; write it as 3"#),
            ("instances: 2.5", #"fleet.yaml:3: instances: "2.5" is not a whole number; write it as 3"#),
        ])
    func outOfBounds(setting: String, expected: String) {
        #expect(problems("services:\n  db:\n    \(setting)\n") == [expected])
    }

    @Test("Compose's deploy.replicas is the service's instances; x-quiesce may set min_ready and wins")
    func composeReplicas() throws {
        let yaml = """
            services:
              db:
                image: postgres
                deploy:
                  replicas: 3
                x-quiesce:
                  min_ready: 2
              api:
                image: api
                deploy: { replicas: 2 }
                depends_on: [db]
              worker:
                image: worker
                deploy: { replicas: 4 }
                x-quiesce: { instances: 5 }
              single:
                image: single
            """
        let graph = try ComposeImporter.load(yaml: yaml, file: "compose.yaml").graph
        #expect(graph["db"].instances == 3)
        #expect(graph["db"].minReady == 2)
        #expect(graph["api"].instances == 2)
        #expect(graph["worker"].instances == 5)
        #expect(graph["single"].instances == 1)
    }

    @Test("deploy.replicas: 0 names the line and says why")
    func composeZeroReplicas() {
        let yaml = """
            services:
              db:
                image: postgres
                deploy:
                  replicas: 0
            """
        #expect(
            composeProblems(yaml) == [
                #"compose.yaml:5: deploy.replicas of "db": instances must be at least 1; a service Quiesce manages runs at least 1"#
            ])
    }
}
