import Dispatch
import QuiesceCore
import QuiesceRuntime

/// Runs what may block (readiness checks, stop commands) off the reactor thread, one at a time, and
/// posts each result to ``results``.
final class BackgroundRunner: @unchecked Sendable {
    /// What finished, with `nil` on success or why it failed.
    enum Result: Sendable {
        case probe(error: String?)
        case stopCommand(error: String?)
    }

    let results = Mailbox<Result>()
    private let queue = DispatchQueue(label: "quiesce.background")
    private let reaper: Reaper

    init(reaper: Reaper) {
        self.reaper = reaper
    }

    func run(_ probe: ReadinessProbe) {
        queue.async { [results, reaper] in
            let error: String? =
                switch probe.check {
                case .tcp(let host, let port): TCPConnect.run(host: host, port: port, timeout: probe.timeout)
                case .http(let url): HTTPCall.run(method: "GET", url: url, timeout: probe.timeout)
                case .exec(let command):
                    ShellCommand.run(command: command, timeout: probe.timeout, quiet: true, reaper: reaper)
                }
            results.post(.probe(error: error))
        }
    }

    func run(_ command: StopCommand, timeout: Duration) {
        queue.async { [results, reaper] in
            let error: String? =
                switch command {
                case .exec(let line): ShellCommand.run(command: line, timeout: timeout, quiet: false, reaper: reaper)
                case .http(let method, let url): HTTPCall.run(method: method, url: url, timeout: timeout)
                }
            results.post(.stopCommand(error: error))
        }
    }
}
