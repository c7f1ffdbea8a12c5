"""Client authentication plugins as libmariadb has them, where mysql-connector-python lacks them or
behaves otherwise.

mariadb-test answers an account's authentication plugin with libmariadb's client plugin of the same
name; the C extension's libmysqlclient cannot answer these, so a session that meets one continues
on the pure-Python protocol (runner.sessions.driver), which finds client plugins as modules of
``mysql.connector.plugins`` by the plugin's name. ``register()`` puts tidbrun's there, under a class
name that only tidbrun's ``Authenticator`` asks for: other users of the driver keep its plugins.

- ``mysql_old_password``: the pre-4.1 scramble (MySQL's password.c, ``scramble_323``), answered with
  the 8 scrambled bytes and a NUL, or an empty packet when there is no password (libmariadb's
  old_password.c);
- ``dialog``: the server asks questions (first byte: the question type, ``>> 1 == 2`` a password;
  the rest the prompt). libmariadb answers the first password question with the password and asks
  the user the others; mysqltest runs without a terminal, so they get the empty answer its prompt
  returns when nothing can be read;
- ``auth_test_plugin`` (the client half of MariaDB's test_plugin.c): a password question with an
  empty prompt gets the password; any other question ends the exchange in a client error;
- ``mysql_clear_password``: the password and a NUL, TLS or not (the driver's own plugin refuses to
  send it without TLS; libmariadb's does not);
- ``client_ed25519`` (MariaDB's ed25519 accounts): the server sends a 32-byte nonce, the client
  answers with its Ed25519 signature, the secret being SHA-512 of the password (runner.sessions.ed25519).

``Authenticator`` also understands the server's one-byte "use the short scramble" request (a bare
0xFE), which libmariadb answers with the old scramble of the handshake's seed.

The pure-Python package is imported here, so this module is loaded only with the Python protocol.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import math
import sys
import types
from abc import abstractmethod
from typing import TYPE_CHECKING, Any

from mysql.connector.authentication import MySQLAuthenticator
from mysql.connector.errors import InterfaceError
from mysql.connector.plugins import DEFAULT_PLUGINS_PKG, MySQLAuthPlugin

from runner.sessions import ed25519

if TYPE_CHECKING:
    from mysql.connector.network import MySQLSocket

SCRAMBLE_LENGTH_323 = 8
_MASK64 = (1 << 64) - 1  # password.c computes in C's 64-bit unsigned long
_MASK31 = (1 << 31) - 1
_RND_MAX = 0x3FFFFFFF

# First bytes of the server's packets during authentication.
_OK, _MORE_DATA, _SWITCH, _ERR = 0x00, 0x01, 0xFE, 0xFF
# A client plugin that gives up: libmariadb reports CR_UNKNOWN_ERROR unless the plugin set another.
CR_UNKNOWN_ERROR = 2000
CR_SERVER_HANDSHAKE_ERR = 2012
ED25519_NONCE_BYTES = 32


def hash_password_323(password: bytes) -> tuple[int, int]:
    """password.c's ``hash_password``: two 31-bit numbers; blanks and tabs do not count."""
    nr, add, nr2 = 1345345333, 7, 0x12345671
    for byte in password:
        if byte in (0x20, 0x09):
            continue
        nr ^= ((((nr & 63) + add) * byte) + (nr << 8)) & _MASK64
        nr2 = (nr2 + (((nr2 << 8) & _MASK64) ^ nr)) & _MASK64
        add += byte
    return nr & _MASK31, nr2 & _MASK31


def old_password_hash(password: bytes) -> str:
    """The stored form of an old password, as the server's OLD_PASSWORD() prints it."""
    first, second = hash_password_323(password)
    return f"{first:08x}{second:08x}"


