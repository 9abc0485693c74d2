#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension PlainConnection {
    /// ``verdict(endpoint:side:insecure:socketDirectory:)`` for `endpoint`, reading an `ipc://`
    /// socket's directory as it is on disk, for the effective user of this process.
    public static func check(_ endpoint: String, side: Side, insecure: Bool) -> Verdict {
        var directory: SocketDirectory?
        if endpoint.hasPrefix("ipc://") {
            let socketPath = String(endpoint.dropFirst("ipc://".count))
            let parent = PathText.directory(of: socketPath)
            let path = parent.isEmpty ? "." : parent
            var status = stat()
            directory =
                stat(path, &status) == 0
                ? .found(path: path, mode: status.st_mode, owner: status.st_uid, currentUser: geteuid())
                : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return verdict(endpoint: endpoint, side: side, insecure: insecure, socketDirectory: directory)
    }
}
