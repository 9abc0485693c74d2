import QuiesceCore

/// Docker compose's durations, which are Go's (`time.ParseDuration`).
extension Duration {
    /// Nanoseconds per unit, as Go writes them (`µs` both as the micro sign and as the Greek mu).
    private static let composeUnits: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Parses a Go duration as docker compose writes them: one or more decimal numbers, each with a
    /// unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), like `1m30s`, `1.5s`, `300ms`, `2h`, `.5s`; or
    /// a bare `0`. Returns `nil` for anything else, for negative values and for values beyond
    /// about 292 years, the most a Go duration holds.
    init?(composeText text: String) {
        var rest = Substring(text)
        if rest.first == "+" { rest = rest.dropFirst() }
        if rest == "0" {
            self = .zero
            return
        }
        guard !rest.isEmpty else { return nil }
        var total: UInt64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            let unitText = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard !whole.isEmpty || !fraction.isEmpty, let unit = Self.composeUnits[String(unitText)],
                let part = Self.nanoseconds(whole: whole, fraction: fraction, unit: unit)
            else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow, sum <= UInt64(Int64.max) else { return nil }
            total = sum
        }
        self = .nanoseconds(Int64(total))
    }

    /// `whole.fraction` units in nanoseconds, or `nil` when that overflows. The fraction is
    /// counted to the nanosecond, as Go counts it.
    private static func nanoseconds(whole: Substring, fraction: Substring, unit: UInt64) -> UInt64? {
        var value: UInt64 = 0
        for digit in whole {
            let (tens, overflowed) = value.multipliedReportingOverflow(by: 10)
            guard !overflowed, tens <= UInt64(Int64.max) else { return nil }
            value = tens + UInt64(digit.wholeNumberValue!)
        }
        let (scaled, overflowed) = value.multipliedReportingOverflow(by: unit)
        guard !overflowed else { return nil }
        var fractionValue = 0.0
        var scale = 1.0
        for digit in fraction.prefix(18) {
            fractionValue = fractionValue * 10 + Double(digit.wholeNumberValue!)
            scale *= 10
        }
        let (sum, sumOverflowed) = scaled.addingReportingOverflow(UInt64(fractionValue * (Double(unit) / scale)))
        return sumOverflowed ? nil : sum
    }
}
