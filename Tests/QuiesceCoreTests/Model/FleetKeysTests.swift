import QuiesceCore
import Testing

@Suite("A fleet's keys directory")
struct FleetKeysTests {
    @Test("Every key has its place, the agents' secrets apart from the directory the coordinator reads")
    func layout() {
        let keys = FleetKeys(directory: "/srv/keys/")
        #expect(keys.coordinatorPublicKey == "/srv/keys/coordinator.key")
        #expect(keys.coordinatorSecretKey == "/srv/keys/coordinator.key_secret")
        #expect(keys.adminPublicKey == "/srv/keys/admin.key")
        #expect(keys.adminSecretKey == "/srv/keys/admin.key_secret")
        #expect(keys.agentsDirectory == "/srv/keys/agents")
        #expect(keys.agentSecretKey("api") == "/srv/keys/secrets/api.key_secret")
        #expect(FleetKeys(directory: "keys").agentSecretKey("api") == "keys/secrets/api.key_secret")
    }

    @Test("The security settings trust the coordinator's pair, the agents' directory and the one admin")
    func settings() {
        var expected = SecuritySettings(serverKeyFile: "k/coordinator.key_secret")
        expected.agentsDirectory = "k/agents"
        expected.adminKeyFiles = ["k/admin.key"]
        #expect(FleetKeys(directory: "k").securitySettings == expected)
    }

    @Test("The security block quotes its paths")
    func block() {
        #expect(
            FleetKeys(directory: "/a \"b\"").securityBlock == """
                security:
                  server_key: "/a \\"b\\"/coordinator.key_secret"
                  agents_dir: "/a \\"b\\"/agents"
                  admins: ["/a \\"b\\"/admin.key"]
                """)
    }
}
