"""A hostile peer of the coordinator, with the standard library only: raw ZMTP 3.0 over TCP.

    hostile_peer.py hold HOST PORT COUNT SECONDS silent|greet [reconnect]
        Opens COUNT connections and keeps them for SECONDS. `silent` ones send nothing; `greet` ones
        complete the NULL handshake as DEALERs and then send nothing. With `reconnect`, a connection
        the coordinator closes is opened again. Prints one JSON line: opened, closed_by_peer, held,
        and the seconds each closed connection had lived (lifetimes).
    hostile_peer.py flood HOST PORT SECONDS RATE BODY
        One DEALER sends the Quiesce message whose JSON body is BODY (with "id" counted up) RATE times
        a second for SECONDS, reading and discarding what comes back. Prints one JSON line: sent.
    hostile_peer.py send HOST PORT BODY
        One DEALER sends one message, waits a second for answers, and prints their bodies as JSON.

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
    return message([b"QSC/1", json.dumps(body).encode()])


def connect(host, port, greet):
    """A connection to HOST:PORT; a silent one is left connecting, past a full backlog too."""
    if not greet:
        connection = socket.socket()
        connection.setblocking(False)
        connection.connect_ex((host, port))
        return connection
    connection = socket.create_connection((host, port), timeout=5)
    connection.sendall(greeting() + command(b"READY", [(b"Socket-Type", b"DEALER")]))
    connection.setblocking(False)
    return connection


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
    connections = {}
    for _ in range(count):
        try:
            connections[connect(host, port, greet)] = time.monotonic()
            opened += 1
        except OSError:
            pass
    while time.monotonic() < deadline:
        for connection in [c for c in connections if closed(c)]:
            closed_by_peer += 1
            lifetimes.append(round(time.monotonic() - connections.pop(connection), 2))
            connection.close()
            if reconnect:
                try:
                    connections[connect(host, port, greet)] = time.monotonic()
                    opened += 1
                except OSError:
                    pass
        time.sleep(0.1)
    held = len(connections)
    for connection in connections:
        connection.close()
    print(json.dumps({"opened": opened, "closed_by_peer": closed_by_peer, "held": held, "lifetimes": lifetimes}))


def flood(host, port, seconds, rate, body):
    connection = connect(host, port, greet=True)
    deadline = time.monotonic() + seconds
    sent, started = 0, time.monotonic()
    while time.monotonic() < deadline:
        due = int((time.monotonic() - started) * rate)
        while sent < due:
            body["id"] = sent + 1
            try:
                connection.sendall(quiesce_message(body))
            except BlockingIOError:
                select.select([], [connection], [], 0.01)
                continue
            except OSError:
                print(json.dumps({"sent": sent, "closed_by_peer": True}))
                return
            sent += 1
        closed(connection)
        time.sleep(0.005)
    connection.close()
    print(json.dumps({"sent": sent}))


def frames_in(data):
    """The bodies of the complete message frames in `data` (commands skipped)."""
    bodies, offset = [], 0
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
        if not flags & 0x04:
            bodies.append(data[start : start + size])
        offset = start + size
    return bodies


def send(host, port, body):
    connection = connect(host, port, greet=True)
    connection.setblocking(True)
    connection.sendall(quiesce_message(body))
    received, deadline = b"", time.monotonic() + 1
    while time.monotonic() < deadline:
        readable, _, _ = select.select([connection], [], [], 0.1)
        if readable:
            data = connection.recv(65536)
            if not data:
                break
            received += data
    # The coordinator's greeting is 64 bytes; its READY is a command, skipped with the frames' flags.
    bodies = [b.decode("utf-8", "replace") for b in frames_in(received[64:]) if b.startswith(b"{")]
    connection.close()
    print(json.dumps({"answers": bodies}))


def main(arguments):
    kind, host, port = arguments[0], arguments[1], int(arguments[2])
    if kind == "hold":
        hold(host, port, int(arguments[3]), float(arguments[4]), arguments[5], "reconnect" in arguments[6:])
    elif kind == "flood":
        flood(host, port, float(arguments[3]), float(arguments[4]), json.loads(arguments[5]))
    elif kind == "send":
        send(host, port, json.loads(arguments[3]))
    else:
        sys.exit("unknown mode " + kind)


if __name__ == "__main__":
    main(sys.argv[1:])
