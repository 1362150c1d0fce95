"""Imports survive faults of real processes: a worker killed with -9 in the middle of the
apply, a worker out of memory, a broker that is down. Deadlines are set short for these tests
through the processes' environment."""

import contextlib
import resource
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse

from masterplan.tasks import programme_summary
from measures.models import ChangeRecord, Measure
from tests.http import WebClient
from transfer.models import ImportRun

from .bigfile import measures_csv_with_new_measures

pytestmark = [pytest.mark.fault, pytest.mark.worker]

SHORT_DEADLINES = {
    "JOB_WATCH_INTERVAL": "1",
    "JOB_RESEND_AFTER": "10",
    "JOB_RUN_DEADLINE": "30",
}
FINAL = {
    ImportRun.State.PREVIEW,
    ImportRun.State.REJECTED,
    ImportRun.State.APPLIED,
    ImportRun.State.FAILED,
    ImportRun.State.CANCELLED,
}
CLOSED_PORT = 18598
WEB_PORT = 18511


def wait_for(run: ImportRun, done, *, timeout: float, processes=()) -> ImportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if done(run):
            return run
        time.sleep(0.02)
    logs = "\n".join(Path(process.log_path).read_text()[-3000:] for process in processes)
    raise AssertionError(f"import still {run.state} ({run.progress} %) after {timeout} s\n{logs}")


