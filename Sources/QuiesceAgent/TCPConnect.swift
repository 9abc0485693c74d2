import Foundation

/// Connects to `host:port`, for a TCP readiness check, and answers `nil` when the connection is
/// accepted within the timeout, otherwise why not.
enum TCPConnect {
    static func run(host: String, port: Int, timeout: Duration) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))"
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(
            first.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        if connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return "connect to \(host):\(port): \(String(cString: strerror(errno)))" }
        var item = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&item, 1, timeout.pollTimeout)
        guard ready > 0 else { return "connect to \(host):\(port): no answer within \(timeout.configurationText)" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : "connect to \(host):\(port): \(String(cString: strerror(error)))"
    }
}
