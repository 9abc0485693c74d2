import ArgumentParser
import QuiesceCommandLine
import QuiesceCore

/// A command that asks a running coordinator something and waits for the answer: what it gives
/// ``CoordinatorOptions`` to tell it apart from the others.
protocol CoordinatorRequest {
    /// How long it waits for the coordinator unless `--timeout` says otherwise.
    static var defaultTimeout: Duration { get }
    /// The help of its `--timeout`.
    static var timeoutHelp: String { get }
}

/// `--coordinator`, the output format, `--timeout` and the key options, shared by status, shutdown,
/// stop, start and restart; each gives its own default timeout and help through `Request`.
struct CoordinatorOptions<Request: CoordinatorRequest>: ParsableArguments {
    @Option(
        name: .customLong("coordinator"),
        help: ArgumentHelp(
            "The coordinator's endpoint, tcp://HOST:PORT or ipc:///PATH (default: $QUIESCE_COORDINATOR).",
            valueName: "endpoint"))
    var coordinatorFlag: String?

    @OptionGroup(title: "Output") var output: OutputOptions

    @Option(
        name: .long, help: DurationArgument.help(Request.timeoutHelp, default: Request.defaultTimeout),
        transform: DurationArgument.parse)
    var timeout: Duration = Request.defaultTimeout

    @OptionGroup var curve: CurveOptions

    func validate() throws {
        _ = try CoordinatorEndpoint.resolve(coordinatorFlag)
    }

    /// `--coordinator`, or `QUIESCE_COORDINATOR`.
    var coordinator: String {
        (try? CoordinatorEndpoint.resolve(coordinatorFlag)) ?? ""
    }

    /// A client of the coordinator, connecting with the keys given (the admin key of `--keys`), or
    /// plainly without them where ``PlainConnection`` allows it.
    /// - Parameters:
    ///   - command: the command's name, for its messages.
    ///   - streaming: it reads a stream it may fall behind (``AdminClient/init(coordinator:curve:streaming:)``).
    func makeClient(for command: String, streaming: Bool = false) throws -> AdminClient {
        let credentials = try curve.credentials(to: coordinator, side: .command(command)) { $0.adminSecretKey }
        return try AdminClient(coordinator: coordinator, curve: credentials, streaming: streaming)
    }
}
