import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceCore

/// Where a command's drawing or export goes: stdout, or the file `-o` names.
enum OutputFile {
    static func write(_ text: String, to path: String?, command: String) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            printError("\(command): cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
    }
}
