"""A real OpenLDAP server (Debian's slapd) with the test directory (directory.ldif), and the
settings an installation's environment would give for it (masterplan.directory_config)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from masterplan.directory_config import directory_settings

HERE = Path(__file__).parent
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
PORT = 18681
UNUSED_PORT = 18682  # nothing listens here: a directory that is down
TLS_PORT = 18683  # ldaps://
BASE = "dc=stadt,dc=example"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "admin-secret"

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {tmp}/slapd.pid
TLSCACertificateFile {tmp}/ca.pem
TLSCertificateFile {tmp}/server.pem
TLSCertificateKeyFile {tmp}/server.key
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_password}
directory {tmp}/data
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
"""

# What an installation sets (README, "Anmeldung über das Verzeichnis").
DIRECTORY_ENV = {
    "LDAP_SERVER_URI": f"ldap://127.0.0.1:{PORT}",
    "LDAP_BIND_DN": f"cn=Sachstand Service,{BASE}",
    "LDAP_BIND_PASSWORD": "service-secret",
    "LDAP_USER_SEARCH_BASE": f"ou=people,{BASE}",
    "LDAP_USER_FILTER": "(uid=%(user)s)",
    "LDAP_GROUP_SEARCH_BASE": f"ou=groups,{BASE}",
    "LDAP_GROUP_TYPE": "groupOfNames",
    "LDAP_ADMIN_GROUP": f"cn=sachstand-admins,ou=groups,{BASE}",
    "LDAP_COMMITTEE_GROUP": f"cn=lenkungskreis,ou=groups,{BASE}",
    "LDAP_EDITOR_GROUP_PATTERN": f"cn=sachstand-ag{{number}}-redaktion,ou=groups,{BASE}",
    "LDAP_LEAD_GROUP_PATTERN": f"cn=sachstand-ag{{number}}-leitung,ou=groups,{BASE}",
    "LDAP_TIMEOUT": "3",
}


def pytest_collection_modifyitems(items):
    if shutil.which("slapd") or Path(SLAPD).exists():
        return
    skip = pytest.mark.skip(reason="slapd is not installed (apt-get install slapd ldap-utils)")
    for item in items:
        if "ldap" in item.keywords:
            item.add_marker(skip)


def make_certificates(tmp: Path) -> None:
    """A city CA (ca.pem) and the directory server's certificate for 127.0.0.1, signed by it."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp, check=True, capture_output=True)

    key = ["-newkey", "rsa:2048", "-nodes", "-days", "2"]
    openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Test-CA")
    openssl("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (tmp / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    sign = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-extfile", "san.ext"]
    openssl("x509", "-req", "-in", "server.csr", *sign, "-days", "2", "-out", "server.pem")


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """slapd on 127.0.0.1:PORT (ldap://, StartTLS) and TLS_PORT (ldaps://), loaded with
    directory.ldif, for the whole session. Its certificate is signed by `ca.pem` in slapd.tmp."""
    tmp = tmp_path_factory.mktemp("slapd")
    make_certificates(tmp)
    (tmp / "data").mkdir()
    conf = tmp / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(tmp=tmp, base=BASE, root_dn=ROOT_DN, root_password=ROOT_PASSWORD)
    )
    subprocess.run(
        [SLAPADD, "-f", str(conf), "-l", str(HERE / "directory.ldif")],
        check=True,
        capture_output=True,
    )
    for port in (PORT, TLS_PORT):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise RuntimeError(f"Port {port} is taken (a slapd left from an earlier run?)")
    log = open(tmp / "slapd.log", "w")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        [
            SLAPD,
            "-f",
            str(conf),
            "-h",
            f"ldap://127.0.0.1:{PORT}/ ldaps://127.0.0.1:{TLS_PORT}/",
            "-d",
            "0",
        ],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            break
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log_text = (tmp / "slapd.log").read_text()
                raise RuntimeError(f"slapd did not start:\n{log_text}") from error
            time.sleep(0.1)
    server = SimpleNamespace(uri=f"ldap://127.0.0.1:{PORT}", tmp=tmp, ca=tmp / "ca.pem")
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def apply_environment(settings, env: dict[str, str]) -> None:
    for name, value in directory_settings(env).items():
        setattr(settings, name, value)


@pytest.fixture
def directory_signin(slapd, settings):
    """Sign-in configured for the test directory, as DIRECTORY_ENV would configure it."""
    apply_environment(settings, DIRECTORY_ENV)
    return DIRECTORY_ENV


class Directory:
    """Changes to the test directory, as its administrators would make them; undone after the
    test."""

    def __init__(self, uri: str):
        import ldap

        self.ldap = ldap
        self.connection = ldap.initialize(uri)
        self.connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        self.undo: list = []

    def remove_member(self, group_cn: str, uid: str) -> None:
        group, member = f"cn={group_cn},ou=groups,{BASE}", f"uid={uid},ou=people,{BASE}"
        self.connection.modify_s(group, [(self.ldap.MOD_DELETE, "member", [member.encode()])])
        self.undo.append((group, [(self.ldap.MOD_ADD, "member", [member.encode()])]))

    def add_member(self, group_cn: str, uid: str) -> None:
        group, member = f"cn={group_cn},ou=groups,{BASE}", f"uid={uid},ou=people,{BASE}"
        self.connection.modify_s(group, [(self.ldap.MOD_ADD, "member", [member.encode()])])
        self.undo.append((group, [(self.ldap.MOD_DELETE, "member", [member.encode()])]))

    def restore(self) -> None:
        for dn, changes in reversed(self.undo):
            self.connection.modify_s(dn, changes)
        self.connection.unbind_s()


@pytest.fixture
def directory(slapd):
    directory = Directory(slapd.uri)
    yield directory
    directory.restore()
