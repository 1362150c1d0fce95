"""A small HTTP client for tests against a real web server process (no redirects followed)."""

import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie

from django.test import Client


@dataclass
class Response:
    status: int
    headers: dict
    text: str
    seconds: float


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebClient:
    """Signed in as `user` (a session stored in the test database), with CSRF handled."""

    def __init__(self, base_url: str, user):
        self.base_url = base_url
        django_client = Client()
        django_client.force_login(user)
        self.cookies = {"sessionid": django_client.cookies["sessionid"].value}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, *, data: bytes | None = None, headers=None) -> Response:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Cookie": cookie, **(headers or {})}
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as answer:
                status, answer_headers, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, body = error.code, error.headers, error.read()
        for header in answer_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(status, dict(answer_headers), body.decode(), time.monotonic() - started)

    def get(self, path: str) -> Response:
        return self.request(path)

    def csrf_token(self, form_path: str) -> str:
        page = self.get(form_path).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(self, path: str, fields: dict, *, files: dict | None = None, form_path: str):
        """POST a form as multipart/form-data; files maps a field to (file name, bytes)."""
        fields = {"csrfmiddlewaretoken": self.csrf_token(form_path), **fields}
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (file_name, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
