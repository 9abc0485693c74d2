import Testing

@testable import QuiesceAgent

@Suite("What an http:// check sends and reads")
struct PlainHTTPTests {
    typealias Target = PlainHTTP.Target

    @Test("A URL gives the host, the port, the Host header and the request target")
    func target() throws {
        let plain = try #require(Target(url: "http://127.0.0.1:8080/healthz"))
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 8080)
        #expect(plain.authority == "127.0.0.1:8080")
        #expect(plain.path == "/healthz")
        #expect(Target(url: "http://api/")?.port == 80)
        #expect(Target(url: "http://api")?.path == "/", "no path asks for /")
        #expect(Target(url: "http://api?ready=1")?.path == "/?ready=1")
        #expect(Target(url: "http://api:81/a/b?c=d#part")?.path == "/a/b?c=d", "the fragment stays here")
        #expect(Target(url: "http://user:secret@api:81/")?.authority == "api:81", "credentials are not sent")
        let ipv6 = try #require(Target(url: "http://[::1]:9000/readyz"))
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 9000)
        #expect(ipv6.authority == "[::1]:9000")
    }

    @Test(
        "What is no http:// URL is refused",
        arguments: [
            "https://api/", "ftp://api/", "http://", "http://:80/", "http://api:/", "http://api:0/",
            "http://api:65536/", "http://api:8o/", "http://[::1/", "http://[::1]x/",
        ])
    func refused(url: String) {
        #expect(Target(url: url) == nil)
    }

    @Test("The request names its target and host, closes the connection, and says a POST has no body")
    func request() throws {
        let target = try #require(Target(url: "http://127.0.0.1:8080/shutdown"))
        #expect(
            PlainHTTP.request(method: "GET", to: target)
                == "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: quiesce-agent\r\nAccept: */*\r\n"
                + "Connection: close\r\n\r\n")
        #expect(
            PlainHTTP.request(method: "POST", to: target).hasSuffix("Connection: close\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test("The status line is read once it has arrived")
    func statusLine() {
        func read(_ text: String) -> PlainHTTP.StatusLine { PlainHTTP.statusLine(in: Array(text.utf8)) }
        #expect(read("HTTP/1.1 200 OK\r\nServer: x\r\n") == .status(200))
        #expect(read("HTTP/1.0 503 Service Unavailable\n") == .status(503))
        #expect(read("HTTP/1.1 204\r\n") == .status(204), "the reason phrase may be missing")
        #expect(read("HTTP/1.1 30") == .incomplete)
        #expect(read("") == .incomplete)
        #expect(read("SSH-2.0-OpenSSH_9.2\r\n") == .malformed)
        #expect(read("HTTP/1.1 2000 OK\r\n") == .malformed)
        #expect(read("HTTP/1.1 2x0 OK\r\n") == .malformed)
        #expect(read(String(repeating: "a", count: PlainHTTP.statusLineLimit + 1)) == .malformed)
    }
}
