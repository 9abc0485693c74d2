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
            "The coordinator's endpoint, tcp://HOST:PORT or ipc:///PATH, or the endpoints of a leader and its standbys separated by commas: the command asks each for its status and sends its request to the one that leads (default: $QUIESCE_COORDINATOR).",
            valueName: "endpoint[,endpoint...]"))
    var coordinatorFlag: String?

    @OptionGroup(title: "Output") var output: OutputOptions

    @Option(
        name: .long, help: DurationArgument.help(Request.timeoutHelp, default: Request.defaultTimeout),
        transform: DurationArgument.parse)
    var timeout: Duration = Request.defaultTimeout

    @OptionGroup var curve: CurveOptions

    func validate() throws {
        _ = try CoordinatorEndpoint.resolveAll(coordinatorFlag)
    }

    /// `--coordinator`, or `QUIESCE_COORDINATOR`: one endpoint or several.
    var coordinators: [String] {
        (try? CoordinatorEndpoint.resolveAll(coordinatorFlag)) ?? [""]
    }

    /// The coordinators given, with the keys to connect to each (the admin key of `--keys`), or plain
    /// connections where ``PlainConnection`` allows them.
    /// - Parameter command: the command's name, for its messages.
    func coordinatorSet(for command: String) throws -> CoordinatorSet {
        let endpoints = coordinators
        let credentials = try curve.credentials(to: endpoints, side: .command(command)) { $0.adminSecretKey }
        return CoordinatorSet(endpoints: endpoints, curve: credentials)
    }

    /// Runs `body` with a client of the coordinator that leads: the one endpoint given, or, of several,
    /// the one whose status says it leads (said on stderr). Answered `standby` by a coordinator that
    /// names a leader among the endpoints given, it says so and runs `body` once more there.
    /// - Parameters:
    ///   - command: the command's name, for its messages.
    ///   - streaming: it reads a stream it may fall behind (``AdminClient/init(coordinator:curve:streaming:)``).
    func withLeader<Result>(
        for command: String, streaming: Bool = false, _ body: (AdminClient) throws -> Result
    ) throws -> Result {
        let set = try coordinatorSet(for: command)
        var index = 0
        if set.endpoints.count > 1 {
            let survey = set.survey(timeout: timeout)
            guard let leader = survey.leader else {
                printError("\(command): \(LeaderChoice.noLeader(endpoints: set.endpoints, roles: survey.roles))")
                throw ExitCode(AdminClient.Failure(kind: .noAnswer, description: "").exitCode)
            }
            printError("\(command): using the coordinator at \(set.endpoints[leader]), which leads")
            index = leader
        }
        do {
            return try run(body, on: set, index, streaming: streaming)
        } catch let failure as AdminClient.Failure {
            guard case .standby(let leader?) = failure.kind, let next = set.endpoints.firstIndex(of: leader),
                next != index
            else {
                printError("\(command): \(failure)")
                throw ExitCode(failure.exitCode)
            }
            printError("\(command): \(failure); asking it")
            do {
                return try run(body, on: set, next, streaming: streaming)
            } catch let failure as AdminClient.Failure {
                printError("\(command): \(failure)")
                throw ExitCode(failure.exitCode)
            }
        }
    }

    private func run<Result>(
        _ body: (AdminClient) throws -> Result, on set: CoordinatorSet, _ index: Int, streaming: Bool
    ) throws -> Result {
        let client = try set.client(of: index, streaming: streaming)
        defer { client.close() }
        return try body(client)
    }
}
