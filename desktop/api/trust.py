"""TLS trust: the operating system's trust store (else certifi's bundle), a trust store named in
the environment that cannot be read safely, and a failed certificate check among an error's
causes.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
import stat
from collections.abc import Mapping

from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _

log = logging.getLogger(__name__)

#: OpenSSL's own variables for the trust store (it reads them itself, whatever httpx's trust_env).
TRUST_FILE_ENV = "SSL_CERT_FILE"


TRUST_DIR_ENV = "SSL_CERT_DIR"


# The names OpenSSL opens in a certificate folder: a subject hash, `.`, a number (`r`: a CRL).
_HASHED_CERT_NAME = re.compile(r"[0-9a-fA-F]{8}\.r?[0-9]+")


def trust_store_problem(environ: Mapping[str, str]) -> InvalidSetting | None:
    """Why the trust store named in the environment cannot be read safely, or None.

    OpenSSL opens `SSL_CERT_FILE`, and the certificates in each `SSL_CERT_DIR` folder, with a
    plain blocking open(): a FIFO (or a device) there blocks the request for ever, before any
    socket wait the deadline bounds. Such a path is refused before anything is opened; a path
    that does not exist is left to OpenSSL, which skips it (the certificate is then not
    trusted)."""
    candidates: list[tuple[str, str]] = []
    if environ.get(TRUST_FILE_ENV):
        candidates.append((TRUST_FILE_ENV, environ[TRUST_FILE_ENV]))
    for folder in filter(None, environ.get(TRUST_DIR_ENV, "").split(os.pathsep)):
        try:
            with os.scandir(folder) as entries:
                names = [e.path for e in entries if _HASHED_CERT_NAME.fullmatch(e.name)]
        except OSError:
            continue  # not a folder, or not readable: OpenSSL finds nothing there either
        candidates.extend((TRUST_DIR_ENV, name) for name in names)
    for variable, path in candidates:
        try:
            mode = os.stat(path).st_mode  # follows links, as OpenSSL does; never opens
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            return InvalidSetting(
                _(
                    "{variable} leads to {path}, which is not a regular file, so the trusted "
                    "certificates cannot be read: fix or unset {variable}."
                ).format(variable=variable, path=path),
                f"trust store: {variable} leads to a non-regular file (mode {mode:o})",
            )
    return None


def trust_context() -> ssl.SSLContext | bool:
    """The operating system's trust store (a company proxy's CA works), else certifi's bundle."""
    try:
        import truststore

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return context
    except Exception as exc:  # not installed, or the platform's store cannot load
        log.info("Using certifi's CA bundle: %s", exc)
        return True


def certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
