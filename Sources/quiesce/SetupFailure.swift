import Foundation
import QuiesceCoordinator
import QuiesceRuntime

/// Words for an error that stops a command before it could begin (a port in use, a directory that
/// cannot be made): the thing, what went wrong, and what to try, never a raw Foundation dump. Such
/// errors end the command with 78 (`EX_CONFIG`), like an invalid configuration.
enum SetupFailure {
    /// Whether `error` is one of setup: a key file or directory that cannot be trusted or read, an
    /// endpoint or metrics port that cannot be bound. Anything else is a fault of the program (exit code 70).
    static func isSetup(_ error: any Error) -> Bool {
        if error is FilePermissions.Problem || error is CurveCertificate.Failure || error is ListenFailure
            || error is MetricsEndpointFailure
        {
            return true
        }
        let domain = (error as NSError).domain
        return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// `error` as one readable line.
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain {
            let path = nsError.userInfo[NSFilePathErrorKey] as? String
            let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
            let code = nsError.domain == NSPOSIXErrorDomain ? nsError.code : underlying?.code
            if let code {
                return [path, String(cString: strerror(Int32(code)))].compactMap { $0 }.joined(separator: ": ")
            }
            if let path { return "\(path): \(obstacle(to: path))" }
            return "a file operation failed (\(nsError.domain) \(nsError.code))"
        }
        return "\(error)"
    }

    /// Why `path` could not be made, when Foundation does not say: the nearest part of it that
    /// exists is a file, or may not be written.
    private static func obstacle(to path: String) -> String {
        var ancestor = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        while !ancestor.isEmpty, ancestor != "/",
            !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory)
        {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if !isDirectory.boolValue && FileManager.default.fileExists(atPath: ancestor) {
            return "cannot be made, since \(ancestor) is a file, not a directory"
        }
        if access(ancestor, W_OK) != 0 { return "cannot be made, since \(ancestor) may not be written by this user" }
        return "cannot be made or written"
    }
}
