import QuiesceRuntime
import Testing

@Suite("File permissions")
struct FilePermissionsTests {
    private static let user: UInt32 = 1000

    private func problem(_ role: FilePermissions.Role, mode: UInt32, owner: UInt32 = user) -> String? {
        FilePermissions.problem(with: "/k/f", as: role, mode: mode, owner: owner, currentUser: Self.user)?.description
    }

    @Test("A secret key is refused if group or others have any access to it", arguments: [0o640, 0o604, 0o620, 0o601])
    func secretKeyOpenToOthers(mode: UInt32) {
        #expect(problem(.secretKey, mode: 0o100000 | mode)?.hasSuffix("; run chmod 600 /k/f") == true)
    }

    @Test("The secret key message says who may do what, with the mode")
    func secretKeyMessage() {
        #expect(
            problem(.secretKey, mode: 0o100644)
                == "/k/f: the secret key is readable by group and others (mode 0644); run chmod 600 /k/f")
        #expect(
            problem(.secretKey, mode: 0o100606)
                == "/k/f: the secret key is readable and writable by others (mode 0606); run chmod 600 /k/f")
    }

    @Test("A secret key of mode 0600 or 0400, its user's or root's, passes", arguments: [0o600, 0o400])
    func secretKeyPrivate(mode: UInt32) {
        #expect(problem(.secretKey, mode: 0o100000 | mode) == nil)
        #expect(problem(.secretKey, mode: 0o100000 | mode, owner: 0) == nil)
    }

    @Test("A public key may be read by all, but written only by its owner")
    func publicKey() {
        #expect(problem(.publicKey, mode: 0o100644) == nil)
        #expect(problem(.publicKey, mode: 0o100444) == nil)
        #expect(
            problem(.publicKey, mode: 0o100666)
                == "/k/f: the public key is writable by group and others (mode 0666), who could put their own key in it; "
                + "run chmod go-w /k/f")
        #expect(problem(.publicKey, mode: 0o100664) != nil)
    }

    @Test("A directory others may write to is refused, even with the sticky bit; one they may read passes")
    func directory() {
        let role = FilePermissions.Role.directory("the agents directory (security.agents_dir)")
        #expect(problem(role, mode: 0o040755) == nil)
        #expect(problem(role, mode: 0o040700) == nil)
        #expect(
            problem(role, mode: 0o040777)
                == "/k/f: the agents directory (security.agents_dir) is writable by group and others (mode 0777), "
                + "who could replace the files in it; run chmod go-w /k/f")
        #expect(problem(role, mode: 0o041777)?.contains("(mode 1777)") == true)
        #expect(problem(role, mode: 0o040775)?.contains("writable by group (mode 0775)") == true)
    }

    @Test("A directory owned by another user than this one or root is refused, whatever its mode")
    func foreignDirectory() {
        let role = FilePermissions.Role.directory("the state directory (coordinator.state_dir)")
        #expect(
            problem(role, mode: 0o040700, owner: 1001)
                == "/k/f: the state directory (coordinator.state_dir) is owned by user 1001, who is neither this user "
                + "(1000) nor root; run chown 1000 /k/f")
        #expect(problem(role, mode: 0o040700, owner: 0) == nil)
    }

    @Test("A key file made by another user is read if its mode passes: a container reads keys another uid made")
    func foreignKeyFile() {
        #expect(problem(.secretKey, mode: 0o100600, owner: 10001) == nil)
        #expect(problem(.publicKey, mode: 0o100644, owner: 10001) == nil)
        #expect(problem(.secretKey, mode: 0o100644, owner: 10001) != nil)
    }
}
