#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files only their owner may read (or, for public keys, write), written so that they never are
/// readable (writable) by anyone else, not even for an instant: unlike `Data.write(options:
/// .atomic)`, which creates its temporary file with mode 0666 minus the umask and sets the mode
/// after the rename.
public enum PrivateFile {
    /// Writes `contents` to `path` with mode 0600: into a new file of the same directory, opened
    /// with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600, synced, renamed over `path`, and the
    /// directory synced. Whatever fails is thrown, naming the file and the reason.
    /// - Parameters:
    ///   - replacing: whether an existing `path` is replaced; if not, it is an error.
    ///   - readableByAll: mode 0644 instead of 0600, for a public key.
    public static func write(_ contents: Data, to path: String, replacing: Bool, readableByAll: Bool = false)
        throws(FilePermissions.Problem)
    {
        let directory = PathText.directory(of: path)
        let temporary =
            (directory.isEmpty ? "." : directory) + "/.\(PathText.lastComponent(of: path)).\(UUID().uuidString)"
        let descriptor = try create(temporary, readableByAll: readableByAll)
        do throws(FilePermissions.Problem) {
            try writeAll(contents, to: descriptor, path: temporary)
            try call("fsync", temporary) { fsync(descriptor) }
            try call("close", temporary) { close(descriptor) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        do throws(FilePermissions.Problem) {
            if replacing {
                try call("rename to \(path)", temporary) { rename(temporary, path) }
            } else {
                // A hard link fails if `path` exists, where a rename would replace it.
                guard link(temporary, path) == 0 else {
                    throw errno == EEXIST
                        ? FilePermissions.Problem(description: "\(path) exists already; remove it first to replace it")
                        : failure("create", path)
                }
                unlink(temporary)
            }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Opens `path` for appending, creating it with mode 0600 if it does not exist; a symbolic link
    /// is refused, and an existing file is given mode 0600 (this fails if it is another user's).
    /// - Returns: the file descriptor; the caller closes it.
    public static func openForAppending(_ path: String) throws(FilePermissions.Problem) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("open", path) }
        do throws(FilePermissions.Problem) {
            try call("chmod 600", path) { fchmod(descriptor, 0o600) }
            try checkMode(of: descriptor, path: path, as: .secretKey)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Creates `path`, which must not exist, with mode 0600 (or 0644) from its first byte, and checks it.
    private static func create(_ path: String, readableByAll: Bool) throws(FilePermissions.Problem) -> Int32 {
        let mode: mode_t = readableByAll ? 0o644 : 0o600
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("create", path) }
        do throws(FilePermissions.Problem) {
            // The umask can only take bits away; make the mode exact whatever it was.
            try call("chmod \(String(mode, radix: 8))", path) { fchmod(descriptor, mode) }
            try checkMode(of: descriptor, path: path, as: readableByAll ? .publicKey : .secretKey)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        return descriptor
    }

    /// Refuses an open file whose mode `role`'s rule refuses.
    private static func checkMode(of descriptor: Int32, path: String, as role: FilePermissions.Role)
        throws(FilePermissions.Problem)
    {
        var status = stat()
        try call("stat", path) { fstat(descriptor, &status) }
        if let problem = FilePermissions.problem(
            with: path, as: role, mode: status.st_mode, owner: status.st_uid, currentUser: geteuid())
        {
            throw problem
        }
    }

    private static func writeAll(_ contents: Data, to descriptor: Int32, path: String) throws(FilePermissions.Problem) {
        var offset = 0
        while offset < contents.count {
            let written = contents.withUnsafeBytes { bytes in
                Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw failure("write", path) }
            offset += written
        }
    }

    /// Makes a rename in `directory` durable.
    private static func syncDirectory(_ directory: String) throws(FilePermissions.Problem) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory) }
        defer { close(descriptor) }
        try call("fsync", directory) { fsync(descriptor) }
    }

    private static func call(_ operation: String, _ path: String, _ body: () -> Int32) throws(FilePermissions.Problem) {
        while body() != 0 {
            guard errno == EINTR else { throw failure(operation, path) }
        }
    }

    private static func failure(_ operation: String, _ path: String) -> FilePermissions.Problem {
        FilePermissions.Problem(description: "\(path): cannot \(operation): \(String(cString: strerror(errno)))")
    }
}
