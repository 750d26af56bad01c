"""Password rules (密码规则) and initial passwords.

Length and a short list of passwords everyone guesses, as NIST SP 800-63B advises, rather than
composition rules that push people to ``Password1!``. An initial password an administrator hands out is
random, readable aloud (no 0/O or 1/l/I), and must be replaced at the first sign-in.
"""

import secrets

from services.core import text

MIN_LENGTH, MAX_LENGTH = 10, 128
#: guessed first by anyone (and by every scanner); compared case-insensitively
COMMON = frozenset({
    "1234567890", "12345678910", "0123456789", "qwertyuiop", "1q2w3e4r5t", "qwerty123456", "password123",
    "password1234", "passw0rd123", "admin12345", "admin123456", "iloveyou123", "abc1234567", "a123456789",
    "aa12345678", "woaini1314", "1qaz2wsx3edc", "qazwsxedc123", "11111111111", "00000000000",
})
_READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def problem(password: str, *, username: str) -> str | None:
    """Why this password may not be chosen (Chinese, naming the field), or None."""
    if len(password) < MIN_LENGTH:
        return f"新密码至少{MIN_LENGTH}位"
    if len(password) > MAX_LENGTH:
        return f"新密码不能超过{MAX_LENGTH}位"
    if text.problem(password):
        return "新密码含有不可见的控制字符，请重新输入"
    lowered = password.lower()
    if len(set(password)) < 4 or lowered in COMMON:
        return "新密码过于简单，容易被猜中，请换一个"
    if username and username.lower() in lowered:
        return "新密码不能包含用户名"
    return None


def initial_password() -> str:
    """A random 12-character password for an administrator to hand over (about 70 bits)."""
    return "".join(secrets.choice(_READABLE) for _ in range(12))
