import ArgumentParser
import QuiesceCore
import Testing

@testable import quiesce_agent

@Suite("The agent's readiness flags")
struct ReadinessOptionsTests {
    /// What the flags give: a probe, none, or the message of the error they make.
    enum Outcome: Equatable {
        case success(ReadinessProbe?)
        case failure(String)
    }

    static func probe(_ arguments: [String]) -> Outcome {
        do {
            return .success(try ReadinessOptions.parse(arguments).probe())
        } catch {
            return .failure(ReadinessOptions.message(for: error))
        }
    }

    @Test("No check flag, no probe")
    func none() {
        #expect(Self.probe(["--ready-interval", "2s"]) == .success(nil))
    }

    @Test("The flags make the probe, with the documented defaults")
    func probe() {
        #expect(
            Self.probe(["--ready-tcp", "127.0.0.1:5432"])
                == .success(ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432))))
        #expect(
            Self.probe([
                "--ready-http", "http://127.0.0.1:8080/healthz", "--ready-interval", "250ms", "--ready-timeout", "2s",
                "--ready-failure-threshold", "5", "--ready-initial-delay", "1s",
            ])
                == .success(
                    ReadinessProbe(
                        check: .http(url: "http://127.0.0.1:8080/healthz"), interval: .milliseconds(250),
                        timeout: .seconds(2), failureThreshold: 5, initialDelay: .seconds(1))))
        #expect(
            Self.probe(["--ready-tcp", "127.0.0.1:5432", "--ready-initial-interval", "1s"])
                == .success(ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432), initialInterval: .seconds(1))))
    }

    @Test(
        "Each broken rule is said in terms of its flag",
        arguments: [
            (
                ["--ready-tcp", "a:1", "--ready-exec", "true"],
                "give only one of --ready-tcp, --ready-http and --ready-exec"
            ),
            (["--ready-tcp", "localhost"], "--ready-tcp: write HOST:PORT, like 127.0.0.1:5432"),
            (["--ready-http", "ftp://x"], "--ready-http: write a URL, like http://127.0.0.1:8080/healthz"),
            (["--ready-exec", " "], "--ready-exec: give a command"),
            (
                ["--ready-exec", "true", "--ready-interval", "0s"],
                "--ready-interval: write a duration above 0, like 1s or 500ms"
            ),
            (
                ["--ready-exec", "true", "--ready-timeout", "0ms"],
                "--ready-timeout: write a duration above 0, like 1s or 500ms"
            ),
            (
                ["--ready-exec", "true", "--ready-failure-threshold", "0"],
                "--ready-failure-threshold must be at least 1"
            ),
            (
                ["--ready-exec", "true", "--ready-initial-interval", "0s"],
                "--ready-initial-interval: write a duration above 0, like 10ms or 1s"
            ),
            (
                ["--ready-exec", "true", "--ready-interval", "5"],
                "The value '5' is invalid for '--ready-interval <ready-interval>': add a unit: 5s, 5ms or 5m"
            ),
        ])
    func broken(arguments: [String], message: String) {
        #expect(Self.probe(arguments) == .failure(message))
    }
}
