import Glibc
import QuiesceRuntime
import Testing

@Suite("Addresses that cannot be listened on")
struct ListenFailureTests {
    @Test("An address in use names itself, what probably holds it, how to find it, and where to change it")
    func inUse() {
        #expect(
            ListenFailure(.coordinator, address: "tcp://127.0.0.1:7700", code: EADDRINUSE).description
                == "cannot listen on tcp://127.0.0.1:7700: the address is in use, probably by another coordinator; "
                + "stop it (ss -ltnp 'sport = :7700' names it), or give another port (--bind or coordinator.bind)")
        #expect(
            ListenFailure(.metrics, address: "[::1]:9464", code: EADDRINUSE).description
                == "cannot serve metrics on [::1]:9464: the address is in use, probably by another coordinator's "
                + "metrics or an exporter; stop it (ss -ltnp 'sport = :9464' names it), or give another port "
                + "(--metrics-bind or coordinator.metrics_bind)")
        #expect(
            ListenFailure(.health, address: "127.0.0.1:8081", code: EADDRINUSE).description
                == "cannot serve the health endpoint on 127.0.0.1:8081: the address is in use, probably by another "
                + "agent's health endpoint; stop it (ss -ltnp 'sport = :8081' names it), or give another port "
                + "(--health-port and --health-host)")
    }

    @Test("A privileged port, an ipc:// directory this user may not write, and another refusal each say why")
    func permission() {
        #expect(
            ListenFailure(.metrics, address: "0.0.0.0:80", code: EACCES).description
                == "cannot serve metrics on 0.0.0.0:80: permission denied: a port below 1024 needs root or the "
                + "CAP_NET_BIND_SERVICE capability; give a port from 1024 up (--metrics-bind or coordinator.metrics_bind)"
        )
        #expect(
            ListenFailure(.adminPlane, address: "ipc:///run/quiesce/admin", code: EACCES).description
                == "cannot serve the admin plane on ipc:///run/quiesce/admin: permission denied: this user may not "
                + "create a socket there; give a path in a directory it may write (coordinator.admin_bind)")
        #expect(
            ListenFailure(.coordinator, address: "tcp://127.0.0.1:7700", code: EACCES).description.contains(
                "permission denied (a security module such as SELinux or AppArmor may forbid it)"))
    }

    @Test("An address no interface has, or a name that is none, asks for one of the host's addresses")
    func notThisHost() {
        #expect(
            ListenFailure(.coordinator, address: "tcp://10.9.9.9:7700", code: EADDRNOTAVAIL).description
                == "cannot listen on tcp://10.9.9.9:7700: no interface of this host has the address 10.9.9.9; give one "
                + "of its addresses, 127.0.0.1, or 0.0.0.0 for all of them (--bind or coordinator.bind)")
        #expect(
            ListenFailure(.health, address: "[fe80::9]:8081", code: EADDRNOTAVAIL).description.contains(
                "no interface of this host has the address fe80::9;"))
        #expect(
            ListenFailure(.coordinator, address: "tcp://nohost:7700", code: ENODEV).description
                == "cannot listen on tcp://nohost:7700: nohost is neither an address nor an interface of this host; "
                + "give one of its addresses, 127.0.0.1, or 0.0.0.0 for all of them (--bind or coordinator.bind)")
    }

    @Test("Other errors keep the system's words and still say where the address is set")
    func otherErrors() {
        #expect(
            ListenFailure(.coordinator, address: "ipc:///nonexistent/q", code: ENOENT).description
                == "cannot listen on ipc:///nonexistent/q: the socket's directory does not exist; create it or give "
                + "another path (--bind or coordinator.bind)")
        #expect(
            ListenFailure(.metrics, address: "127.0.0.1:9464", code: EMFILE).description
                == "cannot serve metrics on 127.0.0.1:9464: Too many open files (--metrics-bind or coordinator.metrics_bind)"
        )
    }
}
