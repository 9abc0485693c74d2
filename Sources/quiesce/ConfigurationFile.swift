import ArgumentParser
import Foundation
import QuiesceConfiguration
import QuiesceCore

/// Reads and validates a configuration file, turning every problem into a message and an exit code.
enum ConfigurationFile {
    /// Reads `path` and hands its text to `parse` (``ConfigurationLoader/load(yaml:file:)`` or
    /// ``ComposeImporter/load(yaml:file:)``).
    static func load(
        _ path: String, parse: (_ yaml: String, _ file: String) throws(ConfigurationError) -> Configuration
    ) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): cannot read the file; check the path and its permissions")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self), path)
        } catch {
            printError(error.description)
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
    }
}

/// Writes a line to stdout at once, unbuffered, so that progress shows as it happens.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Writes a line to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
