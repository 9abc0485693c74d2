import Foundation
import ZeroMQ

/// CURVE key files in the format czmq's `zcert` and pyzmq's `zmq.auth` write and read:
/// `NAME.key` holds the public key, `NAME.key_secret` (mode 0600) both keys.
public enum CurveCertificate {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Writes `NAME.key` and `NAME.key_secret` for `keys` in `directory`, refusing to replace files.
    /// - Returns: the two paths.
    @discardableResult
    public static func write(_ keys: CurveKeyPair, name: String, to directory: String, date: Date = Date()) throws -> (
        public: String, secret: String
    ) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let publicPath = (directory as NSString).appendingPathComponent("\(name).key")
        let secretPath = publicPath + "_secret"
        for path in [publicPath, secretPath] where FileManager.default.fileExists(atPath: path) {
            throw Failure(description: "\(path) exists already; remove it first to replace the key")
        }
        let stamp = ISO8601DateFormatter().string(from: date)
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
        guard
            FileManager.default.createFile(
                atPath: secretPath, contents: Data(secretText.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw Failure(description: "cannot write \(secretPath)")
        }
        try Data(publicText.utf8).write(to: URL(fileURLWithPath: publicPath))
        return (publicPath, secretPath)
    }

    /// Reads a key file: its public key, and its secret key when it is a secret certificate.
    public static func read(_ path: String) throws -> (publicKey: String, secretKey: String?) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "\(path): cannot read the key file")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            values[key] = value
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
}
