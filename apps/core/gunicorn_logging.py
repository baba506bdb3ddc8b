"""gunicorn's access log without one-time codes (Procfile: `--logger-class`)."""

from gunicorn.glogging import Logger

from apps.core.redact import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line, path, referer and the environ copies ({..}e).
        for key, value in atoms.items():
            if isinstance(value, str) and value:
                atoms[key] = redact(value)
        for key in ("q", "{query_string}e"):
            if atoms.get(key):  # a bare query string has no leading "?"
                atoms[key] = redact("?" + atoms[key])[1:]
        return atoms
