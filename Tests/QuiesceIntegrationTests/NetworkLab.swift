import Foundation
import QuiesceTestSupport

/// Several hosts on one machine: one network namespace per host, each with an `eth0` plugged into a
/// bridge that lives in a namespace of its own (the switch). Every participant runs inside these
/// namespaces, so all traffic stays between them. Faults: a host's cable pulled and plugged back,
/// and packet loss with nftables.
final class NetworkLab {
    /// Whether this machine lets the tests create namespaces (root, iproute2, nftables).
    static let isAvailable: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { return false }
        return (try? run(["/usr/sbin/ip", "netns", "list"])) != nil
    }()

    static var nftAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft") }

    private let prefix: String
    private let switchNamespace: String
    /// Host name to its namespace and address.
    private(set) var hosts: [String: (namespace: String, address: String)] = [:]
    private var cables: [String: String] = [:]

    init(hosts names: [String]) throws {
        prefix = "qz" + String(UUID().uuidString.prefix(4)).lowercased()
        switchNamespace = prefix + "sw"
        try Self.run(["/usr/sbin/ip", "netns", "add", switchNamespace])
        try ip(in: switchNamespace, "link", "add", "br0", "type", "bridge")
        try ip(in: switchNamespace, "link", "set", "br0", "up")
        for (index, name) in names.enumerated() {
            let namespace = "\(prefix)h\(index)"
            let cable = "\(prefix)c\(index)"
            let address = "10.77.0.\(index + 1)"
            try Self.run(["/usr/sbin/ip", "netns", "add", namespace])
            try Self.run([
                "/usr/sbin/ip", "link", "add", cable, "netns", switchNamespace, "type", "veth", "peer", "name", "eth0",
                "netns", namespace,
            ])
            try ip(in: switchNamespace, "link", "set", cable, "master", "br0")
            try ip(in: switchNamespace, "link", "set", cable, "up")
            try ip(in: namespace, "addr", "add", "\(address)/24", "dev", "eth0")
            try ip(in: namespace, "link", "set", "eth0", "up")
            try ip(in: namespace, "link", "set", "lo", "up")
            hosts[name] = (namespace, address)
            cables[name] = cable
        }
    }

    /// The command prefix that runs a program on `host`.
    func placement(_ host: String) -> [String] {
        ["/usr/sbin/ip", "netns", "exec", hosts[host]!.namespace]
    }

    /// Pulls `host`'s cable: nothing reaches it or leaves it until ``heal(_:)``.
    func partition(_ host: String) throws {
        try ip(in: switchNamespace, "link", "set", cables[host]!, "down")
    }

    func heal(_ host: String) throws {
        try ip(in: switchNamespace, "link", "set", cables[host]!, "up")
    }

    /// Drops `percent` % of the packets `host` receives.
    func loss(_ host: String, percent: Int) throws {
        let namespace = hosts[host]!.namespace
        try Self.run(["/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/nft", "add", "table", "inet", "chaos"])
        try Self.run([
            "/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/nft", "add", "chain", "inet", "chaos", "input",
            "{ type filter hook input priority 0; }",
        ])
        try Self.run([
            "/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/nft", "add", "rule", "inet", "chaos", "input",
            "numgen", "random", "mod", "100", "<", String(percent), "drop",
        ])
    }

    /// Lets every host reach every other by its name, as containers on one compose network do:
    /// `ip netns exec` mounts `/etc/netns/NAMESPACE/hosts` over `/etc/hosts`.
    func publishNames() throws {
        let entries = hosts.sorted { $0.value.address < $1.value.address }.map { "\($0.value.address) \($0.key)" }
        let file = (["127.0.0.1 localhost", "::1 localhost"] + entries).joined(separator: "\n") + "\n"
        for namespace in hosts.values.map(\.namespace) {
            let directory = "/etc/netns/\(namespace)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try file.write(toFile: directory + "/hosts", atomically: true, encoding: .utf8)
        }
    }

    /// Deletes every namespace this lab made (their interfaces go with them), and their name files.
    func tearDown() {
        for namespace in hosts.values.map(\.namespace) + [switchNamespace] {
            _ = try? Self.run(["/usr/sbin/ip", "netns", "del", namespace])
            try? FileManager.default.removeItem(atPath: "/etc/netns/\(namespace)")
        }
    }

    private func ip(in namespace: String, _ arguments: String...) throws {
        try Self.run(["/usr/sbin/ip", "-n", namespace] + arguments)
    }

    /// Runs `command` (an absolute path first) to its end; throws when it fails.
    @discardableResult
    static func run(_ command: [String]) throws -> Int32 {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        try ProcessExit.start(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Fleet.FleetError(
                description: "\(command.joined(separator: " ")) failed with \(process.terminationStatus)")
        }
        return process.terminationStatus
    }
}
