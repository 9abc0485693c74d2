import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift`, holding `let buildCommit = "..."`: the package's commit as
/// `git describe --always --dirty --abbrev=12` tells it, or `unknown` when the sources are no git
/// checkout or git is missing (a source tarball, a container that copied no `.git`). It runs before
/// every build, without network, and rewrites the file only when the commit changed, so that an
/// unchanged commit recompiles nothing.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appending(path: "generated")
        let file = directory.appending(path: "BuildCommit.swift")
        return [
            .prebuildCommand(
                displayName: "Recording the build's commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-commit", context.package.directoryURL.path, file.path],
                outputFilesDirectory: directory)
        ]
    }

    /// `sh -c SCRIPT build-commit PACKAGE_DIRECTORY OUTPUT_FILE`.
    static let script = #"""
        commit=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null) || commit=unknown
        case $commit in ''|*[!0-9A-Za-z.+_-]*) commit=unknown ;; esac
        line="let buildCommit = \"$commit\""
        mkdir -p "$(dirname "$2")"
        [ "$(cat "$2" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" > "$2"
        """#
}
