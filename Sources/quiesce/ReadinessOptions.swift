import ArgumentParser
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

    @Option(name: .customLong("ready-interval"), help: "Time between two checks.")
    var interval: String = "1s"

    @Option(name: .customLong("ready-timeout"), help: "How long one check may take.")
    var timeout: String = "1s"

    @Option(
        name: .customLong("ready-failure-threshold"),
        help: "Consecutive failures, once ready, that make the service unready.")
    var failureThreshold: Int = 3

    @Option(name: .customLong("ready-initial-delay"), help: "Wait before the first check.")
    var initialDelay: String = "0s"

    /// The probe the flags describe, `nil` when none of --ready-tcp, --ready-http, --ready-exec is given.
    func probe() throws -> ReadinessProbe? {
        let given = [tcp, http, exec].compactMap { $0 }
        guard !given.isEmpty else { return nil }
        guard given.count == 1 else {
            throw ValidationError("give only one of --ready-tcp, --ready-http and --ready-exec")
        }
        let check: ReadinessProbe.Check
        if let tcp {
            guard let parsed = ReadinessProbe.Check.tcp(tcp) else {
                throw ValidationError("--ready-tcp: write HOST:PORT, like 127.0.0.1:5432")
            }
            check = parsed
        } else if let http {
            guard let parsed = ReadinessProbe.Check.http(http) else {
                throw ValidationError("--ready-http: write a URL, like http://127.0.0.1:8080/healthz")
            }
            check = parsed
        } else {
            guard let parsed = ReadinessProbe.Check.exec(exec!) else {
                throw ValidationError("--ready-exec: give a command")
            }
            check = parsed
        }
        return ReadinessProbe(
            check: check, interval: try duration(interval, flag: "--ready-interval", positive: true),
            timeout: try duration(timeout, flag: "--ready-timeout", positive: true),
            failureThreshold: try threshold(),
            initialDelay: try duration(initialDelay, flag: "--ready-initial-delay", positive: false))
    }

    private func duration(_ text: String, flag: String, positive: Bool) throws -> Duration {
        guard let value = Duration(configurationText: text), !positive || value > .zero else {
            throw ValidationError("\(flag): write a duration\(positive ? " above 0" : ""), like 1s or 500ms")
        }
        return value
    }

    private func threshold() throws -> Int {
        guard failureThreshold > 0 else { throw ValidationError("--ready-failure-threshold must be at least 1") }
        return failureThreshold
    }
}
