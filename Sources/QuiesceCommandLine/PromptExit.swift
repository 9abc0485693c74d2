import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ParsableCommand {
    /// Parses `arguments` (the process's own when `nil`) and runs the command, as `main(_:)` does,
    /// except that an ``ExitCode`` the command throws ends the process with that code at once.
    ///
    /// swift-argument-parser's `exit(withError:)` builds the command's whole help (walking every
    /// option by reflection) before it looks at the error, only to print nothing for an `ExitCode`.
    /// An agent ends that way after every stop: among a fleet stopping together, that was a sixth of
    /// each agent's CPU for the stop. Every other error (a parse error, a validation error, `--help`)
    /// is still rendered by swift-argument-parser.
    public static func mainExitingPromptly(_ arguments: [String]?) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let code as ExitCode {
            endProcess(code.rawValue)
        } catch {
            exit(withError: error)
        }
        endProcess(ExitCode.success.rawValue)
    }
}

/// libc's `exit`, which a command's own `exit(withError:)` hides inside its extensions.
private func endProcess(_ code: Int32) -> Never {
    exit(code)
}
