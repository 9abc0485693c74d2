import Foundation

/// A listening TCP socket on a free loopback port: its descriptor and the port the kernel chose.
/// - Parameter backlog: the connections the kernel queues before the test accepts them.
func listenOnLoopback(backlog: Int32) throws -> (descriptor: Int32, port: Int) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else {
        throw Fleet.FleetError(description: "cannot listen on loopback: \(String(cString: strerror(errno)))")
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 && listen(listener, backlog) == 0
        }
    }
    guard listening else {
        let reason = String(cString: strerror(errno))
        close(listener)
        throw Fleet.FleetError(description: "cannot listen on loopback: \(reason)")
    }
    return (listener, Int(UInt16(bigEndian: address.sin_port)))
}
