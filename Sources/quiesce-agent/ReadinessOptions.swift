import ArgumentParser
import QuiesceCommandLine
import QuiesceCore

/// The agent's readiness probe flags.
struct ReadinessOptions: ParsableArguments {
    @Option(
        name: .customLong("ready-tcp"),
        help: ArgumentHelp("Ready when HOST:PORT accepts a TCP connection.", valueName: "host:port"))
    var tcp: String?

    @Option(
        name: .customLong("ready-http"), help: ArgumentHelp("Ready when GET URL answers 2xx or 3xx.", valueName: "url"))
    var http: String?

    @Option(
        name: .customLong("ready-exec"),
        help: ArgumentHelp("Ready when the shell command exits with 0.", valueName: "command"))
    var exec: String?

    @Option(
        name: .customLong("ready-interval"),
        help: DurationArgument.help("Time between two checks.", default: .seconds(1)),
        transform: DurationArgument.parse)
    var interval: Duration = .seconds(1)

    @Option(
        name: .customLong("ready-timeout"),
        help: DurationArgument.help("How long one check may take.", default: .seconds(1)),
        transform: DurationArgument.parse)
    var timeout: Duration = .seconds(1)

    @Option(
        name: .customLong("ready-failure-threshold"),
        help: "Consecutive failures, once ready, that make the service unready.")
    var failureThreshold: Int = 3

    @Option(
        name: .customLong("ready-initial-delay"),
        help: DurationArgument.help("Wait before the first check.", default: .zero),
        transform: DurationArgument.parse)
    var initialDelay: Duration = .zero

    @Option(
        name: .customLong("ready-initial-interval"),
        help: DurationArgument.help(
            "Shortest time between two checks until one passes (growing to 1/100 of the wait); --ready-interval or more turns fast checks off.",
            default: ReadinessProbe.defaultInitialInterval),
        transform: DurationArgument.parse)
    var initialInterval: Duration = ReadinessProbe.defaultInitialInterval

    /// The probe the flags describe, `nil` when none of --ready-tcp, --ready-http, --ready-exec is given.
    func probe() throws -> ReadinessProbe? {
        guard tcp != nil || http != nil || exec != nil else { return nil }
        let check: ReadinessProbe.Check
        do throws(ReadinessProbe.Check.Problem) {
            check = try ReadinessProbe.Check(tcp: tcp, http: http, exec: exec)
        } catch {
            throw ValidationError(Self.message(for: error))
        }
        do throws(ReadinessProbe.InvalidSettings) {
            return try ReadinessProbe(
                validating: check, interval: interval, timeout: timeout, failureThreshold: failureThreshold,
                initialDelay: initialDelay, initialInterval: initialInterval)
        } catch {
            throw ValidationError(Self.message(for: error.settings[0]))
        }
    }

    /// A problem of the check, in terms of the flags.
    private static func message(for problem: ReadinessProbe.Check.Problem) -> String {
        switch problem {
        case .missing: "give one of --ready-tcp, --ready-http and --ready-exec"
        case .several: "give only one of --ready-tcp, --ready-http and --ready-exec"
        case .invalid(.tcp): "--ready-tcp: write HOST:PORT, like 127.0.0.1:5432"
        case .invalid(.http): "--ready-http: write a URL, like http://127.0.0.1:8080/healthz"
        case .invalid(.exec): "--ready-exec: give a command"
        }
    }

    /// A setting that breaks its rule, in terms of its flag.
    private static func message(for setting: ReadinessProbe.Setting) -> String {
        switch setting {
        case .interval: "--ready-interval: write a duration above 0, like 1s or 500ms"
        case .timeout: "--ready-timeout: write a duration above 0, like 1s or 500ms"
        case .failureThreshold: "--ready-failure-threshold must be at least 1"
        case .initialDelay: "--ready-initial-delay: write a duration, like 1s or 500ms"
        case .initialInterval: "--ready-initial-interval: write a duration above 0, like 10ms or 1s"
        }
    }
}
