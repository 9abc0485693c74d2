import QuiesceCommandLine
import Testing

@Suite("Durations on the command line")
struct DurationArgumentTests {
    @Test(
        "They are written as in configuration files",
        arguments: [
            ("500ms", Duration.milliseconds(500)), ("10s", .seconds(10)), ("1.5s", .milliseconds(1500)),
            ("2m", .seconds(120)), ("0s", .zero),
        ])
    func parsed(text: String, duration: Duration) throws {
        #expect(try DurationArgument.parse(text) == duration)
    }

    @Test("A number without a unit is refused with the units to add", arguments: ["5", "1.5", "0"])
    func withoutUnit(text: String) {
        #expect(throws: DurationArgument.Failure.self) { try DurationArgument.parse(text) }
        #expect(Self.failure(text) == "add a unit: \(text)s, \(text)ms or \(text)m")
    }

    @Test("Anything else is refused with the form to write", arguments: ["", "abc", "5h", "-5s", "s", "1m30s"])
    func otherForms(text: String) {
        #expect(Self.failure(text) == "write a duration with its unit, like 10s, 500ms or 2m")
    }

    @Test(
        "A duration longer than 24 hours is refused with the limit; 24 hours is the longest",
        arguments: ["40000m", "1441m", "86400001ms"])
    func tooLong(text: String) throws {
        #expect(Self.failure(text) == "\(text) is longer than 24 hours (1440m), the longest a duration may be")
        #expect(try DurationArgument.parse("1440m") == .seconds(86_400))
    }

    @Test("The help ends with the default, as for options the parser reads itself")
    func help() {
        #expect(DurationArgument.help("Wait.", default: .seconds(60)).abstract == "Wait. (default: 60s)")
        #expect(DurationArgument.help("Wait.", default: .zero).abstract == "Wait. (default: 0s)")
        #expect(DurationArgument.help("Wait.", default: .milliseconds(250)).abstract == "Wait. (default: 0.25s)")
    }

    /// What `parse` says of `text`, or `nil` when it parses.
    static func failure(_ text: String) -> String? {
        do {
            _ = try DurationArgument.parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
