import Dispatch
import QuiesceCore
import QuiesceRuntime

/// Runs readiness checks off the reactor thread, one at a time, and posts each result to ``results``
/// (`nil` when the check passed, else why it failed).
final class ProbeRunner: @unchecked Sendable {
    let results = Mailbox<String?>()
    private let queue = DispatchQueue(label: "quiesce.probe")

    func run(_ probe: ReadinessProbe) {
        queue.async { [results] in
            results.post(Self.check(probe.check, timeout: probe.timeout))
        }
    }

    static func check(_ check: ReadinessProbe.Check, timeout: Duration) -> String? {
        switch check {
        case .tcp(let host, let port): TCPCheck.run(host: host, port: port, timeout: timeout)
        case .http(let url): HTTPCheck.run(url: url, timeout: timeout)
        case .exec(let command): ExecCheck.run(command: command, timeout: timeout)
        }
    }
}
