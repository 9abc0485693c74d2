import Foundation

/// This machine's host name, as agents report it.
public enum Host {
    public static var name: String { ProcessInfo.processInfo.hostName }
}
