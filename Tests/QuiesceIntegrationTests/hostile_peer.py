"""A hostile peer of the coordinator, with the standard library only: raw ZMTP 3.0 over TCP.

    hostile_peer.py hold HOST PORT COUNT SECONDS silent|greet [reconnect]
        Opens COUNT connections and keeps them for SECONDS. `silent` ones send nothing; `greet` ones
        complete the NULL handshake as DEALERs and then send nothing. With `reconnect`, a connection
        the coordinator closes is opened again. Prints one JSON line: opened, closed_by_peer, held
        (open at the end; for `greet`, connected), connecting (`greet` only: not yet connected), and
        the seconds each closed connection had lived (lifetimes).
    hostile_peer.py flood HOST PORT SECONDS RATE BODY
        One DEALER sends the Quiesce message whose JSON body is BODY (with "id" counted up; a BODY that
        is not JSON is sent as it is, a malformed message) RATE times a second for SECONDS, reading and
        discarding what comes back. Prints one JSON line: sent.
    hostile_peer.py send HOST PORT BODY
        One DEALER sends one message, waits up to 10 s for its answer, and prints the answers' bodies
        as JSON.

Every loop is bounded by its SECONDS; nothing here outlives them.
"""
import errno
import json
import resource
import select
import socket
import struct
import sys
import time


def greeting():
    """The 64-byte ZMTP 3.0 greeting of a NULL client."""
    return b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31


def command(name, properties):
    body = bytes([len(name)]) + name
    for key, value in properties:
        body += bytes([len(key)]) + key + struct.pack(">I", len(value)) + value
    return frame(body, flags=0x04)


def frame(body, flags=0x00):
    if len(body) > 255:
        return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def message(frames):
    return b"".join(frame(body, 0x01 if index < len(frames) - 1 else 0x00) for index, body in enumerate(frames))


def quiesce_message(body):
    return quiesce_frames(json.dumps(body).encode())


def quiesce_frames(body):
    return message([b"QSC/1", body])


def connect(host, port, greet):
    """A connected DEALER (NULL handshake sent) when `greet`; else a silent connection, left connecting
    (past a full listen backlog too)."""
    if not greet:
        connection = socket.socket()
        connection.setblocking(False)
        connection.connect_ex((host, port))
        return connection
    connection = socket.create_connection((host, port), timeout=5)
    handshake(connection)
    return connection


def handshake(connection):
    """The NULL handshake as libzmq's own peers do it: the signature and major version, then the rest
    of the greeting once the server's signature has arrived, then READY. (Sent all at once, libzmq
    4.3.4 sometimes fails the handshake as an unexpected command.) Leaves the socket non-blocking."""
    connection.settimeout(5)
    whole = greeting()
    connection.sendall(whole[:11])
    receive_exactly(connection, 11)
    connection.sendall(whole[11:])
    receive_exactly(connection, 53)
    connection.sendall(command(b"READY", [(b"Socket-Type", b"DEALER")]))
    connection.setblocking(False)


def receive_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionResetError("closed during the handshake")
        data += chunk
    return data


def greet_connected(pending):
    """Sends the handshake on each connection of `pending` whose connect has completed; returns those
    whose connect failed. Connections still connecting stay in `pending`."""
    poller = select.poll()
    for connection in pending:
        poller.register(connection, select.POLLOUT)
    failed = []
    for fd, _ in poller.poll(0):
        connection = next(c for c in pending if c.fileno() == fd)
        pending.discard(connection)
        if connection.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
            failed.append(connection)
            continue
        try:
            handshake(connection)
        except OSError:
            failed.append(connection)
    return failed


def closed(connection):
    """Whether the peer closed `connection`; reads and discards what it sent."""
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError as error:
        # Still connecting (a silent connection past the listener's backlog) is not closed.
        return error.errno != errno.ENOTCONN


