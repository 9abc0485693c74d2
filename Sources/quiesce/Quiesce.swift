import ArgumentParser
import QuiesceCommandLine

@main
struct Quiesce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiesce",
        abstract: "Start and stop a fleet of services in dependency order, across hosts.",
        discussion: """
            A coordinator holds the dependency graph; an agent beside each service runs it. Startup goes \
            wave by wave in dependency order, gated on readiness; shutdown goes wave by wave in reverse, \
            each wave waiting for every acknowledgement or timeout.
            """,
        version: "\(Release.version) (commit \(buildCommit))",
        subcommands: [
            PlanCommand.self, ValidateCommand.self, CoordinatorCommand.self, AgentCommand.self, StatusCommand.self,
            ShutdownCommand.self,
            StopServiceCommand.self, StartServiceCommand.self, RestartServiceCommand.self, KeygenCommand.self,
            EventsCommand.self,
            GraphCommand.self,
            TimelineCommand.self,
        ]
    )

    /// `quiesce agent ARGUMENTS` becomes `quiesce-agent ARGUMENTS` before anything is parsed, its
    /// `--help` included; every other command is parsed here.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == AgentCommand.configuration.commandName {
            AgentCommand.executeAgent(Array(arguments.dropFirst()))
        }
        mainExitingPromptly(nil)
    }
}
