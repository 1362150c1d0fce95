"""A real OpenLDAP server (Debian's slapd) with the test directory (directory.ldif), and the
settings an installation's environment would give for it (masterplan.directory_config)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from masterplan.directory_config import directory_settings

HERE = Path(__file__).parent
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
PORT = 18681
UNUSED_PORT = 18682  # nothing listens here: a directory that is down
BASE = "dc=stadt,dc=example"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "admin-secret"

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {tmp}/slapd.pid
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


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """slapd on 127.0.0.1:PORT, loaded with directory.ldif, for the whole session."""
    tmp = tmp_path_factory.mktemp("slapd")
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
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"Port {PORT} is taken (a slapd left over from an earlier run?)")
    log = open(tmp / "slapd.log", "w")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"ldap://127.0.0.1:{PORT}/", "-d", "0"],
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
    yield f"ldap://127.0.0.1:{PORT}"
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
    directory = Directory(slapd)
    yield directory
    directory.restore()
