/// Parsing and printing of the durations used in configuration files and reports.
extension Duration {
    /// The longest any duration setting may be, wherever it is read: a configuration or compose file,
    /// a flag, a message. Longer ones are refused where they enter, so that no timer or system call
    /// meets a value it cannot hold (`poll` waits at most 2^31 − 1 ms, about 24.8 days).
    public static let longestSetting: Duration = .seconds(24 * 60 * 60)

    /// The end of the refusal of a duration longer than ``longestSetting``, after the duration's text.
    public static let longestSettingProblem = "is longer than 24 hours (1440m), the longest a duration may be"

    /// Parses `500ms`, `10s`, `1.5s` or `2m`. Returns `nil` for anything else, including negative values.
    public init?(configurationText text: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
                let value = Double(number), value.isFinite, value * unit.nanoseconds < 1e18
            else { return nil }
            self = .nanoseconds(Int64((value * unit.nanoseconds).rounded()))
            return
        }
        return nil
    }

    /// The duration in whole milliseconds, rounded down; `Int64.max` or `Int64.min` when it holds more.
    public var milliseconds: Int64 {
        let (whole, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        let (total, sumOverflow) = whole.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        guard !overflow, !sumOverflow else { return self < .zero ? .min : .max }
        return total
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `"60s"`, `"1.5s"`, `"0.02s"`, `"0.004s"`, `"0s"`: how every duration is printed for people
    /// (progress lines, reports, status, plan, events, timelines, errors and logs) and how it may be
    /// written back in a configuration file. One style: seconds, never minutes (a `60s` deadline is
    /// not `1m` next to a `270s` worst case) nor milliseconds, to the millisecond, so that 10 ms steps
    /// show, without trailing zeros.
    public var configurationText: String {
        let (seconds, attoseconds) = components
        guard seconds >= 0, seconds < Int64.max / 1000 else { return Self.configurationText(seconds: self.seconds) }
        return Self.text(milliseconds: seconds * 1000 + (attoseconds + 500_000_000_000_000) / 1_000_000_000_000_000)
    }

    /// ``configurationText`` of a number of seconds read from a document (a report, an event), which
    /// may hold any value: a negative one keeps its sign, one too large for milliseconds is printed as
    /// Swift prints it.
    public static func configurationText(seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 9e15 else { return "\(seconds)s" }
        let milliseconds = Int64((abs(seconds) * 1000).rounded())
        return (seconds < 0 && milliseconds > 0 ? "-" : "") + text(milliseconds: milliseconds)
    }

    /// `1500` → `1.5s`.
    private static func text(milliseconds: Int64) -> String {
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return "\(milliseconds / 1000)s" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(milliseconds / 1000).\(digits)s"
    }
}