def upload(client, programme, name: str, data: bytes) -> ImportRun:
    response = client.post(
        reverse("transfer:import"),
        {"programme": programme.pk, "file": _named(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("pk")


def _named(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_an_import_whose_worker_is_killed_mid_apply_is_applied_once_by_the_next_worker(
    media_root, settings, programme, admin_user, client, celery_processes
):
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every upload goes to the worker
    beat = celery_processes.beat(**SHORT_DEADLINES)
    first = celery_processes.worker(**SHORT_DEADLINES)
    client.force_login(admin_user)
    data = measures_csv_with_new_measures(programme, per_group=700)
    run = upload(client, programme, "massnahmen.csv", data)
    run = wait_for(run, lambda run: run.state in FINAL, timeout=120, processes=[first])
    assert run.state == ImportRun.State.PREVIEW, run.errors
    new = run.counts["measures"]["create"]
    assert new == 4 * 700

    client.post(reverse("transfer:run-confirm", args=[run.pk]))
    # The apply is in its transaction once the progress shows 50 %.
    wait_for(
        run,
        lambda run: run.state != ImportRun.State.APPLYING or run.progress >= 50,
        timeout=120,
        processes=[first],
    )
    celery_processes.kill(first)

    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLYING and run.attempts == 1
    assert not Measure.objects.filter(number="1.100").exists()  # rolled back
    second = celery_processes.worker(**SHORT_DEADLINES)
    run = wait_for(run, lambda run: run.state in FINAL, timeout=180, processes=[second, beat])
    assert run.state == ImportRun.State.APPLIED, run.errors
    assert run.attempts == 2
    assert Measure.objects.filter(title__startswith="Neue Maßnahme").count() == new
    assert ChangeRecord.objects.filter(source=ChangeRecord.Source.IMPORT).count() == new


def _data_segment_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1])
    raise AssertionError("no VmData")


def test_an_import_that_runs_out_of_memory_fails_and_the_worker_lives_on(
    media_root, settings, programme, admin_user, client, celery_processes
):
    """Celery treats MemoryError as fatal: had it left the task, the worker would exit and
    the message would be delivered again and kill the next one."""
    settings.IMPORT_INLINE_MAX_BYTES = 0
    worker = celery_processes.worker()
    client.force_login(admin_user)
    data = measures_csv_with_new_measures(programme, per_group=900)
    # The solo pool runs the task in this process: leave it only a few MB more memory.
    room = (_data_segment_kib(worker.pid) + 12 * 1024) * 1024
    resource.prlimit(worker.pid, resource.RLIMIT_DATA, (room, resource.RLIM_INFINITY))
    try:
        run = upload(client, programme, "massnahmen.csv", data)
        run = wait_for(run, lambda run: run.state in FINAL, timeout=120, processes=[worker])
    finally:
        if worker.poll() is None:
            resource.prlimit(worker.pid, resource.RLIMIT_DATA, (resource.RLIM_INFINITY,) * 2)

    time.sleep(1)  # a worker that MemoryError takes down exits right after the task
    assert worker.poll() is None, Path(worker.log_path).read_text()[-3000:]
    assert programme_summary.delay(programme.pk).get(timeout=60)["measures"] == 25
    assert run.state == ImportRun.State.FAILED, run.errors
    assert "Arbeitsspeicher" in run.errors[0]["message"]
    assert not Measure.objects.filter(number="1.100").exists()


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_with_the_broker_down_an_upload_answers_at_once_and_is_checked_once_it_is_back(
    media_root, programme, admin_user, celery_processes, tmp_path
):
    broker = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    on_that_broker = {"CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker}
    celery_processes.web(WEB_PORT, IMPORT_INLINE_MAX_BYTES="0", **on_that_broker)
    web = WebClient(f"http://127.0.0.1:{WEB_PORT}", admin_user)
    data = measures_csv_with_new_measures(programme, per_group=10)

    response = web.post(
        reverse("transfer:import"),
        {"programme": programme.pk},
        files={"file": ("massnahmen.csv", data)},
        form_path=reverse("transfer:index"),
    )

    run = ImportRun.objects.get()
    assert response.status == 302, response.text[:2000]
    assert response.seconds < 10
    assert response.headers["Location"] == reverse("transfer:run", args=[run.pk])
    page = web.get(response.headers["Location"]).text
    assert "Auftragsdienst ist gerade nicht erreichbar" in page
    assert run.state == ImportRun.State.VALIDATING and run.sent_at is None

    redis = subprocess.Popen(
        ["redis-server", "--port", str(CLOSED_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        beat = celery_processes.beat(**SHORT_DEADLINES, **on_that_broker)
        worker = celery_processes.worker(**SHORT_DEADLINES, **on_that_broker)
        run = wait_for(run, lambda run: run.state in FINAL, timeout=180, processes=[worker, beat])
        assert run.state == ImportRun.State.PREVIEW, run.errors
        assert run.counts["measures"]["create"] == 40
    finally:
        celery_processes.stop_all()
        redis.terminate()
        redis.wait(timeout=20)


def test_an_import_whose_web_process_is_killed_mid_apply_is_applied_by_a_worker(
    media_root, programme, admin_user, celery_processes
):
    """Small files are applied in the request; here the web server dies during that apply."""
    inline = {
        "IMPORT_INLINE_MAX_BYTES": str(40 * 1024 * 1024),
        "IMPORT_MAX_UPLOAD_BYTES": str(40 * 1024 * 1024),
    }
    server = celery_processes.web(WEB_PORT, **inline)
    web = WebClient(f"http://127.0.0.1:{WEB_PORT}", admin_user)
    # As many new measures as the numbering allows (x.100 to x.998), and the kill once the
    # apply has started (10 %: reading, planning and writing still ahead): with COPY on
    # PostgreSQL the writes after the 50 % mark could finish before the kill.
    per_group = 899
    data = measures_csv_with_new_measures(programme, per_group=per_group)
    response = web.post(
        reverse("transfer:import"),
        {"programme": programme.pk},
        files={"file": ("massnahmen.csv", data)},
        form_path=reverse("transfer:index"),
    )
    assert response.status == 302, response.text[:2000]
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PREVIEW, run.errors
    confirm = reverse("transfer:run-confirm", args=[run.pk])
    token = web.csrf_token(reverse("transfer:run", args=[run.pk]))
    request = threading.Thread(
        target=_ignore_errors(web.request),
        args=(confirm,),
        kwargs={"data": f"csrfmiddlewaretoken={token}".encode()},
        daemon=True,
    )
    request.start()
    wait_for(
        run,
        lambda run: run.state == ImportRun.State.APPLYING and run.progress >= 10,
        timeout=120,
        processes=[server],
    )

    celery_processes.kill(server)

    request.join(timeout=30)
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLYING and run.attempts == 1
    assert not Measure.objects.filter(number="1.100").exists()  # rolled back
    beat = celery_processes.beat(**SHORT_DEADLINES)
    worker = celery_processes.worker(**SHORT_DEADLINES, **inline)
    run = wait_for(run, lambda run: run.state in FINAL, timeout=180, processes=[worker, beat])
    assert run.state == ImportRun.State.APPLIED, run.errors
    assert run.attempts == 2
    new = 4 * per_group
    assert Measure.objects.filter(title__startswith="Neue Maßnahme").count() == new
    records = ChangeRecord.objects.filter(source=ChangeRecord.Source.IMPORT)
    assert records.count() == new
    assert {record.changed_by for record in records} == {admin_user}


def _ignore_errors(function):
    def call(*args, **kwargs):
        with contextlib.suppress(OSError):
            function(*args, **kwargs)

    return call
