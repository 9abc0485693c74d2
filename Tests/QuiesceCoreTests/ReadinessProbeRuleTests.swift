import Testing

@testable import QuiesceCore

@Suite("Readiness probe rules")
struct ReadinessProbeRuleTests {
    typealias Check = ReadinessProbe.Check

    @Test("Exactly one well-formed check is a check")
    func validChecks() throws {
        #expect(try Check(tcp: "127.0.0.1:5432") == .tcp(host: "127.0.0.1", port: 5432))
        #expect(try Check(tcp: "[::1]:6379") == .tcp(host: "::1", port: 6379))
        #expect(try Check(http: "https://example.com/healthz") == .http(url: "https://example.com/healthz"))
        #expect(try Check(exec: "pg_isready -h 127.0.0.1") == .exec(command: "pg_isready -h 127.0.0.1"))
    }

    @Test("None, or more than one, is refused before any is parsed")
    func countOfChecks() {
        #expect(throws: Check.Problem.missing) { try Check() }
        #expect(throws: Check.Problem.several) { try Check(tcp: "a:1", exec: "true") }
        #expect(throws: Check.Problem.several) { try Check(tcp: "bad", http: "bad", exec: "") }
    }

    @Test(
        "A malformed check names its kind",
        arguments: [
            (Check.Kind.tcp, "localhost"), (.tcp, "a:0"), (.tcp, "a:65536"), (.tcp, ":80"), (.tcp, "[]:80"),
            (.http, "ftp://x"), (.http, "http://"), (.exec, ""), (.exec, "  \t"),
        ])
    func malformedChecks(kind: Check.Kind, text: String) {
        #expect(throws: Check.Problem.invalid(kind)) {
            switch kind {
            case .tcp: try Check(tcp: text)
            case .http: try Check(http: text)
            case .exec: try Check(exec: text)
            }
        }
    }

    @Test("Each problem says what is wrong")
    func checkProblemDescriptions() {
        #expect(Check.Problem.missing.description == "give one of tcp, http and exec")
        #expect(Check.Problem.several.description == "give only one of tcp, http and exec")
        #expect(Check.Problem.invalid(.tcp).description == "tcp must be HOST:PORT, like 127.0.0.1:5432 or [::1]:6379")
        #expect(Check.Problem.invalid(.http).description == "http must be an http:// or https:// URL")
        #expect(Check.Problem.invalid(.exec).description == "exec must be a command")
    }

    @Test("Settings within the rules make the probe")
    func validSettings() throws {
        let probe = try ReadinessProbe(
            validating: .exec(command: "true"), interval: .milliseconds(250), timeout: .seconds(2),
            failureThreshold: 1, initialDelay: .zero)
        #expect(
            probe
                == ReadinessProbe(
                    check: .exec(command: "true"), interval: .milliseconds(250), timeout: .seconds(2),
                    failureThreshold: 1, initialDelay: .zero))
    }

    @Test("Every setting that breaks its rule is named, in the order of the parameters")
    func invalidSettings() {
        #expect(
            throws: ReadinessProbe.InvalidSettings(settings: [.interval, .timeout, .failureThreshold, .initialDelay])
        ) {
            try ReadinessProbe(
                validating: .exec(command: "true"), interval: .zero, timeout: .seconds(-1), failureThreshold: 0,
                initialDelay: .milliseconds(-1))
        }
        #expect(throws: ReadinessProbe.InvalidSettings(settings: [.timeout])) {
            try ReadinessProbe(
                validating: .exec(command: "true"), interval: .seconds(1), timeout: .zero, failureThreshold: 3,
                initialDelay: .zero)
        }
        #expect(
            ReadinessProbe.InvalidSettings(settings: [.interval, .failureThreshold]).description
                == "interval must be more than 0 and at most 24 hours; failure threshold must be at least 1")
        #expect(ReadinessProbe.Setting.timeout.description == "timeout must be more than 0 and at most 24 hours")
        #expect(
            ReadinessProbe.Setting.initialDelay.description
                == "initial delay must not be negative nor more than 24 hours")
    }

    @Test("The initial interval must be more than 0 and at most 24 hours")
    func initialInterval() throws {
        for broken in [Duration.zero, .milliseconds(-1), .longestSetting + .milliseconds(1)] {
            #expect(throws: ReadinessProbe.InvalidSettings(settings: [.initialInterval])) {
                try ReadinessProbe(
                    validating: .exec(command: "true"), interval: .seconds(1), timeout: .seconds(1),
                    failureThreshold: 3, initialDelay: .zero, initialInterval: broken)
            }
        }
        let probe = try ReadinessProbe(
            validating: .exec(command: "true"), interval: .seconds(1), timeout: .seconds(1), failureThreshold: 3,
            initialDelay: .zero, initialInterval: .seconds(5))
        #expect(probe.initialInterval == .seconds(5), "longer than the interval: quick checks off")
        #expect(
            ReadinessProbe.Setting.initialInterval.description
                == "initial interval must be more than 0 and at most 24 hours")
    }

    @Test("No duration of a probe may be longer than the longest setting, 24 hours; 24 hours itself is allowed")
    func longestDurations() throws {
        let longest = Duration.longestSetting
        let beyond = longest + .milliseconds(1)
        #expect(throws: ReadinessProbe.InvalidSettings(settings: [.interval, .timeout, .initialDelay])) {
            try ReadinessProbe(
                validating: .tcp(host: "127.0.0.1", port: 1), interval: beyond, timeout: .milliseconds(1 << 31),
                failureThreshold: 3, initialDelay: beyond)
        }
        let probe = try ReadinessProbe(
            validating: .tcp(host: "127.0.0.1", port: 1), interval: longest, timeout: longest, failureThreshold: 3,
            initialDelay: longest)
        #expect(probe.timeout == .seconds(86_400))
    }
}