def raise_descriptor_limit():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold(host, port, count, seconds, mode, reconnect):
    raise_descriptor_limit()
    greet = mode == "greet"
    deadline = time.monotonic() + seconds
    opened, closed_by_peer, lifetimes = 0, 0, []
    connections, ungreeted = {}, set()

    def open_one():
        nonlocal opened
        try:
            connection = connect(host, port, greet=False)
        except OSError:
            return
        connections[connection] = time.monotonic()
        opened += 1
        if greet:
            ungreeted.add(connection)

    for _ in range(count):
        open_one()
    while time.monotonic() < deadline:
        failed = greet_connected(ungreeted) if greet else []
        for connection in failed + [c for c in connections if c not in ungreeted and c not in failed and closed(c)]:
            closed_by_peer += 1
            lifetimes.append(round(time.monotonic() - connections.pop(connection), 2))
            connection.close()
            if reconnect:
                open_one()
        time.sleep(0.1)
    # A greeting connection still connecting (its SYN past a full listen backlog) is not held.
    held, connecting = len(connections) - len(ungreeted), len(ungreeted)
    for connection in connections:
        connection.close()
    print(json.dumps({
        "opened": opened, "closed_by_peer": closed_by_peer, "held": held, "connecting": connecting,
        "lifetimes": lifetimes,
    }))


def flood(host, port, seconds, rate, body):
    """Sends `body` (a dict, "id" counted up; or raw text, sent as it is) RATE times a second."""
    connection = connect(host, port, greet=True)
    deadline = time.monotonic() + seconds
    sent, started, pending = 0, time.monotonic(), b""
    raw = None if isinstance(body, dict) else quiesce_frames(body.encode())
    while time.monotonic() < deadline:
        if not pending:
            due = min(int((time.monotonic() - started) * rate) - sent, 2000)
            batch = []
            for _ in range(max(due, 0)):
                sent += 1
                if raw is None:
                    body["id"] = sent
                batch.append(raw or quiesce_message(body))
            pending = b"".join(batch)
        if not pending:
            time.sleep(0.002)
            continue
        try:
            pending = pending[connection.send(pending) :]
        except BlockingIOError:
            select.select([], [connection], [], 0.01)
        except OSError:
            print(json.dumps({"sent": sent, "closed_by_peer": True}))
            return
        closed(connection)
    connection.close()
    print(json.dumps({"sent": sent, "seconds": seconds}))


def split_frames(data):
    """The complete frames at the start of `data`, as (flags, body) pairs, and the bytes after them."""
    frames, offset = [], 0
    while offset + 2 <= len(data):
        flags = data[offset]
        if flags & 0x02:
            if offset + 9 > len(data):
                break
            size, start = struct.unpack(">Q", data[offset + 1 : offset + 9])[0], offset + 9
        else:
            size, start = data[offset + 1], offset + 2
        if start + size > len(data):
            break
        frames.append((flags, data[start : start + size]))
        offset = start + size
    return frames, data[offset:]


def frames_in(data):
    """The bodies of the complete message frames in `data` (commands skipped)."""
    return [body for flags, body in split_frames(data)[0] if not flags & 0x04]


def send(host, port, body):
    """Sends one message and prints the bodies of the answers that arrive within 10 s (it stops at
    the first). Closing with unread data would reset the connection and lose what was sent, so the
    connection is half-closed and drained first."""
    connection = connect(host, port, greet=True)
    connection.setblocking(True)
    connection.sendall(quiesce_message(body))
    received, deadline, bodies = b"", time.monotonic() + 10, []
    while time.monotonic() < deadline and not bodies:
        readable, _, _ = select.select([connection], [], [], 0.1)
        if readable:
            data = connection.recv(65536)
            if not data:
                break
            received += data
            # The greeting was read by the handshake; the coordinator's READY is a command, skipped.
            bodies = [b.decode("utf-8", "replace") for b in frames_in(received) if b.startswith(b"{")]
    connection.shutdown(socket.SHUT_WR)
    connection.settimeout(1)
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass
    connection.close()
    print(json.dumps({"answers": bodies}))


def main(arguments):
    kind, host, port = arguments[0], arguments[1], int(arguments[2])
    if kind == "hold":
        hold(host, port, int(arguments[3]), float(arguments[4]), arguments[5], "reconnect" in arguments[6:])
    elif kind == "flood":
        try:
            body = json.loads(arguments[5])
        except ValueError:
            body = arguments[5]
        flood(host, port, float(arguments[3]), float(arguments[4]), body)
    elif kind == "send":
        send(host, port, json.loads(arguments[3]))
    else:
        sys.exit("unknown mode " + kind)


if __name__ == "__main__":
    main(sys.argv[1:])
