#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FilePermissions {
    /// Applies the rule of `role` to `path` as it is on disk (following symbolic links, as the
    /// reads that come after do), for the effective user of this process.
    /// - Throws: ``Problem`` when the rule refuses it or `stat` fails.
    public static func check(_ path: String, as role: Role) throws(Problem) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw Problem(description: "\(path): \(String(cString: strerror(errno)))")
        }
        if let problem = problem(
            with: path, as: role, mode: status.st_mode, owner: status.st_uid, currentUser: geteuid())
        {
            throw problem
        }
    }
}