def scramble_323(message: bytes, password: bytes) -> bytes:
    """password.c's ``scramble_323``: the 8-byte answer to the first 8 bytes of ``message``."""
    if not password:
        return b""
    hash_pass = hash_password_323(password)
    hash_message = hash_password_323(message[:SCRAMBLE_LENGTH_323])
    seed1 = (hash_pass[0] ^ hash_message[0]) % _RND_MAX
    seed2 = (hash_pass[1] ^ hash_message[1]) % _RND_MAX

    def rnd() -> float:
        nonlocal seed1, seed2
        seed1 = (seed1 * 3 + seed2) % _RND_MAX
        seed2 = (seed1 + seed2 + 33) % _RND_MAX
        return seed1 / float(_RND_MAX)

    scrambled = [math.floor(rnd() * 31) + 64 for _ in range(SCRAMBLE_LENGTH_323)]
    extra = math.floor(rnd() * 31)
    return bytes(value ^ extra for value in scrambled)


def ed25519_password(password: bytes) -> str:
    """The stored form of an ed25519 password, as the server's ED25519_PASSWORD() prints it: the
    public key in base64 without its padding."""
    expanded = hashlib.sha512(password).digest()
    return base64.b64encode(ed25519.public_key(expanded)).decode().rstrip("=")


def ed25519_reply(nonce: bytes, password: bytes) -> bytes:
    """libmariadb's ed25519.c: the signature of the server's nonce."""
    return ed25519.sign(hashlib.sha512(password).digest(), nonce)


class _Plugin(MySQLAuthPlugin):
    plugin_name = ""

    @property
    def name(self) -> str:
        return self.plugin_name

    @property
    def requires_ssl(self) -> bool:
        return False

    def _password_bytes(self) -> bytes:
        # As the driver's own plugins encode it (mysql_native_password).
        return self._password.encode()


class OldPasswordPlugin(_Plugin):
    plugin_name = "mysql_old_password"

    def auth_response(self, auth_data: bytes, **kwargs: Any) -> bytes:
        password = self._password_bytes()
        if not password:
            return b""
        return scramble_323(bytes(auth_data), password) + b"\x00"

    def auth_switch_response(self, sock: MySQLSocket, auth_data: bytes, **kwargs: Any) -> bytes:
        if len(auth_data) < SCRAMBLE_LENGTH_323:
            raise InterfaceError("Malformed packet", errno=2027)
        sock.send(self.auth_response(auth_data))
        return bytes(sock.recv())


class _QuestionPlugin(_Plugin):
    """A plugin that answers the server's questions until the server says OK or refuses."""

    @abstractmethod
    def answer(self, question_type: int, prompt: bytes, first: bool) -> bytes | None:
        """The reply to one question (without its NUL), or None to give up."""

    def auth_response(self, auth_data: bytes, **kwargs: Any) -> bytes:
        # Chosen for the handshake itself (no question yet), the plugin sends the password, as
        # libmariadb's do when mysql_change_user() makes the client speak first.
        return self._password_bytes() + b"\x00"

    def auth_switch_response(self, sock: MySQLSocket, auth_data: bytes, **kwargs: Any) -> bytes:
        question = bytes(auth_data)
        first = True
        while True:
            if not question:
                reply: bytes | None = self._password_bytes()
            else:
                reply = self.answer(question[0], question[1:], first)
            if reply is None:
                raise InterfaceError("Unknown error", errno=CR_UNKNOWN_ERROR)
            sock.send(reply + b"\x00")
            first = False
            packet = bytes(sock.recv())
            status = packet[4] if len(packet) > 4 else _ERR
            if status in (_OK, _ERR, _SWITCH):
                return packet
            # The server escapes plugin data that starts like a protocol packet with a 0x01.
            question = packet[5:] if status == _MORE_DATA else packet[4:]


class ClearPasswordPlugin(_Plugin):
    plugin_name = "mysql_clear_password"

    def auth_response(self, auth_data: bytes, **kwargs: Any) -> bytes:
        return self._password_bytes() + b"\x00"

    def auth_switch_response(self, sock: MySQLSocket, auth_data: bytes, **kwargs: Any) -> bytes:
        sock.send(self.auth_response(auth_data))
        return bytes(sock.recv())


