import Dispatch
import QuiesceCore
import QuiesceRuntime

/// Runs readiness checks off the reactor thread, one at a time, and posts each result to ``results``
/// (`nil` when the check passed, else why it failed).
final class ProbeRunner: @unchecked Sendable {
    let results = Mailbox<String?>()
    private let queue = DispatchQueue(label: "quiesce.probe")
    private let reaper: Reaper

    init(reaper: Reaper) {
        self.reaper = reaper
    }

    func run(_ probe: ReadinessProbe) {
        queue.async { [results, reaper] in
            let error: String? =
                switch probe.check {
                case .tcp(let host, let port): TCPCheck.run(host: host, port: port, timeout: probe.timeout)
                case .http(let url): HTTPCheck.run(url: url, timeout: probe.timeout)
                case .exec(let command): ExecCheck.run(command: command, timeout: probe.timeout, reaper: reaper)
                }
            results.post(error)
        }
    }
}
