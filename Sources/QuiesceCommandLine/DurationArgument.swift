import ArgumentParser
import QuiesceCore

/// A duration on the command line, written as in configuration files: `500ms`, `10s`, `1.5s`, `2m`.
///
/// Options parse it once, through `@Option(transform: DurationArgument.parse)`: a value without a unit
/// or in another form is refused with what to write instead, never replaced by the default. Since a
/// transformed option shows no default of its own, ``help(_:default:valueName:)`` adds it to the help.
public enum DurationArgument {
    /// Why a value is not a duration.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The duration `text` writes, at most ``Swift/Duration/longestSetting``.
    public static func parse(_ text: String) throws -> Duration {
        if let duration = Duration(configurationText: text) {
            guard duration <= .longestSetting else {
                throw Failure(description: "\(text) \(Duration.longestSettingProblem)")
            }
            return duration
        }
        if !text.isEmpty, text.allSatisfy({ $0.isNumber || $0 == "." }) {
            throw Failure(description: "add a unit: \(text)s, \(text)ms or \(text)m")
        }
        throw Failure(description: "write a duration with its unit, like 10s, 500ms or 2m")
    }

    /// `abstract` followed by `(default: 10s)`, as the help shows the default of an untransformed option.
    public static func help(_ abstract: String, default value: Duration, valueName: String? = nil) -> ArgumentHelp {
        ArgumentHelp("\(abstract) (default: \(value.configurationText))", valueName: valueName)
    }
}
