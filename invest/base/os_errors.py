"""An operating system's refusal (OSError) said in Swedish, naming the user's own path — never a temporary file's
name and never the system's English text alone."""

from __future__ import annotations

import errno

_SAID = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EFBIG: "filen blir större än systemet tillåter (gräns för filstorlek)",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.EISDIR: "är en katalog, inte en fil",
    errno.ENOTDIR: "en del av sökvägen är en fil, inte en katalog",
    errno.ENOENT: "finns inte",
    errno.EEXIST: "finns redan",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EMFILE: "för många öppna filer",
    errno.EIO: "in- eller utmatningsfel på enheten",
    errno.EBUSY: "används av ett annat program",
    errno.ETXTBSY: "används av ett annat program",
    errno.ELOOP: "för många symboliska länkar i sökvägen",
}


def said(exc: OSError) -> str:
    """What went wrong, in Swedish: a known error's words, else the system's text with its code."""
    if exc.errno in _SAID:
        return _SAID[exc.errno]
    code = errno.errorcode.get(exc.errno or 0, "")
    return f"systemet vägrar ({exc.strerror or exc}{', ' + code if code else ''})"


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind an exception: itself, or one it was raised from or during (a library may wrap a full disk
    in its own exception type)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
