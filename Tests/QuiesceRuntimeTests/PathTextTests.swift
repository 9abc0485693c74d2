import Testing

@testable import QuiesceRuntime

@Suite("Paths as text, as NSString reads them")
struct PathTextTests {
    @Test(
        "The directory of a path",
        arguments: [
            ("/a/b", "/a"), ("/a/b/", "/a"), ("/a", "/"), ("/", "/"), ("a", ""), ("a/b", "a"), ("", ""),
            ("/tmp/x/keys/coordinator.key", "/tmp/x/keys"),
        ])
    func directory(path: String, expected: String) {
        #expect(PathText.directory(of: path) == expected)
    }

    @Test(
        "The last component of a path",
        arguments: [("/a/b", "b"), ("/a/b/", "b"), ("/", "/"), ("a", "a"), ("", ""), ("/run/q.sock", "q.sock")])
    func lastComponent(path: String, expected: String) {
        #expect(PathText.lastComponent(of: path) == expected)
    }

    @Test(
        "A component inside a directory",
        arguments: [
            ("keys", "a.key", "keys/a.key"), ("keys/", "a.key", "keys/a.key"), ("", "a.key", "a.key"),
            ("/", "a", "/a"),
        ])
    func appending(directory: String, component: String, expected: String) {
        #expect(PathText.appending(component, to: directory) == expected)
    }
}
