import CQuiesceSystem
import Foundation

/// `epoll` over many descriptors, each registered with a number that a wait returns: the swarm
/// watches thousands of sockets' `ZMQ_FD`s, which `zmq_poll` would scan one by one on every call.
/// Edge-triggered, as `ZMQ_FD` is.
final class EventPoll {
    private let descriptor: Int32
    private var tokens = [UInt64](repeating: 0, count: 256)

    init() throws {
        descriptor = quiesce_epoll_create()
        guard descriptor >= 0 else { throw SwarmError.system("epoll_create1", errno) }
    }

    /// Watches `fd` for input, reported as `token`.
    func add(_ fd: Int32, token: Int) throws {
        guard quiesce_epoll_add(descriptor, fd, UInt64(token)) == 0 else { throw SwarmError.system("epoll_ctl", errno) }
    }

    /// Waits up to `timeoutMilliseconds` and returns the tokens of the descriptors that were signalled.
    func wait(timeoutMilliseconds: Int32) -> [Int] {
        let count = tokens.withUnsafeMutableBufferPointer { buffer in
            quiesce_epoll_wait(descriptor, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        return count > 0 ? tokens.prefix(Int(count)).map { Int($0) } : []
    }

    deinit { close(descriptor) }
}

/// What stops a swarm process.
enum SwarmError: Error, CustomStringConvertible {
    case system(String, Int32)
    case usage(String)

    var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .usage(let text): text
        }
    }
}
