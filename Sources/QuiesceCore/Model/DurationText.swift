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

    /// `"1.0 s"`, `"0.25 s"`: how reports and progress lines print a duration.
    public var secondsText: String {
        let tenths = (seconds * 100).rounded() / 100
        let text = String(tenths)
        return "\(text) s"
    }

    /// `"10s"`, `"500ms"`, `"120s"`: how a duration is written in a configuration file and printed
    /// beside others, in one unit style: whole seconds, else milliseconds, never minutes, so that a
    /// `60s` deadline is not printed as `1m` next to a `270s` worst case.
    public var configurationText: String {
        let ms = milliseconds
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}
