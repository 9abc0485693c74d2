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

    @Test("One coordinator's key is coordinator.key; several are numbered in the order of their endpoints")
    func severalCoordinators() {
        let keys = FleetKeys(directory: "/srv/keys")
        #expect(keys.coordinatorPublicKeys(count: 1) == ["/srv/keys/coordinator.key"])
        #expect(keys.coordinatorPublicKeys(count: 2) == ["/srv/keys/coordinator-1.key", "/srv/keys/coordinator-2.key"])
        #expect(FleetKeys.coordinatorNames(count: 1) == ["coordinator"])
        #expect(FleetKeys.coordinatorNames(count: 3) == ["coordinator-1", "coordinator-2", "coordinator-3"])
        #expect(keys.coordinatorSecretKeys(count: 2)[1] == "/srv/keys/coordinator-2.key_secret")
        #expect(keys.coordinatorSecretKeys(count: 1) == [keys.coordinatorSecretKey])
        #expect(keys.securityBlock(forCoordinator: 1, of: 1) == keys.securityBlock)
        let second = keys.securityBlock(forCoordinator: 2, of: 2)
        #expect(second.contains("server_key: \"/srv/keys/coordinator-2.key_secret\""))
        #expect(second.contains("agents_dir: \"/srv/keys/agents\""), "the same agents as every coordinator")
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
