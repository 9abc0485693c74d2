#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Connects to `host:port`, for a TCP readiness check and under an HTTP call, within a timeout.
enum TCPConnect {
    /// Why no connection was made: the whole sentence, naming the address.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Answers `nil` when the connection is accepted within the timeout, otherwise why not.
    static func run(host: String, port: Int, timeout: Duration) -> String? {
        do {
            close(try connectedSocket(host: host, port: port, timeout: timeout))
            return nil
        } catch {
            return error.description
        }
    }

    /// A non-blocking, close-on-exec socket connected to `host:port` within `timeout`, which the
    /// caller closes.
    static func connectedSocket(host: String, port: Int, timeout: Duration) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(
            first.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        if connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return descriptor }
        guard errno == EINPROGRESS else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(description: "connect to \(host):\(port): \(reason)")
        }
        var item = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&item, 1, timeout.pollTimeout) > 0 else {
            close(descriptor)
            throw Failure(description: "connect to \(host):\(port): no answer within \(timeout.configurationText)")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            close(descriptor)
            throw Failure(description: "connect to \(host):\(port): \(String(cString: strerror(error)))")
        }
        return descriptor
    }
}
