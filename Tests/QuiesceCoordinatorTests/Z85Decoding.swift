/// Z85 decoding (ZeroMQ RFC 32), which the ZeroMQ module does not need: the tests turn a public key
/// back into the 32 bytes a ZAP request carries.
enum Z85Decoding {
    private static let alphabet = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// The bytes of `text`, whose length must be a multiple of 5.
    static func decode(_ text: String) -> [UInt8] {
        let characters = Array(text.utf8)
        precondition(characters.count % 5 == 0, "Z85 text comes in groups of 5 characters")
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: characters.count, by: 5) {
            let value = characters[start..<start + 5].reduce(UInt32(0)) { value, character in
                value &* 85 &+ UInt32(alphabet.firstIndex(of: character)!)
            }
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        }
        return bytes
    }
}
