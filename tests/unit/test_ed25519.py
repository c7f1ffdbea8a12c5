"""Ed25519 from an expanded secret (runner.sessions.ed25519) and the client_ed25519 plugin built on it."""

from __future__ import annotations

import hashlib

import pytest
from mysql.connector.errors import InterfaceError

from runner.sessions import auth_plugins, ed25519
from runner.sessions.auth_plugins import Authenticator, Ed25519Plugin, ed25519_password, ed25519_reply
from tests.unit.test_auth_plugins import OK_PACKET, ScriptedSocket

# RFC 8032, section 7.1, TEST 1-3: (secret seed, public key, message, signature). RFC 8032 expands
# the seed with SHA-512; MariaDB expands the password the same way, so signing with
# h = SHA-512(seed) must give the RFC's signatures.
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_vectors_signed_from_the_expanded_secret(seed: str, public: str, message: str, signature: str) -> None:
    expanded = hashlib.sha512(bytes.fromhex(seed)).digest()
    assert ed25519.public_key(expanded).hex() == public
    assert ed25519.sign(expanded, bytes.fromhex(message)).hex() == signature


def test_the_base_point_is_on_the_curve_with_y_four_fifths() -> None:
    x, y, z, t = ed25519.BASE
    p = ed25519.P
    assert z == 1 and t == x * y % p
    assert (-x * x + y * y) % p == (1 + ed25519.D * x * x * y * y) % p
    assert y * 5 % p == 4
    # L is its order: L*B is the neutral point (0, 1).
    assert ed25519.encode_point(ed25519.scalar_mult(ed25519.L, ed25519.BASE)) == (1).to_bytes(32, "little")


def test_the_secret_scalar_is_clamped() -> None:
    a = ed25519.secret_scalar(b"\xff" * 64)
    assert a % 8 == 0
    assert a >> 254 == 1


def test_the_expanded_secret_has_64_bytes() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        ed25519.sign(b"\x00" * 32, b"nonce")


def test_ed25519_password_is_what_the_server_stores() -> None:
    # SELECT ed25519_password(...) on MariaDB 10.11 (suite/plugins/r/auth_ed25519.result for the
    # first three, a private server for the rest).
    assert ed25519_password(b"foo") == "vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4TI"
    assert ed25519_password(b"foobar") == "qv2mG6HWCuy32Slb5xhV4THStewNz2VINVPbgk+XAJ8"
    assert ed25519_password(b"foo bar") == "Y5fV74JAVRMOK2cdnUsYS+WW9sXaaL/o+6WGKOgqnzc"
    assert ed25519_password(b"secret") == "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY"
    assert ed25519_password(b"bar") == "pfzkeWMzkTefY1oshXS+/kATeN51M+4jxi3/cbyTd10"
    assert ed25519_password(b"") == "4LH+dBF+G5W2CKTyId8xR3SyDqZoQjUNUVNxx8aWbG4"


def test_the_plugin_answers_the_nonce_with_its_signature() -> None:
    nonce = bytes(range(1, 33))
    sock = ScriptedSocket(OK_PACKET)
    reply = Ed25519Plugin("test1", "secret").auth_switch_response(sock, nonce)  # type: ignore[arg-type]
    assert reply[4] == 0
    expected = ed25519.sign(hashlib.sha512(b"secret").digest(), nonce)
    assert sock.sent == [expected] and len(expected) == 64
    assert ed25519_reply(nonce, b"secret") == expected
    # The signature depends on the password and on the nonce.
    assert ed25519_reply(nonce, b"public") != expected
    assert ed25519_reply(nonce[::-1], b"secret") != expected


def test_a_nonce_ending_in_a_zero_byte_is_signed_whole() -> None:
    # The driver takes the NUL that ends the switch request's data for a terminator and drops it.
    auth_plugins.register()
    nonce = bytes(range(1, 32)) + b"\x00"
    handshake = {"auth_data": b"abcdefghijklmnopqrst", "auth_plugin": "mysql_native_password", "capabilities": 0}
    switch = b"\xfeclient_ed25519\x00" + nonce
    sock = ScriptedSocket(switch, OK_PACKET)
    ok = Authenticator().authenticate(sock, handshake, username="test1", password1="secret")  # type: ignore[arg-type]
    assert ok[4] == 0
    assert sock.sent[-1] == ed25519_reply(nonce, b"secret")


@pytest.mark.parametrize("size", [0, 20, 30, 33])
def test_a_nonce_of_another_size_is_a_handshake_error(size: int) -> None:
    sock = ScriptedSocket()
    with pytest.raises(InterfaceError) as raised:
        Ed25519Plugin("test1", "secret").auth_switch_response(sock, b"n" * size)  # type: ignore[arg-type]
    assert raised.value.errno == auth_plugins.CR_SERVER_HANDSHAKE_ERR
    assert sock.sent == []
