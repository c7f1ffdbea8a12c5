"""Ed25519 signing from an expanded secret (RFC 8032, section 5.1), in pure Python.

MariaDB's ed25519 authentication signs with ``h = SHA-512(password)`` where RFC 8032 has
``SHA-512(seed)``, so libraries that only take a 32-byte seed cannot be used. The client makes one
signature per login and holds test passwords, so this favours readability over speed and does not
try to be constant-time.

Points are in extended homogeneous coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z.
"""

from __future__ import annotations

import hashlib

P = 2**255 - 19
# The order of the base point.
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P

Point = tuple[int, int, int, int]

# The base point B of RFC 8032, section 5.1 (y = 4/5, x positive, i.e. even).
_BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202
_BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960
BASE: Point = (_BX, _BY, 1, _BX * _BY % P)
_NEUTRAL: Point = (0, 1, 1, 0)

EXPANDED_SECRET_BYTES = 64


def point_add(p: Point, q: Point) -> Point:
    """RFC 8032's unified addition (also right for doubling)."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def scalar_mult(scalar: int, point: Point) -> Point:
    result = _NEUTRAL
    while scalar > 0:
        if scalar & 1:
            result = point_add(result, point)
        point = point_add(point, point)
        scalar >>= 1
    return result


def encode_point(point: Point) -> bytes:
    """y in 255 bits, little-endian, with the low bit of x as the top bit."""
    z_inverse = pow(point[2], -1, P)
    x = point[0] * z_inverse % P
    y = point[1] * z_inverse % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def secret_scalar(expanded: bytes) -> int:
    """The first half of the expanded secret, clamped: a multiple of 8 with bit 254 set."""
    a = bytearray(expanded[:32])
    a[0] &= 248
    a[31] &= 63
    a[31] |= 64
    return int.from_bytes(a, "little")


def _hash_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little") % L


def public_key(expanded: bytes) -> bytes:
    """A = a*B, encoded."""
    _check(expanded)
    return encode_point(scalar_mult(secret_scalar(expanded), BASE))


def sign(expanded: bytes, message: bytes) -> bytes:
    """The 64-byte signature R || S of ``message`` with the expanded secret ``h``: the scalar is
    h[0:32] clamped, and h[32:64] is the prefix the nonce r is hashed from."""
    _check(expanded)
    a = secret_scalar(expanded)
    encoded_a = encode_point(scalar_mult(a, BASE))
    r = _hash_int(expanded[32:], message)
    encoded_r = encode_point(scalar_mult(r, BASE))
    k = _hash_int(encoded_r, encoded_a, message)
    s = (r + k * a) % L
    return encoded_r + s.to_bytes(32, "little")


def _check(expanded: bytes) -> None:
    if len(expanded) != EXPANDED_SECRET_BYTES:
        raise ValueError(f"an expanded Ed25519 secret has {EXPANDED_SECRET_BYTES} bytes, not {len(expanded)}")
