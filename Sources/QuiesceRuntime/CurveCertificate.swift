import ZeroMQ

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

/// CURVE key files in the format czmq's `zcert` and pyzmq's `zmq.auth` write and read:
/// `NAME.key` holds the public key, `NAME.key_secret` (mode 0600) both keys.
public enum CurveCertificate {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Writes `NAME.key` and `NAME.key_secret` for `keys` in `directory`, refusing to replace files.
    /// The secret file has mode 0600 from its first byte (``PrivateFile``); the public one 0644.
    /// - Parameter secretDirectory: where `NAME.key_secret` goes, when not beside `NAME.key`.
    /// - Returns: the two paths.
    @discardableResult
    public static func write(
        _ keys: CurveKeyPair, name: String, to directory: String, secretDirectory: String? = nil, date: Date = Date()
    ) throws -> (public: String, secret: String) {
        let secretDirectory = secretDirectory ?? directory
        for path in [directory, secretDirectory] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let publicPath = PathText.appending("\(name).key", to: directory)
        let secretPath = PathText.appending("\(name).key_secret", to: secretDirectory)
        // Checked for both before either is written, so that a refusal writes neither.
        for path in [publicPath, secretPath] where FileManager.default.fileExists(atPath: path) {
            throw Failure(description: "\(path) exists already; remove it first to replace the key")
        }
        let stamp = date.formatted(Date.ISO8601FormatStyle())
        let publicText = """
            #   ****  Generated on \(stamp) by quiesce keygen  ****
            #   ZeroMQ CURVE Public Certificate
            #   Exchange securely, or use a secure mechanism to verify the contents
            #   of this file after exchange. Store public certificates in your home
            #   directory, in the .curve subdirectory.

            metadata
            curve
                public-key = "\(keys.publicKey)"

            """
        let secretText = """
            #   ****  Generated on \(stamp) by quiesce keygen  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
            curve
                public-key = "\(keys.publicKey)"
                secret-key = "\(keys.secretKey)"

            """
        try PrivateFile.write(Data(secretText.utf8), to: secretPath, replacing: false)
        try FilePermissions.check(secretPath, as: .secretKey)
        try PrivateFile.write(Data(publicText.utf8), to: publicPath, replacing: false, readableByAll: true)
        return (publicPath, secretPath)
    }

    /// Reads a secret key file that passes ``FilePermissions``' rule for secret keys.
    /// - Parameter role: what the file is for, in the error of a file without a secret key (`server_key`).
    public static func readSecret(_ path: String, role: String) throws -> CurveKeyPair {
        let keys = try read(path)
        guard let secretKey = keys.secretKey else {
            throw Failure(description: "\(path): \(role) must be a secret key file (NAME.key_secret)")
        }
        try FilePermissions.check(path, as: .secretKey)
        return CurveKeyPair(publicKey: keys.publicKey, secretKey: secretKey)
    }

    /// Reads the public key of a key file that passes ``FilePermissions``' rule for public keys.
    public static func readPublic(_ path: String) throws -> String {
        try FilePermissions.check(path, as: .publicKey)
        return try read(path).publicKey
    }

    /// Reads a key file: its public key, and its secret key when it is a secret certificate. No
    /// permission is checked: see ``readSecret(_:role:)`` and ``readPublic(_:)``.
    public static func read(_ path: String) throws -> (publicKey: String, secretKey: String?) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "\(path): cannot read the key file")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = trimming(line) { $0 == " " || $0 == "\t" }
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimming(trimmed[..<equals]) { $0 == " " || $0 == "\t" }
            let value = trimming(trimming(trimmed[trimmed.index(after: equals)...]) { $0 == " " || $0 == "\t" }) {
                $0 == "\""
            }
            values[String(key)] = String(value)
        }
        guard let publicKey = values["public-key"], CurveKeyPair.isValidKey(publicKey) else {
            throw Failure(description: "\(path): no valid public-key; generate one with quiesce keygen")
        }
        if let secretKey = values["secret-key"] {
            guard CurveKeyPair.publicKey(of: secretKey) == publicKey else {
                throw Failure(description: "\(path): the secret-key does not match the public-key")
            }
            return (publicKey, secretKey)
        }
        return (publicKey, nil)
    }

    /// `text` without the characters at either end that `isTrimmed` picks.
    private static func trimming(_ text: Substring, _ isTrimmed: (Character) -> Bool) -> Substring {
        guard let first = text.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = text.lastIndex(where: { !isTrimmed($0) })!
        return text[first...last]
    }
}
