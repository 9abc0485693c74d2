import ArgumentParser
import QuiesceCommandLine
import QuiesceConfiguration
import QuiesceCore

/// `--config FILE` or `--compose FILE`: where the fleet's graph and settings come from.
struct FleetFileOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The fleet's Quiesce configuration file (default: $QUIESCE_CONFIG, unless --compose is given).",
            valueName: "file"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Or a docker compose file: the graph from its depends_on, readiness from its healthchecks, "
                + "settings from x-quiesce (docs/configuration.md, Compose files).",
            valueName: "file"))
    var compose: String?

    typealias Parse = (_ yaml: String, _ file: String) throws(ConfigurationError) -> Configuration

    func validate() throws {
        _ = try chosenFile()
    }

    /// Reads and validates the file given, printing its warnings; exits with code 78 when it is invalid.
    func load() throws -> Configuration {
        let file = try chosenFile()
        return try ConfigurationFile.load(file.path, parse: file.parse)
    }

    /// The file's path, for messages.
    var path: String {
        (try? chosenFile().path) ?? ""
    }

    /// The file given, and how to parse it.
    func chosenFile() throws -> (path: String, parse: Parse) {
        let config = compose == nil ? EnvironmentDefault.value(config, orVariable: EnvironmentDefault.config) : config
        return switch (config, compose) {
        case (let path?, nil): (path, ConfigurationLoader.load)
        case (nil, let path?): (path, ComposeImporter.load)
        case (nil, nil):
            throw ValidationError(
                "give the fleet's file: --config FILE or --compose FILE, or set \(EnvironmentDefault.config)")
        case (_?, _?): throw ValidationError("give --config or --compose, not both")
        }
    }
}
