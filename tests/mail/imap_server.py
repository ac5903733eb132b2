"""A throwaway Dovecot IMAP server on 127.0.0.1 for the tests (Debian's dovecot-imapd).

Dovecot runs with its own configuration, in the foreground, as an unprivileged
user: as root, the ``nobody`` account (Dovecot's files belong to it); otherwise
the current user. Without the dovecot binary the IMAP tests skip, except under
CI (``CI=true``), where a skip would hide a missing install step.
"""

from __future__ import annotations

import base64
import hashlib
import imaplib
import os
import shutil
import signal
import subprocess
import tempfile
import time

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
listen = 127.0.0.1
protocols = imap
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
disable_plaintext_auth = no
auth_mechanisms = plain login
# A refused password is answered at once, not after the default 2 s (tests only).
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=SHA256 username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%n
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)


class ImapServer:
    host = "127.0.0.1"

    def __init__(self, *, port: int, user: str, password: str) -> None:
        binary = find_dovecot()
        if binary is None:
            raise FileNotFoundError("dovecot introuvable")
        self.binary, self.port, self.user, self.password = binary, port, user, password
        self.dir = tempfile.mkdtemp(prefix="cada-imap-")
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self.as_user, owner, group = ["runuser", "-u", "nobody", "--"], "nobody", "nogroup"
        else:
            import grp
            import pwd

            self.as_user = []
            owner = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
        for sub in ("run", "state", "home"):
            os.mkdir(os.path.join(self.dir, sub))
        digest = base64.b64encode(hashlib.sha256(password.encode()).digest()).decode()
        with open(os.path.join(self.dir, "passwd"), "w") as fh:
            fh.write(f"{user}:{{SHA256}}{digest}\n")
        self.config = os.path.join(self.dir, "dovecot.conf")
        with open(self.config, "w") as fh:
            fh.write(CONFIG.format(dir=self.dir, user=owner, group=group, port=port))
        if self.as_user:
            for root, dirs, files in os.walk(self.dir):
                for name in [*dirs, *files, "."]:
                    shutil.chown(os.path.join(root, name), owner, group)
            os.chmod(self.dir, 0o755)

    def start(self) -> ImapServer:
        self.process = subprocess.Popen(
            [*self.as_user, self.binary, "-F", "-c", self.config],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60  # a bound only: a loaded machine starts it late
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"dovecot exited: {output}{self.log()}")
            try:
                imaplib.IMAP4(self.host, self.port, timeout=2).logout()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as fh:
                return fh.read()
        except OSError:
            return ""

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            typ, data = client.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def messages(self, folder: str) -> list[tuple[bytes, bytes]]:
        """(flags, raw message) of every message in ``folder``, read without changing it."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _typ, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _typ, got = client.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                found.append((got[0][0], got[0][1]))
            return found
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            if self.as_user:
                # Dovecot ends at once, but runuser, told to stop too, waits 2 s before
                # it exits: once its child has ended, nothing is left for it to stop.
                deadline = time.monotonic() + 10
                while _live_children(self.process.pid) and time.monotonic() < deadline:
                    time.sleep(0.01)
                os.killpg(self.process.pid, signal.SIGKILL)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _live_children(pid: int) -> list[int]:
    """The children of ``pid`` that have not ended (zombies excluded)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = [int(c) for c in fh.read().split()]
    except OSError:
        return []
    live = []
    for child in children:
        try:
            with open(f"/proc/{child}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            live.append(child)
    return live
