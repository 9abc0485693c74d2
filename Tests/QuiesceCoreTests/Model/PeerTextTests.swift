import QuiesceCore
import Testing

@Suite("Peer text")
struct PeerTextTests {
    @Test("Plain text, a backslash and non-ASCII letters pass unchanged")
    func plainText() {
        #expect(
            PeerText.sanitized(#"db-1.example (rack \3) — Zürich"#, limit: 100) == #"db-1.example (rack \3) — Zürich"#)
    }

    @Test(
        "Control characters are escaped: newlines, escape sequences, DEL, C1, separators and bidi controls",
        arguments: [
            ("host\nforged line", #"host\nforged line"#),
            ("a\r\tb", #"a\r\tb"#),
            ("\u{1B}[2J\u{1B}[31mred", #"\x1B[2J\x1B[31mred"#),
            ("nul\u{0}bell\u{7}del\u{7F}", #"nul\x00bell\x07del\x7F"#),
            ("csi\u{9B}nel\u{85}", #"csi\x9Bnel\x85"#),
            ("line\u{2028}para\u{2029}", #"line\u{2028}para\u{2029}"#),
            ("evil\u{202E}txt.exe\u{2066}\u{200F}\u{61C}", #"evil\u{202E}txt.exe\u{2066}\u{200F}\u{61C}"#),
        ])
    func escaped(raw: String, expected: String) {
        #expect(PeerText.sanitized(raw, limit: 100) == expected)
        #expect(PeerText.hasControlCharacters(raw))
        #expect(!PeerText.hasControlCharacters(PeerText.sanitized(raw, limit: 100)))
    }

    @Test("Text longer than the limit is cut at it and marked")
    func capped() {
        #expect(PeerText.sanitized(String(repeating: "x", count: 10), limit: 10) == String(repeating: "x", count: 10))
        #expect(
            PeerText.sanitized(String(repeating: "x", count: 11), limit: 10) == String(repeating: "x", count: 10) + "…")
        #expect(PeerText.sanitized(String(repeating: "y", count: 1_000_000), limit: 256).unicodeScalars.count == 257)
    }

    @Test("An escape that would pass the limit is left out whole, never cut in half")
    func escapeNotSplit() {
        #expect(PeerText.sanitized("abc\u{1B}", limit: 5) == "abc…")
        #expect(PeerText.sanitized("abc\n", limit: 5) == #"abc\n"#)
    }

    @Test(
        "Sanitized text passes through again unchanged",
        arguments: ["host\n\u{1B}[2J", String(repeating: "\u{1B}", count: 50), String(repeating: "z", count: 40), "ok"])
    func idempotent(raw: String) {
        let once = PeerText.sanitized(raw, limit: 32)
        #expect(PeerText.sanitized(once, limit: 32) == once)
    }
}
