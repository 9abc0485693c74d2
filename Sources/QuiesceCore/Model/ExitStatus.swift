/// How a process ended.
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    /// It called `exit` with this code.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    /// The status an exit code or a signal describes, as the wire's `exit_code` and `signal` carry it
    /// (the code when both are given); `nil` when neither is.
    public init?(exitCode: Int32?, signal: Int32?) {
        if let exitCode {
            self = .exited(exitCode)
        } else if let signal {
            self = .signalled(signal)
        } else {
            return nil
        }
    }

    /// The code it exited with; `nil` when a signal ended it.
    public var exitCode: Int32? {
        if case .exited(let code) = self { code } else { nil }
    }

    /// The signal that ended it; `nil` when it exited.
    public var signal: Int32? {
        if case .signalled(let signal) = self { signal } else { nil }
    }

    /// The exit code a shell would report: the code itself, or 128 plus the signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signalled(let signal): "signal \(SignalName.name(of: signal))"
        }
    }
}

/// Conventional names of the signals Quiesce deals with.
public enum SignalName {
    static let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 6: "SIGABRT", 9: "SIGKILL", 10: "SIGUSR1", 12: "SIGUSR2",
        15: "SIGTERM", 28: "SIGWINCH",
    ]

    /// `"SIGTERM"` for 15, `"signal 42"` for one without a conventional name here.
    public static func name(of signal: Int32) -> String {
        names[signal] ?? "signal \(signal)"
    }

    /// The number of `"SIGTERM"`, `"TERM"` or `"15"`.
    public static func number(of text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let upper = text.uppercased()
        let full = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        return names.first { $0.value == full }?.key
    }
}
