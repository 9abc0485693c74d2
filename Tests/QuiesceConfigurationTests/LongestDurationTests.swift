import QuiesceConfiguration
import QuiesceCore
import Testing

@Suite("Durations longer than 24 hours are refused where a file gives them")
struct LongestDurationTests {
    @Test(
        "A Quiesce file's duration past 24 hours is refused at its line, whatever the setting",
        arguments: [
            ("    readiness: { tcp: \"127.0.0.1:5432\", timeout: 40000m }", "timeout: \"40000m\""),
            ("    readiness: { tcp: \"127.0.0.1:5432\", interval: 86400001ms }", "interval: \"86400001ms\""),
            ("    stop_timeout: 1441m", "stop_timeout: \"1441m\""),
            ("    restart: always\n    restart_backoff: 90000s", "restart_backoff: \"90000s\""),
        ])
    func quiesceFile(setting: String, refused: String) {
        let yaml = "services:\n  database:\n\(setting)\n"
        let line = setting.contains("\n") ? 4 : 3
        #expect(
            Self.problems { try ConfigurationLoader.load(yaml: yaml, file: "q.yaml") } == [
                "q.yaml:\(line): \(refused) is longer than 24 hours (1440m), the longest a duration may be"
            ])
    }

    @Test("The coordinator's durations are bounded too")
    func coordinatorBlock() {
        let yaml = "coordinator:\n  shutdown_timeout: 2000m\nservices:\n  api: {}\n"
        #expect(
            Self.problems { try ConfigurationLoader.load(yaml: yaml, file: "q.yaml") } == [
                "q.yaml:2: shutdown_timeout: \"2000m\" is longer than 24 hours (1440m), the longest a duration may be"
            ])
    }

    @Test("A compose file's healthcheck timeout and grace period past 24 hours are refused at their lines")
    func composeFile() {
        let yaml = """
            services:
              database:
                healthcheck:
                  test: ["CMD", "pg_isready"]
                  timeout: 1000h
                stop_grace_period: 24h1ns
            """
        #expect(
            Self.problems { try ComposeImporter.load(yaml: yaml, file: "compose.yaml") } == [
                "compose.yaml:5: timeout: \"1000h\" is longer than 24 hours (1440m), the longest a duration may be",
                "compose.yaml:6: stop_grace_period: \"24h1ns\" is longer than 24 hours (1440m), the longest a duration may be",
            ])
    }

    @Test("Exactly 24 hours is allowed")
    func longestAllowed() throws {
        let yaml =
            "services:\n  database:\n    stop_timeout: 1440m\n    readiness: { tcp: \"127.0.0.1:5432\", timeout: 1440m }\n"
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "q.yaml")
        #expect(configuration.graph["database"].stopTimeout == .longestSetting)
        #expect(configuration.graph["database"].readiness?.timeout == .longestSetting)
    }

    @Test("A duration too long for whole milliseconds saturates instead of trapping")
    func millisecondsSaturate() {
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
        #expect(Duration.seconds(Int64.min).milliseconds == .min)
        #expect(Duration.milliseconds(Int64.max).milliseconds == .max)
    }

    /// The lines of the error `load` throws, `[]` when it loads.
    static func problems(_ load: () throws -> Configuration) -> [String] {
        do {
            _ = try load()
            return []
        } catch {
            return "\(error)".split(separator: "\n").map(String.init)
        }
    }
}
