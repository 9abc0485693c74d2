import QuiesceCore
import Testing

@Suite("Why a command got no answer from the coordinator")
struct NoAnswerDiagnosisTests {
    let endpoint = "tcp://127.0.0.1:7700"

    func explanation(_ observations: [NoAnswerDiagnosis.Observation], secured: Bool) -> String {
        var diagnosis = NoAnswerDiagnosis()
        for observation in observations { diagnosis.observe(observation) }
        return diagnosis.explanation(endpoint: endpoint, secured: secured, timeout: .seconds(5))
    }

    @Test("Nothing listening: refused connections, never connected")
    func nothingListening() {
        let text = explanation([.connectionRefused, .connectionRefused], secured: false)
        #expect(text.hasPrefix("no answer from tcp://127.0.0.1:7700 within 5s: nothing listens there"))
        #expect(text.contains("is the coordinator running"))
    }

    @Test("No connection made and none refused: a host or firewall that drops packets")
    func nothingAtAll() {
        #expect(explanation([], secured: true).contains("no connection could be made; check the host, the port"))
    }

    @Test("Plain against a secured coordinator: give the keys")
    func plainAgainstSecured() {
        let text = explanation([.connected, .mechanismMismatch], secured: false)
        #expect(text.contains("it is secured with CURVE keys and this command has none"))
        #expect(text.contains("--keys DIR"))
    }

    @Test("A plain handshake that failed without detail (a loaded server closed it): most likely a secured coordinator")
    func plainHandshakeFailed() {
        let text = explanation([.connected, .handshakeFailed], secured: false)
        #expect(text.contains("it is probably secured with CURVE keys and this command has none; give --keys DIR"))
    }

    @Test("Keys against a plain coordinator: drop them, or give it keys")
    func securedAgainstPlain() {
        let text = explanation([.connected, .mechanismMismatch], secured: true)
        #expect(text.contains("it listens without keys"))
    }

    @Test("A failed CURVE handshake with nothing more: the server key is not the coordinator's")
    func wrongServerKey() {
        let text = explanation([.connected, .handshakeFailed, .connected, .handshakeFailed], secured: true)
        #expect(text.contains("--server-key is probably not the coordinator's public key"))
    }

    @Test("A key the coordinator refuses: give an admin key")
    func keyRefused() {
        #expect(explanation([.connected, .keyRefused], secured: true).contains("the coordinator refused this key"))
    }

    @Test("Connected and shaken hands, then nothing: not a coordinator, or overloaded")
    func silentPeer() {
        let text = explanation([.connectionRefused, .connected, .handshakeSucceeded], secured: false)
        #expect(text.contains("the connection was made but nothing answered"))
        #expect(!text.contains("went silent"), "it never answered")
    }

    @Test("Silence after an answer is a coordinator that went silent")
    func wentSilent() {
        var diagnosis = NoAnswerDiagnosis()
        for observation in [NoAnswerDiagnosis.Observation.connected, .handshakeSucceeded, .answered] {
            diagnosis.observe(observation)
        }
        #expect(
            diagnosis.explanation(endpoint: endpoint, secured: true, timeout: .milliseconds(300))
                == "the coordinator at tcp://127.0.0.1:7700 went silent for 0.3s")
    }
}
