import Foundation
import QuiesceCore
import Testing

@testable import QuiesceConfiguration

@Suite("Alias bombs: both loaders refuse a document that expands past the limit")
struct ExpandedSizeTests {
    /// A "billion laughs": nine sequences of nine aliases of the one before, 10^9 strings in all.
    static let sequenceBomb = """
        x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        services:
          api: {}
        """

    /// The same with mappings, each merging the one before (`<<`) besides holding it under eight keys.
    static let mappingBomb = """
        x-a: &a {a0: x, a1: x, a2: x, a3: x, a4: x, a5: x, a6: x, a7: x, a8: x}
        x-b: &b {<<: *a, b0: *a, b1: *a, b2: *a, b3: *a, b4: *a, b5: *a, b6: *a, b7: *a}
        x-c: &c {<<: *b, c0: *b, c1: *b, c2: *b, c3: *b, c4: *b, c5: *b, c6: *b, c7: *b}
        x-d: &d {<<: *c, d0: *c, d1: *c, d2: *c, d3: *c, d4: *c, d5: *c, d6: *c, d7: *c}
        x-e: &e {<<: *d, e0: *d, e1: *d, e2: *d, e3: *d, e4: *d, e5: *d, e6: *d, e7: *d}
        x-f: &f {<<: *e, f0: *e, f1: *e, f2: *e, f3: *e, f4: *e, f5: *e, f6: *e, f7: *e}
        x-g: &g {<<: *f, g0: *f, g1: *f, g2: *f, g3: *f, g4: *f, g5: *f, g6: *f, g7: *f}
        x-h: &h {<<: *g, h0: *g, h1: *g, h2: *g, h3: *g, h4: *g, h5: *g, h6: *g, h7: *g}
        x-i: &i {<<: *h, i0: *h, i1: *h, i2: *h, i3: *h, i4: *h, i5: *h, i6: *h, i7: *h}
        services:
          api:
            <<: *i
        """

    /// A hang would be caught by this, not by a tight timing assumption: refusing takes milliseconds.
    static let hangBound = Duration.seconds(5)

    /// The two loaders, which read documents through the one bound.
    enum Loader: CaseIterable {
        case compose, quiesce

        func load(_ yaml: String) throws -> Configuration {
            switch self {
            case .compose: try ComposeImporter.load(yaml: yaml, file: "fleet.yaml")
            case .quiesce: try ConfigurationLoader.load(yaml: yaml, file: "fleet.yaml")
            }
        }

        /// The lines the loader reports for `yaml`, and how long it took.
        func refusal(_ yaml: String) -> (lines: [String], took: Duration) {
            let clock = ContinuousClock()
            let start = clock.now
            var lines: [String] = []
            do {
                _ = try load(yaml)
            } catch {
                lines = "\(error)".split(separator: "\n").map(String.init)
            }
            return (lines, clock.now - start)
        }
    }

    @Test("A billion laughs is refused at the sequence where the limit is passed", arguments: Loader.allCases)
    func sequenceBomb(loader: Loader) {
        let (lines, took) = loader.refusal(Self.sequenceBomb)
        #expect(
            lines == [
                "fleet.yaml:6: too many aliases expanded (limit 100000 nodes): this file expands to more than 100000 nodes; write it with fewer aliases"
            ])
        #expect(took < Self.hangBound)
    }

    @Test(
        "A mapping bomb with merge keys is refused at the mapping where the limit is passed", arguments: Loader.allCases
    )
    func mappingBomb(loader: Loader) {
        let (lines, took) = loader.refusal(Self.mappingBomb)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("fleet.yaml:5: too many aliases expanded (limit 100000 nodes)") == true)
        #expect(took < Self.hangBound)
    }

    /// An alias as a mapping key: Yams hashes every key while it builds the tree, so the bound must
    /// come before Yams does.
    static let keyBomb =
        sequenceBomb.split(separator: "\n").prefix(9).joined(separator: "\n")
        + "\nx-k: { ? *i : 1, ? *h : 2 }\nservices:\n  api: {}\n"

    @Test("An alias bomb used as a mapping key is refused before Yams hashes it", arguments: Loader.allCases)
    func keyBomb(loader: Loader) {
        let (lines, took) = loader.refusal(Self.keyBomb)
        #expect(lines.first?.hasPrefix("fleet.yaml:6: too many aliases expanded (limit 100000 nodes)") == true)
        #expect(took < Self.hangBound)
    }

    @Test("A document of exactly the limit passes; one node more is refused, at the alias")
    func limitIsInclusive() {
        // The root, two keys, two sequences and four items.
        let yaml = "a: &x [1, 2]\nb: *x"
        #expect(throws: Never.self) { try ExpandedSize.check(yaml, limit: 9) }
        #expect(throws: ExpandedSize.Excess(line: 2)) { try ExpandedSize.check(yaml, limit: 8) }
    }

    @Test("An alias counts its anchor's whole node, nested collections included, at the alias's line")
    func lineOfTheAlias() {
        let yaml = "a: &x [1, [2, 3]]\nb:\n  - *x"
        #expect(throws: Never.self) { try ExpandedSize.check(yaml, limit: 14) }
        #expect(throws: ExpandedSize.Excess(line: 3)) { try ExpandedSize.check(yaml, limit: 13) }
    }

    @Test(
        "The compose demos, with anchors, aliases and merge keys, still load",
        arguments: ["classic", "tiers", "standby"])
    func composeDemos(demo: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("compose/\(demo)/compose.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let configuration = try ComposeImporter.load(yaml: text, file: file.path)
        #expect(!configuration.graph.services.isEmpty)
    }
}
