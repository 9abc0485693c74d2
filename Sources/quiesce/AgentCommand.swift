import ArgumentParser
import Foundation
import QuiesceCommandLine

/// `quiesce agent`: the agent is its own executable, `quiesce-agent`, installed beside `quiesce`,
/// which links no Foundation and no coordinator; `quiesce agent ARGUMENTS` executes it in place of
/// this process (the same pid, so a container's PID 1 stays the agent).
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a service under the coordinator's orders.",
        discussion: """
            Executes quiesce-agent, found beside this quiesce, with the same arguments: \
            quiesce agent --help shows them all.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "The agent's options, then -- and the service's command.")
    var arguments: [String] = []

    func run() throws {
        Self.executeAgent(arguments)
    }

    /// The agent's executable: `quiesce-agent` in the directory of this process's own executable.
    static var agentExecutable: String {
        let ownPath =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: ownPath).deletingLastPathComponent().appendingPathComponent("quiesce-agent").path
    }

    /// Replaces this process with `quiesce-agent arguments`; returns only by exiting when that fails.
    static func executeAgent(_ arguments: [String]) -> Never {
        let executable = agentExecutable
        var argv = ([executable] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(executable, argv)
        let reason = String(cString: strerror(errno))
        printError(
            "quiesce agent runs \(executable), which cannot be executed (\(reason)): install quiesce-agent beside quiesce; "
                + "both are built by swift build --product quiesce-agent and --product quiesce")
        Self.exit(withError: ExitCode(127))
    }
}