class DialogPlugin(_QuestionPlugin):
    plugin_name = "dialog"

    def answer(self, question_type: int, prompt: bytes, first: bool) -> bytes | None:
        password = self._password_bytes()
        if question_type >> 1 == 2 and first and password:
            return password
        return b""


class AuthTestPlugin(_QuestionPlugin):
    plugin_name = "auth_test_plugin"

    def answer(self, question_type: int, prompt: bytes, first: bool) -> bytes | None:
        if question_type in (4, 5) and (not prompt or prompt[0] == 0):
            return self._password_bytes()
        return None


class Ed25519Plugin(_Plugin):
    plugin_name = "client_ed25519"

    def auth_response(self, auth_data: bytes, **kwargs: Any) -> bytes:
        # Chosen for the handshake, the plugin gets the handshake's scramble (20 bytes), which
        # libmariadb's refuses as a nonce.
        nonce = bytes(auth_data)
        if len(nonce) != ED25519_NONCE_BYTES:
            raise InterfaceError("Error in server handshake", errno=CR_SERVER_HANDSHAKE_ERR)
        return ed25519_reply(nonce, self._password_bytes())

    def auth_switch_response(self, sock: MySQLSocket, auth_data: bytes, **kwargs: Any) -> bytes:
        nonce = bytes(auth_data)
        if len(nonce) == ED25519_NONCE_BYTES - 1:
            # The driver drops a NUL that ends the switch request's data (the NUL MariaDB puts after
            # a native-password scramble); a nonce may end in a zero byte.
            nonce += b"\x00"
        sock.send(self.auth_response(nonce))
        return bytes(sock.recv())


PLUGINS: tuple[type[_Plugin], ...] = (
    OldPasswordPlugin,
    ClearPasswordPlugin,
    DialogPlugin,
    AuthTestPlugin,
    Ed25519Plugin,
)
# The class attribute tidbrun's plugins have in their modules (the driver's get_auth_plugin()
# takes the class of that name when asked for it, else the module's AUTHENTICATION_PLUGIN_CLASS).
CLASS_NAME = "TidbrunClientPlugin"


def register() -> None:
    """Make the plugins findable by the driver's ``get_auth_plugin(name, CLASS_NAME)``: it imports
    ``mysql.connector.plugins.<name>`` and takes the module's attribute of that name."""
    for plugin in PLUGINS:
        module_name = f"{DEFAULT_PLUGINS_PKG}.{plugin.plugin_name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            module = types.ModuleType(module_name, f"tidbrun's {plugin.plugin_name} client plugin")
            module.__dict__["AUTHENTICATION_PLUGIN_CLASS"] = CLASS_NAME
            sys.modules[module_name] = module
        module.__dict__[CLASS_NAME] = plugin


class Authenticator(MySQLAuthenticator):
    """The driver's authentication phase, plus the bare 0xFE request for the short scramble."""

    _seed: bytes = b""

    def authenticate(self, sock: MySQLSocket, handshake: Any, *args: Any, **kwargs: Any) -> bytes:
        # libmariadb answers the short-scramble request from the seed of the first handshake, which
        # the server keeps for the whole connection (COM_CHANGE_USER included).
        self._seed = bytes((handshake or {}).get("auth_data") or b"")
        kwargs["auth_plugin_class"] = kwargs.get("auth_plugin_class") or CLASS_NAME
        return super().authenticate(sock, handshake, *args, **kwargs)

    def _handle_server_response(self, sock: MySQLSocket, pkt: bytes) -> bytes | None:
        if len(pkt) == 5 and pkt[4] == _SWITCH:
            self._switch_auth_strategy(OldPasswordPlugin.plugin_name, CLASS_NAME)
            assert self._auth_strategy is not None
            pkt = self._auth_strategy.auth_switch_response(sock, self._seed, **self._plugin_config)
        return super()._handle_server_response(sock, pkt)
