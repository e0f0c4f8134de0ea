#!/usr/bin/python3
"""qmp.py: the few QEMU Machine Protocol steps of the VM suite (tests/vm).

    qmp.py SOCKET COMMAND [JSON-ARGUMENTS]   run one QMP command, print its
                                             "return" as JSON (exit 1 on error)
    qmp.py SOCKET save STATE DISK=OVERLAY... pause, move each DISK to a new
                                             OVERLAY (the old image keeps the
                                             disk as it was), write the machine's
                                             state to STATE, resume
    qmp.py SOCKET resume                     wait until an incoming state is
                                             loaded (-incoming), then run

Only the standard library; the socket is the VM's -qmp unix socket.
"""

import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path, timeout=60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rw", encoding="utf-8")
        self._read()  # the greeting
        self.run("qmp_capabilities")

    def _read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError("QMP socket closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def run(self, command, **arguments):
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.file.write(json.dumps(req) + "\n")
        self.file.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"{command}: {reply['error'].get('desc', reply['error'])}")
        return reply.get("return")

    def wait(self, ready, what, timeout=300.0):
        deadline = time.monotonic() + timeout
        while True:
            value = ready()
            if value:
                return value
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: not done after {timeout:.0f} s")
            time.sleep(0.2)


def save(q, state, disks):
    q.run("stop")
    for spec in disks:
        device, overlay = spec.split("=", 1)
        q.run("blockdev-snapshot-sync", device=device, **{"snapshot-file": overlay, "format": "qcow2"})
    q.run("migrate", uri=f"exec:cat >{state}")

    def migrated():
        status = q.run("query-migrate").get("status")
        if status in ("failed", "cancelled"):
            raise RuntimeError(f"migrate to {state}: {status}")
        return status == "completed"

    q.wait(migrated, f"migrate to {state}")
    q.run("cont")


def resume(q):
    def loaded():
        status = q.run("query-status")["status"]
        return None if status == "inmigrate" else status

    status = q.wait(loaded, "loading the saved state")
    if status != "running":
        q.run("cont")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    q = Qmp(argv[1])
    if argv[2] == "save":
        save(q, argv[3], argv[4:])
    elif argv[2] == "resume":
        resume(q)
    else:
        args = json.loads(argv[3]) if len(argv) > 3 else {}
        print(json.dumps(q.run(argv[2], **args)))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (OSError, RuntimeError) as e:
        sys.exit(f"qmp.py: {e}")
