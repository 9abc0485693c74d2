import Foundation
import QuiesceTestSupport
import Testing

/// The README's walkthrough, run as written: its commands are read from the README, so that this
/// test fails when the README drifts from what the binary does, and what it shows is compared with
/// what is printed.
@Suite("The README walkthrough")
struct WalkthroughTests {
    /// One command of the walkthrough, and the output the README shows for it, if any.
    struct Step {
        var command: String
        var shownOutput: [String]?
    }

    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    /// PostgreSQL's binaries, Redis and Python, which the walkthrough runs.
    static let serversInstalled: Bool = {
        let postgres = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        let found = { (name: String) in path.contains { FileManager.default.fileExists(atPath: "\($0)/\(name)") } }
        return !postgres.isEmpty && found("redis-server") && found("python3") && found("runuser")
    }()

    /// The walkthrough's commands in order: every line of its `sh` blocks (a `$ ` line is a command
    /// whose output follows it in the block), and the `text` block after a block is that block's
    /// last command's output.
    static func steps(of readme: String) throws -> [Step] {
        let section = try #require(
            readme.components(separatedBy: "## Five-minute walkthrough").dropFirst().first?
                .components(separatedBy: "\n## ").first)
        var steps: [Step] = []
        var block: (language: String, lines: [String])?
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("```") {
                if let open = block {
                    if open.language == "sh" {
                        for line in open.lines {
                            if line.hasPrefix("$ ") {
                                steps.append(Step(command: String(line.dropFirst(2)), shownOutput: []))
                            } else if steps.last?.shownOutput != nil && open.lines.first?.hasPrefix("$ ") == true {
                                steps[steps.count - 1].shownOutput!.append(line)
                            } else if !line.isEmpty && !line.hasPrefix("#") {
                                steps.append(Step(command: line))
                            }
                        }
                    } else if open.language == "text", !steps.isEmpty {
                        steps[steps.count - 1].shownOutput = open.lines
                    }
                    block = nil
                } else {
                    block = (String(text.dropFirst(3)), [])
                }
            } else if block != nil {
                // The block's own indentation is the list item's, three spaces.
                block!.lines.append(line.hasPrefix("   ") ? String(line.dropFirst(3)) : String(line))
            }
        }
        return steps
    }

    @Test("The walkthrough's commands are found in the README")
    func parsed() throws {
        let steps = try Self.steps(of: String(contentsOf: Self.readme, encoding: .utf8))
        #expect(steps.first { $0.command.hasPrefix("quiesce plan") }?.shownOutput?.count == 13)
        #expect(steps.contains { $0.command.hasPrefix("quiesce coordinator") && $0.command.hasSuffix("&") })
        #expect(steps.filter { $0.command.hasPrefix("quiesce agent") }.count == 3)
        #expect(steps.last?.command == "quiesce shutdown")
        #expect(steps.last?.shownOutput?.contains("result: clean, exit code 0") == true)
    }

    @Test(
        "The walkthrough runs as written, and prints what it shows",
        .enabled(if: serversInstalled, "needs PostgreSQL, redis-server, python3 and runuser"))
    func walkthrough() async throws {
        let steps = try Self.steps(of: String(contentsOf: Self.readme, encoding: .utf8)).filter {
            !$0.command.hasPrefix("swift build")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-walk-\(UUID())")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("examples"), withIntermediateDirectories: true)
        // Readable by the postgres user, who runs the database as root's walkthrough does.
        _ = chmod(directory.path, 0o755)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The README's fixed ports, each replaced by a distinct free one, so that nothing else on the
        // host meets it. One pass over whole numbers: a free port such as 17700 is never rewritten again.
        var ports: [String: String] = [:]
        for port in ["7700", "5432", "6379", "8080"] {
            var free = String(try FreePort.pick())
            while ports.values.contains(free) { free = String(try FreePort.pick()) }
            ports[port] = free
        }
        func withFreePorts(_ text: String) -> String {
            text.replacing(/\b(7700|5432|6379|8080)\b/) { ports[String($0.1)]! }
        }
        let seed = try String(
            contentsOf: Self.readme.deletingLastPathComponent().appendingPathComponent("examples/seed.yaml"),
            encoding: .utf8)
        try withFreePorts(seed).write(
            to: directory.appendingPathComponent("examples/seed.yaml"), atomically: true, encoding: .utf8)

        var script = ["set -e"]
        for (index, step) in steps.enumerated() {
            if step.command.hasPrefix("quiesce status") {
                // What a person does by looking: wait until the startup is complete, or until the
                // coordinator, the first process started in the background, has ended.
                script.append(
                    "for i in $(seq 240); do kill -0 \"$(head -n 1 pids)\" 2>/dev/null || break; quiesce status -o json 2>/dev/null | grep -q '\"phase\" : \"running\"' && break; sleep 0.5; done"
                )
            }
            script.append("echo '@@@ \(index)'")
            script.append(withFreePorts(step.command))
            if step.command.hasSuffix("&") { script.append("echo $! >> pids") }
        }
        script.append("wait")
        try script.joined(separator: "\n").write(
            to: directory.appendingPathComponent("walkthrough.sh"), atomically: true, encoding: .utf8)
        defer {
            let pids = (try? String(contentsOf: directory.appendingPathComponent("pids"), encoding: .utf8)) ?? ""
            for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("QUIESCE_") }
        environment["PATH"] = Fleet.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        let run = ChildProcess()
        run.executableURL = URL(fileURLWithPath: "/bin/sh")
        run.arguments = ["-c", "cd \"$1\" && sh walkthrough.sh > out.txt 2> err.txt", "sh", directory.path]
        run.environment = environment
        try ProcessExit.start(run)
        let status = await Fleet.waitForExit(run, timeout: .seconds(180))
        let output = (try? String(contentsOf: directory.appendingPathComponent("out.txt"), encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: directory.appendingPathComponent("err.txt"), encoding: .utf8)) ?? ""
        func log(_ name: String) -> String {
            (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        }
        let coordinatorLog = log("coordinator")
        let serviceLogs = ["database", "cache", "api"].map { "== \($0).log\n\(log($0))" }.joined(separator: "\n")
        #expect(status == 0, "\(output)\n\(errors)\n\(coordinatorLog)\n\(serviceLogs)")

        // Each step's output, after its marker.
        var printed: [Int: [String]] = [:]
        var current: Int?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("@@@ "), let index = Int(line.dropFirst(4)) {
                current = index
                printed[index] = []
            } else if let current {
                printed[current]!.append(line)
            }
        }
        for (index, step) in steps.enumerated() {
            guard let shown = step.shownOutput, !shown.isEmpty else { continue }
            let lines = (printed[index] ?? []).filter { !$0.isEmpty }
            #expect(
                Self.normalized(lines) == Self.normalized(shown.filter { !$0.isEmpty }),
                "\(step.command) printed:\n\(lines.joined(separator: "\n"))")
        }
        let statusStep = try #require(steps.firstIndex { $0.command == "quiesce status" })
        let table = printed[statusStep] ?? []
        #expect(table.first == "coordinator: running")
        #expect(table.filter { $0.contains(" ready ") }.count == 3, "\(table)")
        #expect(coordinatorLog.contains("startup complete in"))
    }

    /// `lines` without what changes from run to run: durations, the width of the columns they set,
    /// and the critical path's last service (whichever of the last wave took longest); sorted, since
    /// the services of one wave stop in any order.
    static func normalized(_ lines: [String]) -> [String] {
        lines.map { line in
            line.replacing(/\b\d+(\.\d+)?s\b/, with: "Ns").replacing(/\s+/, with: " ")
                .replacing(/^(critical path: .*) -> [a-z]+$/) { "\($0.1) -> LAST" }
        }.sorted()
    }
}
