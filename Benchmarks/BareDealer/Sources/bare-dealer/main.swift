import CZeroMQ
import Glibc

// bare-dealer ENDPOINT: connects a DEALER to ENDPOINT and reads what arrives until it is killed.
guard CommandLine.arguments.count == 2 else {
    print("usage: bare-dealer ENDPOINT")
    exit(64)
}
let context = zmq_ctx_new()
let dealer = zmq_socket(context, ZMQ_DEALER)
guard zmq_connect(dealer, CommandLine.arguments[1]) == 0 else {
    print("bare-dealer: \(String(cString: zmq_strerror(zmq_errno())))")
    exit(1)
}
var item = zmq_pollitem_t(socket: dealer, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
var message = zmq_msg_t()
zmq_msg_init(&message)
while zmq_poll(&item, 1, -1) >= 0 {
    while zmq_msg_recv(&message, dealer, ZMQ_DONTWAIT) >= 0 {}
}
