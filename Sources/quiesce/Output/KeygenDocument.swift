/// `quiesce keygen --json`: the files written, each with its kind, and for a fleet the `security:`
/// block that does what the coordinator's `--keys DIR` does.
struct KeygenDocument: Encodable {
    enum Kind: String, Encodable {
        /// `NAME.key`, mode 0644: the public key, which may be handed out.
        case publicKey = "public_key"
        /// `NAME.key_secret`, mode 0600: the pair, to keep private.
        case secretKey = "secret_key"
    }

    struct File: Encodable {
        var path: String
        var kind: Kind
        /// The pair's name: `coordinator`, `admin`, a service, or the NAME given.
        var name: String
        /// `coordinator`, `admin` or `agent` in a fleet's keys; absent for `keygen NAME`.
        var role: String?
        /// The pair's public key (Z85), the same in both of its files.
        var publicKey: String
    }

    /// `--out`, absolute for a fleet's keys, whose `security:` block names absolute paths.
    var directory: String
    var files: [File]
    /// The `security:` block of a fleet's keys, as YAML to add to its configuration.
    var securityBlock: String?
    /// With several coordinators (`--coordinators N`), each one's `security:` block instead, in the
    /// order of their keys, `coordinator-1` first.
    var coordinatorSecurityBlocks: [String]? = nil

    /// The two files of one pair, the public one first.
    static func pair(name: String, role: String?, publicKey: String, paths: (public: String, secret: String))
        -> [File]
    {
        [
            File(path: paths.public, kind: .publicKey, name: name, role: role, publicKey: publicKey),
            File(path: paths.secret, kind: .secretKey, name: name, role: role, publicKey: publicKey),
        ]
    }
}
