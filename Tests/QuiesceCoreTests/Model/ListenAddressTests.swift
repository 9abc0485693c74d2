import Testing

@testable import QuiesceCore

@Suite("Listen address")
struct ListenAddressTests {
    @Test(
        "HOST:PORT, with an IPv6 host in brackets",
        arguments: [
            ("127.0.0.1:9464", "127.0.0.1", 9464), ("[::1]:9464", "::1", 9464), ("0.0.0.0:1", "0.0.0.0", 1),
            ("metrics.local:65535", "metrics.local", 65535),
        ])
    func parses(_ text: String, _ host: String, _ port: Int) throws {
        let address = try ListenAddress.parse(text).get()
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test(
        "No port, a port out of range, no host, a URL: refused with the form to write",
        arguments: [
            "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", ":9464", "http://127.0.0.1:9464", "host:port", "a b:1",
        ])
    func refuses(_ text: String) {
        guard case .failure(let problem) = ListenAddress.parse(text) else {
            Issue.record("\(text) accepted")
            return
        }
        #expect(problem.description.contains("write it like 127.0.0.1:9464"))
    }
}
