import QuiesceRuntime

/// Which client public key is whose: every key may be bound to one identity only. Two services
/// sharing a key (a copied file, or a symbolic link making `api.key` and `worker.key` one) would let
/// either agent act as the other, so the key files are refused together.
struct KeyBindings {
    /// One key file of the `security:` block: the identity it grants and the public key it holds.
    struct Binding: Equatable {
        var identity: String
        var file: String
        var publicKey: String
    }

    /// The identity of each public key (Z85).
    private(set) var identities: [String: String] = [:]
    private var files: [String: Binding] = [:]

    /// Binds `binding`'s key to its identity.
    /// - Throws: a failure naming both files and identities when the key is bound to another
    ///   identity already.
    mutating func bind(_ binding: Binding) throws(CurveCertificate.Failure) {
        if let earlier = files[binding.publicKey], earlier.identity != binding.identity {
            throw CurveCertificate.Failure(
                description:
                    "\(earlier.file) and \(binding.file) hold the same public key, so \(earlier.identity) and "
                    + "\(binding.identity) could act as each other; give each its own key (quiesce keygen NAME --out DIR)"
            )
        }
        files[binding.publicKey] = binding
        identities[binding.publicKey] = binding.identity
    }
}
