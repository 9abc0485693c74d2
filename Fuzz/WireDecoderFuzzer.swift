// libFuzzer entry point for the QSC/1 decoder; built by scripts/fuzz.sh.
//
// Property: decoding arbitrary frames never crashes, and whatever decodes re-encodes to frames that
// decode to the same envelope.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    let frames: [[UInt8]]
    if selector & 1 == 0 {
        // Most inputs: a well-formed signature and a fuzzed body.
        frames = [Array(WireCodec.signature.utf8), rest]
    } else {
        // Otherwise, fuzzed frames: split the rest at up to three points.
        var pieces: [[UInt8]] = []
        var remaining = rest[...]
        for _ in 0..<Int(selector >> 6) where !remaining.isEmpty {
            let cut = Int(remaining.first!) % (remaining.count + 1)
            pieces.append(Array(remaining.prefix(cut)))
            remaining = remaining.dropFirst(cut)
        }
        frames = pieces + [Array(remaining)]
    }
    guard let envelope = try? WireCodec.decode(frames) else { return 0 }
    let again = try? WireCodec.decode(WireCodec.encode(envelope))
    if again != envelope {
        fatalError("round trip changed \(envelope) into \(String(describing: again))")
    }
    return 0
}
