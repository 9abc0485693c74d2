import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range: the local
/// port of an outgoing connection (of this test or of any other running beside it) is taken from that
/// range, so none can take the port between the moment it is picked or a stand-in releases it and
/// the moment the coordinator, an etcd member or a test's server binds it.
public enum FreePort {
    /// No port of the range could be bound in 200 tries.
    public struct Exhausted: Error, CustomStringConvertible {
        public let description: String
    }

    /// A port of 10,000 up to the ephemeral range's start, bindable on 127.0.0.1 when it was tried.
    public static func pick() throws -> Int {
        let candidates = 10_000..<max(10_001, ephemeralRangeStart())
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if bindable(port) { return port }
        }
        throw Exhausted(description: "cannot find a free port in \(candidates)")
    }

    /// The first port of `net.ipv4.ip_local_port_range` (32768 unless changed).
    private static func ephemeralRangeStart() -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func bindable(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
