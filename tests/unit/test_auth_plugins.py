"""tidbrun's client authentication plugins (runner.sessions.auth_plugins), on scripted server packets."""

from __future__ import annotations

import struct

import pytest
from mysql.connector.errors import InterfaceError
from mysql.connector.plugins import get_auth_plugin

from runner.sessions import auth_plugins
from runner.sessions.auth_plugins import (
    Authenticator,
    AuthTestPlugin,
    ClearPasswordPlugin,
    DialogPlugin,
    OldPasswordPlugin,
    hash_password_323,
    old_password_hash,
    scramble_323,
)

OK_PACKET = b"\x00\x00\x00\x02\x00\x00\x00"


class ScriptedSocket:
    """What the plugins see of the driver's socket: send() a payload, recv() a whole packet."""

    def __init__(self, *replies: bytes) -> None:
        self.sent: list[bytes] = []
        self._replies = list(replies)

    def send(self, payload: bytes, *args: object) -> None:
        self.sent.append(bytes(payload))

    def recv(self, *args: object) -> bytearray:
        payload = self._replies.pop(0)
        return bytearray(struct.pack("<I", len(payload))[:3] + b"\x02" + payload)


def test_old_password_hash_is_what_the_server_stores() -> None:
    # SELECT OLD_PASSWORD(...) on MariaDB 10.11.
    assert old_password_hash(b"test") == "378b243e220ca493"
    assert old_password_hash(b"oldpw") == "09301740536db389"
    assert old_password_hash(b"gambling2") == "2f27438961437573"


def test_blanks_and_tabs_do_not_count_in_the_hash() -> None:
    assert hash_password_323(b"a b\tc") == hash_password_323(b"abc")
    assert old_password_hash(b"abc") == "7cd2b5942be28759"


def test_scramble_323_vectors() -> None:
    # The vectors go-sql-driver/mysql checks its pre-4.1 scramble with.
    seed = bytes([9, 8, 7, 6, 5, 4, 3, 2])
    assert scramble_323(seed, b" pass").hex() == "47575c5a435b4251"
    assert scramble_323(seed, b"pass ").hex() == "47575c5a435b4251"
    assert scramble_323(seed, b"123\t456").hex() == "575c47505b5b5559"
    assert scramble_323(seed, b"C0mpl!ca ted#PASS123").hex() == "5d5d554849584a45"


def test_scramble_uses_only_the_first_8_bytes_of_the_seed() -> None:
    seed = b"abcdefghijklmnopqrst"
    assert scramble_323(seed, b"pw") == scramble_323(seed[:8], b"pw")
    assert scramble_323(seed, b"pw") != scramble_323(b"abcdefgX", b"pw")
    assert scramble_323(seed, b"") == b""


def test_old_password_answers_the_switch_with_the_scramble_and_a_nul() -> None:
    sock = ScriptedSocket(OK_PACKET)
    plugin = OldPasswordPlugin("u", "test")
    reply = plugin.auth_switch_response(sock, b"12345678")  # type: ignore[arg-type]
    assert reply == bytes(ScriptedSocket(OK_PACKET).recv())
    assert sock.sent == [scramble_323(b"12345678", b"test") + b"\x00"]


def test_old_password_without_password_sends_an_empty_packet() -> None:
    sock = ScriptedSocket(OK_PACKET)
    OldPasswordPlugin("u", "").auth_switch_response(sock, b"12345678")  # type: ignore[arg-type]
    assert sock.sent == [b""]


def test_dialog_answers_the_first_password_question_with_the_password() -> None:
    sock = ScriptedSocket(b"\x03Are you sure ?", OK_PACKET)
    reply = DialogPlugin("u", "secret").auth_switch_response(sock, b"\x04Password, please:")  # type: ignore[arg-type]
    # The ordinary question gets the empty answer of a prompt that cannot read a terminal.
    assert sock.sent == [b"secret\x00", b"\x00"]
    assert reply[4] == 0


def test_dialog_questions_after_the_first_get_the_empty_answer() -> None:
    err = b"\xff\x15\x04#28000Access denied"
    sock = ScriptedSocket(b"\x04Password, please:", err)
    reply = DialogPlugin("u", "wrong").auth_switch_response(sock, b"\x04Password, please:")  # type: ignore[arg-type]
    assert sock.sent == [b"wrong\x00", b"\x00"]
    assert reply[4] == 0xFF


def test_test_plugin_answers_a_bare_password_question() -> None:
    sock = ScriptedSocket(OK_PACKET)
    AuthTestPlugin("u", "plug_dest").auth_switch_response(sock, b"\x05")  # type: ignore[arg-type]
    assert sock.sent == [b"plug_dest\x00"]


def test_test_plugin_gives_up_on_a_question_with_a_prompt() -> None:
    sock = ScriptedSocket()
    with pytest.raises(InterfaceError) as raised:
        AuthTestPlugin("u", "pw").auth_switch_response(sock, b"\x05Who are you?")  # type: ignore[arg-type]
    assert raised.value.errno == auth_plugins.CR_UNKNOWN_ERROR
    assert sock.sent == []


def test_clear_password_needs_no_tls() -> None:
    sock = ScriptedSocket(OK_PACKET)
    ClearPasswordPlugin("u", "cleartext_test", ssl_enabled=False).auth_switch_response(sock, b"")  # type: ignore[arg-type]
    assert sock.sent == [b"cleartext_test\x00"]


def test_registered_plugins_are_found_by_the_driver_under_tidbruns_class_name() -> None:
    auth_plugins.register()
    for plugin in auth_plugins.PLUGINS:
        assert get_auth_plugin(plugin.plugin_name, auth_plugins.CLASS_NAME) is plugin
    # Without the class name, the driver keeps its own clear-password plugin.
    assert get_auth_plugin("mysql_clear_password") is not ClearPasswordPlugin


def test_the_bare_switch_request_gets_the_old_scramble_of_the_handshake_seed() -> None:
    auth_plugins.register()
    seed = b"abcdefghijklmnopqrst"
    handshake = {"auth_data": seed, "auth_plugin": "mysql_native_password", "capabilities": 0}
    sock = ScriptedSocket(b"\xfe", OK_PACKET)
    authenticator = Authenticator()
    ok = authenticator.authenticate(sock, handshake, username="oldauth", password1="test")  # type: ignore[arg-type]
    assert ok[4] == 0
    # The handshake response (native scramble), then the 8 old-scramble bytes and a NUL.
    assert sock.sent[-1] == scramble_323(seed, b"test") + b"\x00"
    assert len(sock.sent) == 2
