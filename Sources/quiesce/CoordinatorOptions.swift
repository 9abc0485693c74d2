import ArgumentParser
import QuiesceCore

/// A command that asks a running coordinator something and waits for the answer: what it gives
/// ``CoordinatorOptions`` to tell it apart from the others.
protocol CoordinatorRequest {
    /// How long it waits for the coordinator unless `--timeout` says otherwise.
    static var defaultTimeout: Duration { get }
    /// The help of its `--timeout`.
    static var timeoutHelp: String { get }
    /// The help of its `--json`.
    static var jsonHelp: String { get }
}

/// `--coordinator`, `--json`, `--timeout` and the key options, shared by status, shutdown, stop,
/// start and restart; each gives its own default timeout and help through `Request`.
struct CoordinatorOptions<Request: CoordinatorRequest>: ParsableArguments {
    @Option(name: .long, help: "The coordinator's endpoint.")
    var coordinator: String

    @Flag(help: ArgumentHelp(Request.jsonHelp))
    var json = false

    @Option(
        name: .long, help: DurationArgument.help(Request.timeoutHelp, default: Request.defaultTimeout),
        transform: DurationArgument.parse)
    var timeout: Duration = Request.defaultTimeout

    @OptionGroup var curve: CurveOptions

    /// A client of the coordinator, connecting with the keys given (the admin key of `--keys`), or
    /// plainly without them where ``PlainConnection`` allows it.
    /// - Parameter command: the command's name, for its messages.
    func makeClient(for command: String) throws -> AdminClient {
        let credentials = try curve.credentials(to: coordinator, side: .command(command)) { $0.adminSecretKey }
        return try AdminClient(coordinator: coordinator, curve: credentials)
    }
}
