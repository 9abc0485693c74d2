import Dispatch
import QuiesceCore
import QuiesceRuntime

/// Runs what may block (readiness checks, stop commands) off the reactor thread and posts each
/// result to ``results``.
///
/// Checks and stop commands have a serial queue each, so at most two run at once and a stop command
/// never waits behind a check: an exec check may run for its whole timeout, and a stop command that
/// waited for it would eat into the stop timeout. The agent's machine asks for one check at a time
/// (the next after the last one's result) and for one stop command per stop.
final class BackgroundRunner: @unchecked Sendable {
    /// What finished, with `nil` on success or why it failed.
    enum Result: Sendable {
        case probe(error: String?)
        case stopCommand(error: String?)
    }

    let results = Mailbox<Result>()
    private let checks = DispatchQueue(label: "quiesce.readiness-checks")
    private let stopCommands = DispatchQueue(label: "quiesce.stop-commands")
    private let reaper: Reaper

    init(reaper: Reaper) {
        self.reaper = reaper
    }

    func run(_ probe: ReadinessProbe) {
        checks.async { [results, reaper] in
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
        stopCommands.async { [results, reaper] in
            let error: String? =
                switch command {
                case .exec(let line): ShellCommand.run(command: line, timeout: timeout, quiet: false, reaper: reaper)
                case .http(let method, let url): HTTPCall.run(method: method, url: url, timeout: timeout)
                }
            results.post(.stopCommand(error: error))
        }
    }
}
