import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceConfiguration
import QuiesceCore

/// Reads and validates a configuration file, turning every problem into a message and an exit code.
enum ConfigurationFile {
    /// Reads `path` and hands its text to `parse` (``ConfigurationLoader/load(yaml:file:)`` or
    /// ``ComposeImporter/load(yaml:file:)``); prints the file's warnings to stderr.
    static func load(
        _ path: String, parse: (_ yaml: String, _ file: String) throws(ConfigurationError) -> Configuration
    ) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): cannot read the file; check the path and its permissions")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        do {
            let configuration = try parse(String(decoding: data, as: UTF8.self), path)
            for warning in configuration.warnings { printError(Self.warningLine(warning, in: path)) }
            return configuration
        } catch {
            printError(error.description)
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
    }
}

extension ConfigurationFile {
    /// `FILE:LINE: warning: MESSAGE`.
    static func warningLine(_ warning: ConfigurationIssue, in path: String) -> String {
        "\(path):" + (warning.line.map { "\($0):" } ?? "") + " warning: \(warning.message)"
    }
}

/// Writes a line to stdout at once, unbuffered, so that progress shows as it happens.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
